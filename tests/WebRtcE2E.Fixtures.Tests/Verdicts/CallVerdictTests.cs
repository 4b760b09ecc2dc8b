using System.Text.Json;
using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Tests.EventSocket;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Fixtures.Tests.Verdicts;

/// <summary>
/// The two-sided verdict built from real captures, without FreeSWITCH: the page's view (jssip-*.json) joined with
/// FreeSWITCH's hangup record read from the event socket transcript of the same call.
/// </summary>
[Category("Unit")]
public class CallVerdictTests
{
    private static HangupRecord Hangup(string transcript, string destination) =>
        CallLedger.From(Captures.Events(transcript)).Hangups.Single(h => h.DestinationNumber == destination);

    private static CallVerdict ToneCall()
    {
        var fs = Hangup("esl-trunk-call-tone.txt", "07010002000");
        var page = JssipCapture.Load("jssip-trunk-call-tone.json");

        // The page's capture does not record its Call-ID; the phone would give it (ICall.CallId). FreeSWITCH's
        // variable_sip_call_id is the one the browser sent, so the join is made on it.
        return CallVerdict.Create(fs.CallId!, page.End(fs.HangupAt!.Value), page.Heard(1000), stats: null, fs, "browser");
    }

    [Test]
    public void Tone_call_verdict_joins_the_page_and_freeswitch_on_the_call_id()
    {
        var verdict = ToneCall();

        verdict.CallId.Should().Be("pl01qfk4vfu4tslafqi4");
        verdict.FreeSwitch!.CallId.Should().Be(verdict.CallId);
        verdict.Cause.Should().Be(HangupCause.NormalClearing);
        verdict.CauseSource.Should().Be(CauseSource.FreeSwitch);
        verdict.Q850.Should().Be(16);
        verdict.PhoneEnd.Q850Cause.Should().Be(16, "the page got FreeSWITCH's BYE with Reason: Q.850;cause=16");
        verdict.FreeSwitch.Disposition.Should().Be("send_bye");
        verdict.ClearedBy.Should().Be(Side.FreeSwitch);
        verdict.FreeSwitch.Codec.Should().Be("opus");
        verdict.FreeSwitch.RtpPacketsIn.Should().Be(174);
        verdict.FreeSwitch.RtpPacketsOut.Should().Be(177);
        verdict.SipStatus.Should().BeNull("an answered call ended by BYE has no final error status");
    }

    [Test]
    public void Tone_call_reads_like_the_scenario()
    {
        var verdict = ToneCall();

        verdict.Should().BeClearedBy(Side.FreeSwitch, HangupCause.NormalClearing)
            .And.HaveNegotiated("opus")
            .And.HaveHeardTone(1000, aboveDbfs: -30, within: TimeSpan.FromSeconds(1));
    }

    [Test]
    public void Tone_call_hears_1000_hz_at_minus_13_dbfs_after_half_a_second_of_silence()
    {
        var heard = ToneCall().Heard!;

        heard.FirstHeard(1000, -30).Should().BeCloseTo(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(30));
        heard.ToneLevelDbfs(1000).Should().BeApproximately(-13.2, 0.05);
        heard.StrongestHz.Should().BeApproximately(1000, 2);
        heard.SilenceRuns().Should().ContainSingle().Which.Duration.Should().BeCloseTo(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(30));
        AudioPlot.Summary(heard, 1000).Should().StartWith("heard 1000 Hz at -13.2 dBFS in 86% of windows, first at 0.50 s");
    }

    [Test]
    public void Busy_call_ends_with_486_user_busy_refused_by_freeswitch()
    {
        var fs = Hangup("esl-echo-and-busy.txt", "07010002486");
        var page = JssipCapture.Load("jssip-busy-call.json");

        var verdict = CallVerdict.Create(fs.CallId!, page.End(fs.HangupAt!.Value), freeSwitch: fs);

        verdict.Should().HaveEndedWith(486).And.BeClearedBy(Side.FreeSwitch, HangupCause.UserBusy);
        verdict.FreeSwitch!.Disposition.Should().Be("send_refuse");
        verdict.PhoneEnd.ClientCause.Should().Be("Busy");
        verdict.Q850.Should().Be(17);
    }

    [Test]
    public void Mdns_only_offer_ends_with_488_incompatible_destination()
    {
        var log = File.ReadAllText(Captures.PathOf("freeswitch-log-mdns-candidates-488.txt"));
        var page = JssipCapture.Load("jssip-mdns-candidates-488.json");

        // No event socket transcript of this call: the cause comes from the 488 the page got, mapped as
        // sofia_glue.c maps it, and FreeSWITCH's own log of the channel must say the same.
        var verdict = CallVerdict.Create("b1t1eobgika6e3h1gldk", page.End(DateTimeOffset.UnixEpoch));
        var uuids = FreeSwitchLogSlice.UniqueIdsFor(log, verdict.CallId);
        var slice = FreeSwitchLogSlice.Cut(log, uuids, [verdict.CallId]);

        verdict.Should().HaveEndedWith(488).And.BeClearedBy(Side.FreeSwitch, HangupCause.IncompatibleDestination);
        verdict.CauseSource.Should().Be(CauseSource.SipStatus);
        verdict.PhoneEnd.ClientCause.Should().Be("Incompatible SDP");
        uuids.Should().Equal("c6d59e39-400c-49ce-974f-45102c5cf4aa");
        slice.Should().Contain("hanging up, cause: INCOMPATIBLE_DESTINATION").And.Contain("no suitable candidates found");
    }

    [Test]
    public void Media_timeout_call_is_connected_but_silent_and_cleared_by_freeswitch()
    {
        var fs = Hangup("esl-udp-blocked-media-timeout.txt", "07010002003");
        var page = JssipCapture.Load("jssip-udp-blocked-media-timeout.json");

        var verdict = CallVerdict.Create(fs.CallId!, page.End(fs.HangupAt!.Value), page.Heard(1000), freeSwitch: fs);

        verdict.Should().BeClearedBy(Side.FreeSwitch, HangupCause.MediaTimeout).And.BeConnectedButSilent();
        verdict.PhoneEnd.SipReasonCause.Should().Be(804);
        var act = () => verdict.Should().HaveHeardTone(1000, -30, TimeSpan.FromSeconds(1));
        act.Should().Throw<Exception>().WithMessage("*1000 Hz above -30 dBFS within 1.0 s*connected but silent*");
    }

    [Test]
    public void A_hangup_record_of_another_call_is_refused_naming_both_call_ids()
    {
        var fs = Hangup("esl-echo-and-busy.txt", "07010002486");
        var page = JssipCapture.Load("jssip-trunk-call-tone.json");

        var act = () => CallVerdict.Create("pl01qfk4vfu4tslafqi4", page.End(DateTimeOffset.UnixEpoch), freeSwitch: fs, phoneName: "browser");

        act.Should().Throw<CallVerdictMismatchException>()
            .WithMessage("*Call-ID r1qbque4kkon061ab9q3*phone browser*Call-ID pl01qfk4vfu4tslafqi4*different calls*USER_BUSY*");
    }

    [Test]
    public void A_verdict_without_a_call_id_is_refused()
    {
        var act = () => CallVerdict.Create(" ", new CallEnd(EndedBy.Local, null, null, null, null, DateTimeOffset.UnixEpoch));

        act.Should().Throw<ArgumentException>().WithMessage("*Call-ID*");
    }

    [Test]
    public void Wrong_expectations_fail_with_both_sides_in_the_message()
    {
        var verdict = ToneCall();

        var byPhone = () => verdict.Should().BeClearedBy(Side.Phone, HangupCause.NormalClearing);
        var busy = () => verdict.Should().HaveEndedWith(486);
        var pcmu = () => verdict.Should().HaveNegotiated("PCMU");

        byPhone.Should().Throw<Exception>().WithMessage(
            "Expected the call to be cleared by the phone with NORMAL_CLEARING, but it was cleared by FreeSWITCH with NORMAL_CLEARING (cause from FreeSwitch).*" +
            "phone browser: ended by Remote*FreeSWITCH: NORMAL_CLEARING (q850 16), send_bye*");
        busy.Should().Throw<Exception>().WithMessage("Expected the call to end with SIP 486, but it ended without a final error status*");
        pcmu.Should().Throw<Exception>().WithMessage("Expected the call to use PCMU, but FreeSWITCH used opus and the phone reports (no statistics)*");
    }

    [Test]
    public void Phone_statistics_name_the_codec_and_the_ice_state_in_messages()
    {
        var fs = Hangup("esl-trunk-call-tone.txt", "07010002000");
        var page = JssipCapture.Load("jssip-trunk-call-tone.json");
        var stats = new MediaStats { Codec = "audio/opus", PacketsReceived = 0, IceState = "checking", DtlsState = "new" };
        var silent = page.Heard(1000) with { Windows = page.Heard(1000).Windows.Select(w => w with { RmsDbfs = -120, PeakDbfs = -120, ToneDbfs = [-120] }).ToList(), RmsDbfs = -120 };

        var verdict = CallVerdict.Create(fs.CallId!, page.End(fs.HangupAt!.Value), silent, stats, fs);

        verdict.Should().HaveNegotiated("opus");
        var act = () => verdict.Should().HaveHeardTone(1000, -30, TimeSpan.FromSeconds(1.5));
        act.Should().Throw<Exception>().WithMessage(
            "Expected to hear 1000 Hz above -30 dBFS within 1.5 s, but the call is connected but silent: heard silence (-120.0 dBFS) for 3.5 s;*ICE state checking, DTLS state new*");
    }

    [Test]
    public void Verdict_json_is_indented_with_enums_as_strings()
    {
        var json = ToneCall().ToJson();

        json.Should().Contain("\n  \"callId\": \"pl01qfk4vfu4tslafqi4\"");
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        root.GetProperty("clearedBy").GetString().Should().Be("FreeSwitch");
        root.GetProperty("cause").GetString().Should().Be("NORMAL_CLEARING");
        root.GetProperty("causeSource").GetString().Should().Be("FreeSwitch");
        root.GetProperty("phoneEnd").GetProperty("by").GetString().Should().Be("Remote");
        root.GetProperty("phoneEnd").GetProperty("q850Cause").GetInt32().Should().Be(16);
        root.GetProperty("freeSwitch").GetProperty("rtpPacketsIn").GetInt64().Should().Be(174);
        root.GetProperty("freeSwitch").GetProperty("disposition").GetString().Should().Be("send_bye");
        var tone = root.GetProperty("heard").GetProperty("tones")[0];
        tone.GetProperty("hz").GetDouble().Should().Be(1000);
        tone.GetProperty("firstHeardSeconds").GetDouble().Should().BeApproximately(0.5, 0.03);
    }
}
