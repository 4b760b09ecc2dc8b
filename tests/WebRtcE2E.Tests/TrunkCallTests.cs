using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Tests;

/// <summary>The article's trunk call and echo on the external profile (no authentication, context public).</summary>
[Category("External")]
public sealed class TrunkCallTests : Scenario
{
    /// <summary>The article, end to end: answer, 500 ms of silence, the announcement, NORMAL_CLEARING from FreeSWITCH.</summary>
    [TestCaseSource(nameof(Phones))]
    [CancelAfter(60_000)]
    public async Task Trunk_call_hears_the_announcement_and_both_sides_see_normal_clearing(PhoneKind kind, CancellationToken ct)
    {
        var phone = await PhoneAsync(kind, "external", $"{kind}-caller", 440, ct: ct);

        var call = await DialAsync(phone, Fs.Conf.Number("TRUNK_WEBRTC_TEST"), TestAudio.AnnouncementHz, ct: ct);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [TestAudio.AnnouncementHz], ct);
        var verdict = await VerdictAsync(phone, call, heard, ct: ct);

        verdict.Should().HaveHeardTone(TestAudio.AnnouncementHz, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5))
            .And.BeClearedBy(Side.FreeSwitch, HangupCause.NormalClearing);
        verdict.PhoneEnd.Q850Cause.Should().Be(16, "FreeSWITCH's BYE carries Reason: Q.850;cause=16");
    }

    /// <summary>Echo: the phone hears its own tone back, and FreeSWITCH records the phone's BYE.</summary>
    [TestCaseSource(nameof(Phones))]
    [CancelAfter(60_000)]
    public async Task Echo_returns_the_phones_own_tone(PhoneKind kind, CancellationToken ct)
    {
        const double myTone = 660;
        var phone = await PhoneAsync(kind, "external", $"{kind}-echo", myTone, ct: ct);

        var call = await DialAsync(phone, Fs.Conf.Number("ECHO"), myTone, ct: ct);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(2), [myTone], ct);
        await call.HangupAsync(ct);
        var verdict = await VerdictAsync(phone, call, heard, ct: ct);

        verdict.Should().HaveHeardTone(myTone, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5))
            .And.BeClearedBy(Side.Phone, HangupCause.NormalClearing);
    }

    /// <summary>The second announcement is told apart from the first by its frequency.</summary>
    [TestCaseSource(nameof(Phones))]
    [CancelAfter(60_000)]
    public async Task Second_tone_number_plays_the_other_tone_not_the_announcement(PhoneKind kind, CancellationToken ct)
    {
        var phone = await PhoneAsync(kind, "external", $"{kind}-caller", 440, ct: ct);

        var call = await DialAsync(phone, Fs.Conf.Number("SECOND_TONE"), TestAudio.SecondToneHz, ct: ct);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [TestAudio.SecondToneHz, TestAudio.AnnouncementHz], ct);
        var verdict = await VerdictAsync(phone, call, heard, ct: ct);

        verdict.Should().HaveHeardTone(TestAudio.SecondToneHz, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5));
        heard.ToneFraction(TestAudio.AnnouncementHz, -40).Should().Be(0, "the 1000 Hz announcement is another number's");
    }
}
