using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Tests;

/// <summary>DTMF, codec negotiation and hold, as FreeSWITCH sees them.</summary>
[Category("External")]
public sealed class DtmfCodecHoldTests : Scenario
{
    /// <summary>RFC 4733 digits reach FreeSWITCH in order (park consumes digits, so DTMF events fire).</summary>
    [TestCaseSource(nameof(Phones))]
    [CancelAfter(60_000)]
    public async Task Dtmf_digits_are_seen_by_FreeSwitch_in_order(PhoneKind kind, CancellationToken ct)
    {
        var phone = await PhoneAsync(kind, "external", $"{kind}-dtmf", 440, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("DTMF_PARK"), null, ct: ct);
        await call.AnsweredAsync(ct: ct);
        var uuid = (await Ledger.WaitForEventAsync($"CHANNEL_ANSWER of {call.CallId}", e => e.EventName == "CHANNEL_ANSWER" && e.CallId == call.CallId, ct: ct)).UniqueId!;

        await call.SendDtmfAsync("1234#*", DtmfMethod.Rfc4733, ct);
        var digits = await Ledger.WaitForDtmfAsync(uuid, 6, TimeSpan.FromSeconds(10), ct);
        await call.HangupAsync(ct);
        await VerdictAsync(phone, call, AudioReportOrNone.None, ct: ct);

        string.Concat(digits.Select(d => d.Digit)).Should().Be("1234#*");
        digits.Should().OnlyContain(d => d.Source == "RTP", "RFC 4733 events arrive in RTP");
    }

    /// <summary>The native phone offers PCMU only, or opus only: FreeSWITCH agrees to what was offered.</summary>
    [TestCase("PCMU")]
    [TestCase("opus")]
    [Category("Native")]
    [CancelAfter(60_000)]
    public async Task Native_phone_gets_the_codec_it_offers(string codec, CancellationToken ct)
    {
        var phone = await PhoneAsync(PhoneKind.Native, "external", $"native-{codec}", 660, [codec], ct);
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO"), 660, ct: ct);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [660], ct);
        await call.HangupAsync(ct);
        var verdict = await VerdictAsync(phone, call, heard, ct: ct);

        verdict.Should().HaveNegotiated(codec).And.HaveHeardTone(660, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5));
        call.Stats!.Codec.Should().BeEquivalentTo(codec);
    }

    /// <summary>The browser offers what Chromium offers (opus first); FreeSWITCH picks opus.</summary>
    [TestCaseSource(nameof(BrowserPhones))]
    [CancelAfter(60_000)]
    public async Task Browser_negotiates_opus(PhoneKind kind, CancellationToken ct)
    {
        var phone = await PhoneAsync(kind, "external", $"{kind}-opus", 660, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO"), 660, ct: ct);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [660], ct);
        await call.HangupAsync(ct);
        var verdict = await VerdictAsync(phone, call, heard, ct: ct);

        verdict.Should().HaveNegotiated("opus");
    }

    /// <summary>Hold silences the echo, unhold brings it back, and the call survives both.</summary>
    [TestCaseSource(nameof(Phones))]
    [CancelAfter(90_000)]
    public async Task Hold_silences_and_unhold_restores_the_audio(PhoneKind kind, CancellationToken ct)
    {
        const double myTone = 660;
        var phone = await PhoneAsync(kind, "external", $"{kind}-hold", myTone, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO"), myTone, ct: ct);
        await call.AnsweredAsync(ct: ct);
        var before = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [myTone], ct);

        await call.HoldAsync(ct);
        var held = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [myTone], ct);
        await call.UnholdAsync(ct);
        var after = await call.ListenAsync(TimeSpan.FromSeconds(3), [myTone], ct);
        Ledger.FindHangup(call.CallId).Should().BeNull("hold and unhold keep the call");
        await call.HangupAsync(ct);
        var verdict = await VerdictAsync(phone, call, after, ct: ct);

        before.Should().HaveTone(myTone, aboveDbfs: -30);
        held.ToneFraction(myTone, -40).Should().BeLessThan(0.1, $"on hold the echo of {myTone} Hz stops; heard {held.Describe()}");
        after.Should().HaveTone(myTone, aboveDbfs: -30, within: TimeSpan.FromSeconds(2));
        verdict.Should().BeClearedBy(Side.Phone, HangupCause.NormalClearing);
    }
}
