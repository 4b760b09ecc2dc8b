using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Media;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Fixtures.Tests.Verdicts;

/// <summary>Audio assertions on reports measured by <see cref="AudioProbe"/> from generated PCM.</summary>
[Category("Unit")]
public class AudioReportAssertionsTests
{
    private const int Rate = 16000;

    private static AudioReport Measure(params float[][] parts) => AudioProbe.Analyze(ToneGenerator.Concat(parts), Rate, expectedTones: [1000, 440]);

    private static float[] Tone(double hz, double dbfs, double seconds) => ToneGenerator.Sine(hz, ToneGenerator.AmplitudeFor(dbfs), TimeSpan.FromSeconds(seconds), Rate);

    private static float[] Silence(double seconds) => ToneGenerator.Silence(TimeSpan.FromSeconds(seconds), Rate);

    [Test]
    public void A_tone_after_half_a_second_is_heard_within_one_second()
    {
        var report = Measure(Silence(0.5), Tone(1000, -13, 1));

        report.Should().HaveTone(1000, aboveDbfs: -30, within: TimeSpan.FromSeconds(1)).And.NotBeSilent();
    }

    [Test]
    public void A_tone_that_comes_too_late_fails_saying_when_it_came()
    {
        var report = Measure(Silence(1.5), Tone(1000, -13, 0.5));

        var act = () => report.Should().HaveTone(1000, -30, TimeSpan.FromSeconds(1));

        act.Should().Throw<Exception>().WithMessage("Expected to hear 1000 Hz above -30 dBFS within 1.0 s, but it was first heard only at 1.50 s;*");
    }

    [Test]
    public void A_quiet_tone_fails_naming_the_level_it_reached()
    {
        var report = Measure(Tone(1000, -45, 1));

        var act = () => report.Should().HaveTone(1000, -30);

        act.Should().Throw<Exception>().WithMessage("Expected to hear 1000 Hz above -30 dBFS, but it never reached -30 dBFS as the dominant sound (at most -45.*");
    }

    [Test]
    public void The_wrong_tone_fails_naming_the_strongest_frequency()
    {
        var report = Measure(Tone(440, -13, 1));

        var act = () => report.Should().HaveTone(1000, -30);

        act.Should().Throw<Exception>().WithMessage("*never reached -30 dBFS*strongest 440 Hz*");
    }

    [Test]
    public void Silence_fails_as_connected_but_silent_with_the_media_state()
    {
        var report = Measure(Silence(1.5));
        var stats = new MediaStats { IceState = "checking", DtlsState = "new", PacketsReceived = 0 };

        var tone = () => new AudioReportAssertions(report, stats).HaveTone(1000, -30, TimeSpan.FromSeconds(1.5));
        var audio = () => report.Should().NotBeSilent();

        tone.Should().Throw<Exception>().WithMessage(
            "Expected to hear 1000 Hz above -30 dBFS within 1.5 s, but the call is connected but silent: heard silence (-120.0 dBFS) for 1.5 s;*packets in 0*ICE state checking, DTLS state new*");
        audio.Should().Throw<Exception>().WithMessage("Expected to hear audio, but the call is connected but silent:*");
        report.Should().BeConnectedButSilent();
    }

    [Test]
    public void Connected_but_silent_fails_when_audio_was_heard()
    {
        var report = Measure(Tone(440, -13, 1));

        var act = () => report.Should().BeConnectedButSilent("UDP is blocked");

        act.Should().Throw<Exception>().WithMessage("Expected the call to be connected but silent because UDP is blocked, but audio was heard:*strongest 440 Hz*");
    }

    [Test]
    public void A_tone_the_report_did_not_track_is_a_clear_failure()
    {
        var report = Measure(Tone(800, -13, 1));

        var act = () => report.Should().HaveTone(800, -30);

        act.Should().Throw<Exception>().WithMessage("*800 Hz was not tracked by this report (tracked: 1000 Hz, 440 Hz); pass it to the listen call*");
    }

    [Test]
    public void Braces_in_what_was_seen_do_not_break_the_message()
    {
        var end = new CallEnd(EndedBy.Remote, null, null, "Q.850;cause=16;text=\"{0} {reason}\"", "{BYE}", DateTimeOffset.UnixEpoch);
        var verdict = CallVerdict.Create("abc", end);

        var act = () => verdict.Should().BeClearedBy(Side.Phone, HangupCause.NormalClearing);

        act.Should().Throw<Exception>().Which.Message.Should().Contain("text=\"{0} {\u200Breason}\"").And.Contain("cause {BYE}").And.NotContain("could not be formatted");
    }
}
