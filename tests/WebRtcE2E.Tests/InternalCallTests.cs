using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Tests;

/// <summary>Registered users: calls between them through FreeSWITCH, and FreeSWITCH calling them.</summary>
[Category("Internal")]
public sealed class InternalCallTests : Scenario
{
    /// <summary>Browser (WebRTC: opus, DTLS-SRTP, ICE) on one leg, native (plain RTP) on the other: each hears the other.</summary>
    [TestCaseSource(nameof(BrowserPhones))]
    [Category("Native")]
    [CancelAfter(90_000)]
    public async Task Registered_browser_and_native_hear_each_other_through_FreeSwitch(PhoneKind kind, CancellationToken ct)
    {
        const double browserTone = 440, nativeTone = 880;
        var browserUser = Fs.User(kind == PhoneKind.BrowserSipJs ? 1009 : 1004);
        // Its own native user per browser kind: the previous case's registration may still be listed.
        var nativeUser = Fs.User(kind == PhoneKind.BrowserSipJs ? 1013 : 1014);
        var browser = await PhoneAsync(kind, "internal", $"{kind}-{browserUser.User}", browserTone, ct: ct);
        var native = await PhoneAsync(PhoneKind.Native, "internal", $"native-{nativeUser.User}", nativeTone, ct: ct);
        (await browser.RegisterAsync(browserUser, ct)).Registered.Should().BeTrue();
        (await native.RegisterAsync(nativeUser, ct)).Registered.Should().BeTrue();

        var outgoing = await DialAsync(browser, nativeUser.User, nativeTone, ct: ct);
        var incoming = Track(native, await native.NextIncomingCallAsync(TimeSpan.FromSeconds(10), ct), browserTone);
        await incoming.AnswerAsync(ct);
        await outgoing.AnsweredAsync(ct: ct);
        var browserListens = outgoing.ListenAsync(TimeSpan.FromSeconds(2), [nativeTone], ct);
        var nativeListens = incoming.ListenAsync(TimeSpan.FromSeconds(2), [browserTone], ct);
        await Task.WhenAll(browserListens, nativeListens);
        await outgoing.HangupAsync(ct);
        var browserVerdict = await VerdictAsync(browser, outgoing, await browserListens, ct: ct);
        var nativeVerdict = await VerdictAsync(native, incoming, await nativeListens, ct: ct);

        browserVerdict.Should().HaveHeardTone(nativeTone, aboveDbfs: -35, within: TimeSpan.FromSeconds(1.5)).And.HaveNegotiated("opus");
        nativeVerdict.Should().HaveHeardTone(browserTone, aboveDbfs: -35, within: TimeSpan.FromSeconds(1.5));
        nativeVerdict.FreeSwitch!.Codec.Should().BeOneOf("PCMU", "PCMA");
    }

    /// <summary>A registered user's INVITE is challenged (407), answered with the digest, and reaches the trunk number.</summary>
    [TestCaseSource(nameof(Phones))]
    [CancelAfter(60_000)]
    public async Task Registered_user_on_internal_answers_the_407_and_hears_the_announcement(PhoneKind kind, CancellationToken ct)
    {
        var user = Fs.User(ScenarioPhones.UserFor(kind, 1006, 1008, 1016));
        var phone = await PhoneAsync(kind, "internal", $"{kind}-{user.User}", 440, ct: ct);
        (await phone.RegisterAsync(user, ct)).Registered.Should().BeTrue();

        var call = await DialAsync(phone, Fs.Conf.Number("TRUNK_WEBRTC_TEST"), TestAudio.AnnouncementHz, ct: ct);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [TestAudio.AnnouncementHz], ct);
        var verdict = await VerdictAsync(phone, call, heard, ct: ct);

        var inviteAnswers = phone.SipTrace.Where(t => t.Direction == TraceDirection.Received && t.Text.Contains(call.CallId, StringComparison.Ordinal) && t.Text.Contains(" INVITE", StringComparison.Ordinal) && t.FirstLine.StartsWith("SIP/2.0", StringComparison.Ordinal))
            .Select(t => t.FirstLine.Split(' ')[1]).Where(s => s != "100").ToList();
        inviteAnswers.Should().StartWith(["407"], "auth-calls is true on internal").And.Contain("200");
        verdict.Should().HaveHeardTone(TestAudio.AnnouncementHz, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5))
            .And.BeClearedBy(Side.FreeSwitch, HangupCause.NormalClearing);
    }

    /// <summary>FreeSWITCH originates to the registered user: the phone rings, answers and hears what FreeSWITCH plays.</summary>
    [TestCaseSource(nameof(Phones))]
    [CancelAfter(60_000)]
    public async Task FreeSwitch_calls_the_registered_phone_and_it_hears_the_announcement(PhoneKind kind, CancellationToken ct)
    {
        var user = Fs.User(ScenarioPhones.UserFor(kind, 1005, 1007, 1015));
        var phone = await PhoneAsync(kind, "internal", $"{kind}-{user.User}", 440, ct: ct);
        (await phone.RegisterAsync(user, ct)).Registered.Should().BeTrue();
        await using var esl = await Fs.EventSocketAsync(ct);

        // The answered leg runs the article's extension: 500 ms, the announcement, NORMAL_CLEARING.
        var job = esl.BackgroundApiAsync($"originate {{origination_caller_id_number={Fs.Conf.Number("TRUNK_WEBRTC_TEST")}}}user/{user.User}@{Fs.Domain} {Fs.Conf.Number("TRUNK_WEBRTC_TEST")} XML public", TimeSpan.FromSeconds(20), ct);
        var call = Track(phone, await phone.NextIncomingCallAsync(TimeSpan.FromSeconds(10), ct), TestAudio.AnnouncementHz);
        await call.AnswerAsync(ct);
        (await job).Should().StartWith("+OK");
        // 2.5 s, not the 1.5 s of calls the phone places: here FreeSWITCH offers and the browser answers as the
        // DTLS client, whose ClientHello can reach FreeSWITCH before FreeSWITCH has read the answer's fingerprint.
        // That hello is dropped and Chromium sends it again 1 s, then 2 s later: the announcement (3 s from 0.5 s
        // after answer) is then heard up to 2 s late. Seen in CI: ICE connected 0.1 s, DTLS connected 2.1 s after answer.
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(3), [TestAudio.AnnouncementHz], ct);
        var verdict = await VerdictAsync(phone, call, heard, ct: ct);

        verdict.Should().HaveHeardTone(TestAudio.AnnouncementHz, aboveDbfs: -30, within: TimeSpan.FromSeconds(2.5))
            .And.BeClearedBy(Side.FreeSwitch, HangupCause.NormalClearing);
    }
}
