using System.Diagnostics;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.FreeSwitch;

[Category("Unit")]
public sealed class StartupTimelineTests
{
    [Test]
    public void Phases_follow_one_another_and_add_up_to_the_total()
    {
        var timeline = new StartupTimeline();
        var spin = Stopwatch.StartNew();
        while (spin.ElapsedMilliseconds < 20)
        {
            // burn a little time without sleeping, so the first phase is measurably long
        }

        timeline.Mark("docker");
        timeline.Mark("network");

        timeline.Phases.Select(p => p.Phase).Should().Equal("docker", "network");
        timeline.Phases[0].Took.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(20));
        (timeline.Phases[0].Took + timeline.Phases[1].Took).Should().Be(timeline.Total);
        timeline.ToString().Should().MatchRegex(@"^docker \d+\.\d\d s, network \d+\.\d\d s \(total \d+\.\d\d s\)$");
    }
}
