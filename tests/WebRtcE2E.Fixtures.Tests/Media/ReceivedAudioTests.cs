using WebRtcE2E.Fixtures.Media;

namespace WebRtcE2E.Fixtures.Tests.Media;

[Category("Unit")]
public class ReceivedAudioTests
{
    private const int Rate = 16000;

    [Test]
    [CancelAfter(5000)]
    public async Task Listening_measures_the_audio_that_arrives_during_the_window(CancellationToken ct)
    {
        var audio = new ReceivedAudio(Rate);
        audio.Append(ToneGenerator.Silence(TimeSpan.FromMilliseconds(500), Rate));

        var listen = audio.ListenAsync(TimeSpan.FromSeconds(1), [1000], ct: ct);
        listen.IsCompleted.Should().BeFalse();
        var tone = ToneGenerator.Sine(1000, ToneGenerator.AmplitudeFor(-13), TimeSpan.FromSeconds(1), Rate);
        for (int i = 0; i < tone.Length; i += 320)
        {
            audio.Append(tone.AsSpan(i, 320));
        }

        var report = await listen;

        report.StartOffset.Should().Be(TimeSpan.FromMilliseconds(500));
        report.Duration.Should().Be(TimeSpan.FromSeconds(1));
        report.ToneLevelDbfs(1000).Should().BeApproximately(-13, 0.5);
        report.ToneFraction(1000, -30).Should().BeGreaterThan(0.95);
        audio.Duration.Should().Be(TimeSpan.FromSeconds(1.5));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Listening_when_the_audio_stops_fails_with_how_much_arrived(CancellationToken ct)
    {
        var audio = new ReceivedAudio(Rate);
        audio.Append(ToneGenerator.Silence(TimeSpan.FromMilliseconds(500), Rate));

        var act = () => audio.ListenAsync(TimeSpan.FromMilliseconds(200), slack: TimeSpan.FromMilliseconds(100), ct: ct);

        await act.Should().ThrowAsync<TimeoutException>().WithMessage(
            "waited 0.3 s for 0.70 s of received audio; only 0.50 s arrived — the phone's audio pipeline stopped delivering samples");
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Waiting_for_a_count_already_reached_returns_at_once(CancellationToken ct)
    {
        var audio = new ReceivedAudio(Rate);
        audio.Append(new float[1600]);

        await audio.WaitForCountAsync(1600, TimeSpan.Zero, ct);

        audio.Count.Should().Be(1600);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Waiting_for_a_count_times_out_with_the_message(CancellationToken ct)
    {
        var audio = new ReceivedAudio(Rate);
        audio.Append(new float[800]);

        var act = () => audio.WaitForCountAsync(Rate, TimeSpan.FromMilliseconds(100), ct);

        await act.Should().ThrowAsync<TimeoutException>().WithMessage("waited 0.1 s for 1.00 s of received audio; only 0.05 s arrived*");
    }

    [Test]
    [CancelAfter(5000)]
    public async Task A_wait_is_cancelled_by_its_token(CancellationToken ct)
    {
        var audio = new ReceivedAudio(Rate);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var wait = audio.WaitForCountAsync(Rate, TimeSpan.FromSeconds(30), cts.Token);
        await cts.CancelAsync();

        await wait.Awaiting(w => w).Should().ThrowAsync<OperationCanceledException>();
    }

    [Test]
    public void Copy_clamps_to_what_arrived()
    {
        var audio = new ReceivedAudio(Rate);
        audio.Append([0.1f, 0.2f, 0.3f]);

        audio.Copy(1, 100).Should().Equal(0.2f, 0.3f);
        audio.Copy(-5, 1).Should().Equal(0.1f);
        audio.Copy(10, 20).Should().BeEmpty();
    }

    [Test]
    public void Analyze_measures_everything_received()
    {
        var audio = new ReceivedAudio(Rate);
        audio.Append(ToneGenerator.Silence(TimeSpan.FromMilliseconds(500), Rate));
        audio.Append(ToneGenerator.Sine(800, 0.5, TimeSpan.FromMilliseconds(500), Rate));

        var report = audio.Analyze([800]);

        report.FirstHeard(800, -30).Should().Be(TimeSpan.FromMilliseconds(500));
        report.SilentFraction.Should().BeApproximately(0.5, 0.001);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task With_a_retention_old_audio_is_dropped_and_counting_and_listening_go_on(CancellationToken ct)
    {
        var audio = new ReceivedAudio(Rate, TimeSpan.FromSeconds(1));
        audio.Append(ToneGenerator.Silence(TimeSpan.FromSeconds(10), Rate));

        audio.Count.Should().Be(10 * Rate, "every sample counts, kept or not");
        audio.Duration.Should().Be(TimeSpan.FromSeconds(10));
        audio.FirstKept.Should().BeGreaterThan(8 * Rate).And.BeLessThanOrEqualTo(9 * Rate, "at least the last second is kept, not much more");
        audio.Copy(0, long.MaxValue).Length.Should().Be((int)(audio.Count - audio.FirstKept));

        var listen = audio.ListenAsync(TimeSpan.FromMilliseconds(500), [800], ct: ct);
        audio.Append(ToneGenerator.Sine(800, 0.5, TimeSpan.FromMilliseconds(500), Rate));
        var report = await listen;
        report.StartOffset.Should().Be(TimeSpan.FromSeconds(10));
        report.ToneLevelDbfs(800).Should().BeApproximately(-9.03, 0.3);
        audio.Analyze().StartOffset.Should().Be(TimeSpan.FromSeconds((double)audio.FirstKept / Rate), "a whole-track analysis starts where the kept audio does");
    }
}
