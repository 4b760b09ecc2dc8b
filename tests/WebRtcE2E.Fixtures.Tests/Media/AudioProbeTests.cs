using WebRtcE2E.Fixtures.Media;

namespace WebRtcE2E.Fixtures.Tests.Media;

[Category("Unit")]
public class AudioProbeTests
{
    private const int Rate = 16000;

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static float[] Tone(double hz, double dbfs, double ms, int rate = Rate) =>
        ToneGenerator.Sine(hz, ToneGenerator.AmplitudeFor(dbfs), Ms(ms), rate);

    [TestCase(16000)]
    [TestCase(48000)]
    [TestCase(8000)]
    public void A_1000_Hz_tone_at_minus_13_dBFS_reads_its_level_frequency_and_presence(int rate)
    {
        var pcm = Tone(1000, -13, 2000, rate);

        var report = AudioProbe.Analyze(pcm, rate, expectedTones: [1000]);

        report.RmsDbfs.Should().BeApproximately(-13, 0.5);
        report.PeakDbfs.Should().BeApproximately(-13 + 3.01, 0.1, "a sine's peak is 3 dB above its RMS");
        report.StrongestHz.Should().BeApproximately(1000, 2);
        report.StrongestIsNear(1000).Should().BeTrue();
        report.ToneLevelDbfs(1000).Should().BeApproximately(-13, 0.5);
        report.ToneFraction(1000, -30).Should().BeGreaterThan(0.95);
        report.FirstHeard(1000, -30).Should().Be(TimeSpan.Zero);
        report.IsSilent.Should().BeFalse();
        report.SilenceRuns().Should().BeEmpty();
        report.ClippedFraction.Should().Be(0);
        report.Windows.Should().HaveCount(100);
        report.Duration.Should().Be(TimeSpan.FromSeconds(2));
    }

    [Test]
    public void The_level_follows_the_amplitude()
    {
        AudioProbe.Analyze(Tone(1000, -30, 500), Rate).RmsDbfs.Should().BeApproximately(-30, 0.1);
        AudioProbe.Analyze(ToneGenerator.Sine(1000, 0.5, Ms(500), Rate), Rate).RmsDbfs.Should().BeApproximately(-9.03, 0.05, "the figure Chromium's analyser agrees on");
    }

    [Test]
    public void A_tone_off_the_Goertzel_bin_is_still_found_within_tolerance()
    {
        var pcm = Tone(1001, -13, 1000);

        var report = AudioProbe.Analyze(pcm, Rate, expectedTones: [1000]);

        report.StrongestHz.Should().BeApproximately(1001, 1);
        report.ToneLevelDbfs(1000).Should().BeApproximately(-13, 0.5, "1 Hz off is well inside the 10 Hz tolerance");
    }

    [Test]
    public void Silence_is_silent_at_the_floor()
    {
        var report = AudioProbe.Analyze(ToneGenerator.Silence(TimeSpan.FromSeconds(1), Rate), Rate, expectedTones: [1000]);

        report.IsSilent.Should().BeTrue();
        report.SilentFraction.Should().Be(1);
        report.RmsDbfs.Should().Be(Dbfs.Floor);
        report.PeakDbfs.Should().Be(Dbfs.Floor);
        report.StrongestHz.Should().Be(0);
        report.ToneFraction(1000, -60).Should().Be(0);
        report.FirstHeard(1000, -60).Should().BeNull();
        report.ToneLevelDbfs(1000).Should().Be(Dbfs.Floor);
        report.SilenceRuns().Should().Equal(new SilenceRun(TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        report.Describe().Should().Be("1.00 s from 0.00 s: silence (-120.0 dBFS, peak -120.0 dBFS); 1000 Hz -120.0 dBFS in 0 % of windows");
    }

    [Test]
    public void Quiet_noise_below_the_threshold_counts_as_silence()
    {
        var report = AudioProbe.Analyze(ToneGenerator.WhiteNoise(Dbfs.ToRms(-70), TimeSpan.FromSeconds(1), Rate), Rate);

        report.IsSilent.Should().BeTrue();
        report.RmsDbfs.Should().BeApproximately(-70, 0.3);
    }

    [Test]
    public void White_noise_has_its_level_and_no_tone()
    {
        var pcm = ToneGenerator.WhiteNoise(Dbfs.ToRms(-20), TimeSpan.FromSeconds(2), Rate);

        var report = AudioProbe.Analyze(pcm, Rate, expectedTones: [440, 1000, 2000]);

        report.RmsDbfs.Should().BeApproximately(-20, 0.2);
        report.IsSilent.Should().BeFalse();
        report.SilentFraction.Should().Be(0);
        foreach (var hz in new[] { 440.0, 1000, 2000 })
        {
            report.ToneFraction(hz, -60).Should().Be(0, "no single frequency holds half the power of white noise ({0} Hz)", hz);
            report.ToneLevelDbfs(hz).Should().BeLessThan(-30, "a 50 Hz-wide bin holds about 1/160 of the noise ({0} Hz)", hz);
        }
    }

    [Test]
    public void A_tone_that_stops_half_way_starts_a_silence_run_at_the_right_time()
    {
        var pcm = ToneGenerator.Concat(Tone(1000, -13, 1010), ToneGenerator.Silence(Ms(990), Rate));

        var report = AudioProbe.Analyze(pcm, Rate, expectedTones: [1000]);

        var run = report.SilenceRuns().Should().ContainSingle().Subject;
        run.Start.TotalMilliseconds.Should().BeApproximately(1010, 20);
        (run.Start + run.Duration).Should().Be(TimeSpan.FromSeconds(2));
        report.SilentFraction.Should().BeApproximately(0.5, 0.02);
        report.ToneFraction(1000, -30).Should().BeApproximately(0.5, 0.02);
    }

    [Test]
    public void A_tone_after_silence_is_first_heard_when_it_starts_on_the_call_timeline()
    {
        var pcm = ToneGenerator.Concat(ToneGenerator.Silence(Ms(500), Rate), Tone(1000, -13, 1500));

        var report = AudioProbe.Analyze(pcm, Rate, startOffset: TimeSpan.FromSeconds(3), expectedTones: [1000]);

        report.FirstHeard(1000, -30)!.Value.TotalMilliseconds.Should().BeApproximately(3500, 20);
        report.SilenceRuns().Should().Equal(new SilenceRun(TimeSpan.FromSeconds(3), Ms(500)));
        report.StrongestHz.Should().BeApproximately(1000, 2);
    }

    [Test]
    public void An_overdriven_sine_clamped_to_full_scale_is_clipped()
    {
        // 997 Hz so the samples fall on every phase, not on the 16 phases of a 1000 Hz period at 16 kHz.
        var pcm = ToneGenerator.Sine(997, 2.0, TimeSpan.FromSeconds(1), Rate).Select(x => Math.Clamp(x, -1f, 1f)).ToArray();

        var report = AudioProbe.Analyze(pcm, Rate);

        report.ClippedFraction.Should().BeApproximately(2.0 / 3.0, 0.02, "|2 sin| >= 1 for two thirds of a period");
        report.PeakDbfs.Should().BeApproximately(0, 0.01);
        report.Describe().Should().MatchRegex(@"; clipped 6[5-8]\.\d %$");
    }

    [Test]
    public void Two_tones_are_each_found_at_their_level()
    {
        var a = Tone(440, -10, 1000);
        var b = Tone(1000, -20, 1000);
        var pcm = a.Zip(b, (x, y) => x + y).ToArray();

        var report = AudioProbe.Analyze(pcm, Rate, expectedTones: [440, 1000]);

        report.ToneLevelDbfs(440).Should().BeApproximately(-10, 0.5);
        report.ToneLevelDbfs(1000).Should().BeApproximately(-20, 0.5);
        report.StrongestHz.Should().BeApproximately(440, 2);
        report.RmsDbfs.Should().BeApproximately(10 * Math.Log10(Math.Pow(10, -1) + Math.Pow(10, -2)), 0.1);
        report.ToneFraction(440, -30).Should().BeGreaterThan(0.95);
        report.ToneFraction(1000, -30).Should().Be(0, "a tone with a tenth of the power does not dominate the window");
        var lenient = AudioProbe.Analyze(pcm, Rate, expectedTones: [440, 1000], options: new AudioProbeOptions { MinToneShare = 0.05 });
        lenient.ToneFraction(1000, -30).Should().BeGreaterThan(0.95);
    }

    [Test]
    public void Two_equal_tones_each_hold_half_the_power_so_they_need_a_share_below_one_half()
    {
        // A DTMF-like pair: each tone is exactly at the default MinToneShare of 0.5, where presence is a coin flip.
        var pcm = Tone(697, -13, 1000).Zip(Tone(1209, -13, 1000), (x, y) => x + y).ToArray();
        var options = new AudioProbeOptions { MinToneShare = 0.4 };

        var report = AudioProbe.Analyze(pcm, Rate, expectedTones: [697, 1209], options: options);

        report.ToneFraction(697, -30).Should().BeGreaterThan(0.95);
        report.ToneFraction(1209, -30).Should().BeGreaterThan(0.95);
        report.ToneLevelDbfs(697).Should().BeApproximately(-13, 0.5);
        report.ToneLevelDbfs(1209).Should().BeApproximately(-13, 0.5);
    }

    [Test]
    public void A_frequency_that_was_not_tracked_is_refused_with_the_tracked_ones()
    {
        var report = AudioProbe.Analyze(Tone(1000, -13, 100), Rate, expectedTones: [1000]);

        var act = () => report.ToneFraction(800, -30);

        act.Should().Throw<ArgumentException>().WithMessage("800 Hz was not among the expected tones of this report (1000 Hz); pass it to the listen call.*");
    }

    [Test]
    public void Less_than_one_window_gives_an_empty_report()
    {
        var report = AudioProbe.Analyze(Tone(1000, -13, 10), Rate);

        report.Windows.Should().BeEmpty();
        report.Duration.Should().Be(TimeSpan.Zero);
        report.Describe().Should().Be("0.00 s from 0.00 s: no audio received");
    }

    [Test]
    public void A_sample_rate_below_4_kHz_is_refused() =>
        FluentActions.Invoking(() => AudioProbe.Analyze(new float[100], 1000)).Should().Throw<ArgumentOutOfRangeException>();
}
