using WebRtcE2E.Fixtures.Media;

namespace WebRtcE2E.Fixtures.Tests.Media;

[Category("Unit")]
public class AudioMeterTests
{
    private const int Rate = 8000;
    private const int Frame = 160;

    [Test]
    public void A_tone_is_metered_at_its_level_as_the_probe_measures_it()
    {
        var tone = ToneGenerator.Sine(440, ToneGenerator.AmplitudeFor(-13), TimeSpan.FromSeconds(1), Rate);
        var meter = new AudioMeter(Rate, [440, 1000]);
        Feed(meter, tone);

        var r = meter.Read();
        var probe = AudioProbe.Analyze(tone, Rate, expectedTones: [440]);
        r.Duration.Should().Be(TimeSpan.FromSeconds(1));
        r.LevelDbfs.Should().BeApproximately(probe.RmsDbfs, 0.1);
        r.ToneDbfs(440).Should().BeApproximately(-13, 0.5).And.BeApproximately(probe.ToneLevelDbfs(440), 0.5);
        r.ToneShare(440).Should().BeGreaterThan(0.9);
        r.ToneShare(1000).Should().BeLessThan(0.05);
        r.SilentShare.Should().Be(0);
        r.Heard(440).Should().BeTrue();
        r.Heard(1000).Should().BeFalse("another tone is not the metered one");
    }

    [Test]
    public void Readings_subtract_into_the_window_between_them()
    {
        var meter = new AudioMeter(Rate, [440]);
        Feed(meter, ToneGenerator.Silence(TimeSpan.FromSeconds(1), Rate));
        var afterSilence = meter.Read();
        Feed(meter, ToneGenerator.Sine(440, 0.5, TimeSpan.FromSeconds(2), Rate));
        var afterTone = meter.Read();
        Feed(meter, ToneGenerator.Silence(TimeSpan.FromSeconds(0.5), Rate));

        afterSilence.Heard(440).Should().BeFalse();
        afterSilence.SilentShare.Should().Be(1);
        var tone = afterTone.Since(afterSilence);
        tone.Duration.Should().Be(TimeSpan.FromSeconds(2));
        tone.Heard(440).Should().BeTrue(tone.Describe(440));
        tone.ToneDbfs(440).Should().BeApproximately(-9.03, 0.3);
        var tail = meter.Read().Since(afterTone);
        tail.Heard(440).Should().BeFalse();
        tail.SilentShare.Should().Be(1);
        tail.LevelDbfs.Should().Be(Dbfs.Floor);

        var wrongOrder = () => afterSilence.Since(afterTone);
        wrongOrder.Should().Throw<ArgumentException>().WithMessage("*not an earlier reading*");
    }

    [Test]
    public void Noise_at_the_same_level_is_not_the_tone()
    {
        var rng = new Random(7);
        var noise = Enumerable.Range(0, Rate).Select(_ => (float)((rng.NextDouble() * 2) - 1) * 0.5f).ToArray();
        var meter = new AudioMeter(Rate, [440]);
        Feed(meter, noise);
        var r = meter.Read();
        r.LevelDbfs.Should().BeGreaterThan(-15, "it is loud");
        r.Heard(440).Should().BeFalse(r.Describe(440));
    }

    [Test]
    public void Asking_for_a_tone_that_is_not_metered_says_which_are()
    {
        var meter = new AudioMeter(Rate, [440]);
        var act = () => meter.Read().ToneDbfs(1000);
        act.Should().Throw<ArgumentException>().WithMessage("1000 Hz is not metered (metered: 440 Hz)*");
    }

    private static void Feed(AudioMeter meter, float[] pcm)
    {
        for (int i = 0; i + Frame <= pcm.Length; i += Frame)
        {
            meter.Add(pcm.AsSpan(i, Frame));
        }
    }
}
