using System.Text.Json;
using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.Media;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Fixtures.Tests.Verdicts;

/// <summary>
/// <see cref="CallDiagnosis"/> on what the harness recorded of real calls: the counters, ICE states, transport
/// events and FreeSWITCH's RTP counters below are those of JsSIP calls to the echo (07010002001) and to
/// ECHO_MEDIA_TIMEOUT (07010002408) against FreeSWITCH 1.10.12 with the Network category's faults applied
/// (tests/WebRtcE2E.Tests/NetworkFaultTests.cs, run of 2026-11-30); the received audio is a synthetic tone or
/// silence of the same length.
/// </summary>
[Category("Unit")]
public class CallDiagnosisTests
{
    private const string CallId = "ebpgrbqddin32kmohbjl";
    private static readonly DateTimeOffset Answer = new(2026, 11, 30, 16, 45, 6, 394, TimeSpan.Zero);

    [Test]
    public void Udp_dropped_both_ways_is_connected_but_silent_because_ice_never_connected()
    {
        var verdict = Verdict(
            Stats(received: 0, sent: 0, ice: "checking", dtls: "new", pair: null),
            Fs("NORMAL_CLEARING", "recv_bye", rtpIn: 0, rtpOut: 0, hangupAfter: 3.2),
            heard: Silence(3));
        var d = CallDiagnosis.Of(verdict, Seen(null, Ice(0.0, "checking")));

        d.Kind.Should().Be(DiagnosisKind.IceNeverConnected);
        d.Summary.Should().Be("connected but silent: ICE never connected (media blocked)");
        d.ConnectedButSilent.Should().BeTrue();
        d.Evidence[0].Should().Be("ICE: checking (never connected)");
        d.Evidence.Should().Contain("FreeSWITCH: RTP in 0 / out 0, NORMAL_CLEARING (recv_bye)")
            .And.Contain(l => l.StartsWith("browser getStats: packets received 0, sent 0, DTLS new", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith("heard: ", StringComparison.Ordinal) && l.Contains("silence", StringComparison.Ordinal));
    }

    [Test]
    public void Media_from_freeswitch_dropped_mid_call_is_one_way_audio_the_browser_receives_nothing()
    {
        // Counters taken when the fault went in, and at hangup 3 s later: the browser kept sending, received nothing.
        var verdict = Verdict(
            Stats(received: 69, sent: 314, ice: "connected"),
            Fs("NORMAL_CLEARING", "recv_bye", rtpIn: 294, rtpOut: 293, hangupAfter: 6.2),
            heard: Silence(3));
        var d = CallDiagnosis.Of(verdict, Seen(Stats(received: 69, sent: 160, ice: "connected"), Ice(0.05, "checking"), Ice(0.06, "connected")));

        d.Kind.Should().Be(DiagnosisKind.BrowserReceivesNothing);
        d.Summary.Should().Be("one-way audio: browser receives nothing (FreeSWITCH→browser media blocked)");
        d.ConnectedButSilent.Should().BeTrue();
        d.Evidence[0].Should().StartWith("browser getStats since the window began: packets received 0, sent 154, lost 0");
        d.Evidence.Should().Contain("FreeSWITCH sent 293 RTP packets in the call: they did not reach the browser");
    }

    [Test]
    public void A_call_freeswitch_sends_nothing_to_is_not_called_blocked()
    {
        // The scenario gate's DTMF call to 9197 (a park, nothing played), run of 2026-11-30: FreeSWITCH RTP in 44 / out 0.
        var verdict = Verdict(
            Stats(received: 0, sent: 118, ice: "connected"),
            Fs("NORMAL_CLEARING", "recv_bye", rtpIn: 44, rtpOut: 0, hangupAfter: 2.4),
            heard: Silence(2));
        var d = CallDiagnosis.Of(verdict, Seen(null, Ice(0.05, "checking"), Ice(0.06, "connected")));

        d.Kind.Should().Be(DiagnosisKind.FreeSwitchSendsNothing);
        d.Summary.Should().Be("no media from FreeSWITCH: it sent no RTP to this call (the dialplan plays nothing), not a network fault");
        d.ConnectedButSilent.Should().BeTrue();
        d.Evidence.Should().Contain("FreeSWITCH sent 0 RTP packets in the call: nothing was sent to lose");
    }

    [Test]
    public void Media_to_freeswitch_dropped_mid_call_is_one_way_audio_freeswitch_receives_nothing()
    {
        var verdict = Verdict(
            Stats(received: 120, sent: 300, ice: "connected"),
            Fs("NORMAL_CLEARING", "recv_bye", rtpIn: 78, rtpOut: 250, hangupAfter: 6.2),
            heard: Tone(3));
        var d = CallDiagnosis.Of(verdict, Seen(Stats(received: 75, sent: 76, ice: "connected"), Ice(0.06, "connected")));

        d.Kind.Should().Be(DiagnosisKind.FreeSwitchReceivesNothing);
        d.Summary.Should().Be("one-way audio: FreeSWITCH receives nothing (browser→FreeSWITCH media blocked)");
        d.Evidence.Should().Contain("the browser sent 300 packets in the call, FreeSWITCH received 78, no more than the 76 sent before the window");
    }

    [Test]
    public void With_an_echo_nothing_comes_back_when_freeswitch_hears_nothing_and_the_way_to_freeswitch_is_blamed()
    {
        // Browser→FreeSWITCH dropped mid-call on the echo: FreeSWITCH's RTP in stopped at 80, and so did its echo.
        var verdict = Verdict(
            Stats(received: 78, sent: 290, ice: "connected"),
            Fs("NORMAL_CLEARING", "recv_bye", rtpIn: 80, rtpOut: 80, hangupAfter: 5.8),
            heard: Silence(3));
        var d = CallDiagnosis.Of(verdict, Seen(Stats(received: 76, sent: 78, ice: "connected"), Ice(0.06, "connected")));

        d.Kind.Should().Be(DiagnosisKind.FreeSwitchReceivesNothing, "the browser receiving nothing follows from FreeSWITCH hearing nothing to echo");
        d.ConnectedButSilent.Should().BeTrue();
    }

    [Test]
    public void Twenty_percent_loss_is_named_with_the_measured_share_of_the_window()
    {
        // 5 s at 20 %: 224 received and 36 lost since the fault (a run measured 13.8 %; others 16.9, 21.7, 22.7).
        var verdict = Verdict(
            Stats(received: 311, sent: 404, lost: 36, ice: "connected"),
            Fs("NORMAL_CLEARING", "recv_bye", rtpIn: 372, rtpOut: 371, hangupAfter: 8.3),
            heard: Tone(5));
        var d = CallDiagnosis.Of(verdict, Seen(Stats(received: 87, sent: 95, ice: "connected"), Ice(0.03, "connected")));

        d.Kind.Should().Be(DiagnosisKind.PacketLoss);
        d.LossFraction.Should().BeApproximately(36.0 / 260, 1e-9);
        d.Summary.Should().Be("packet loss 13.8 % (FreeSWITCH→browser, 36 of 260 packets)");
        d.ConnectedButSilent.Should().BeFalse("the tone still came through, choppy");
    }

    [Test]
    public void A_native_phones_diagnosis_speaks_of_the_phone_and_its_RTP_counters_not_of_a_browser()
    {
        // The same counters as above, seen by the native phone (its RTP session's received, sent and lost).
        var verdict = Verdict(
            Stats(received: 311, sent: 404, lost: 36, ice: "connected"),
            Fs("NORMAL_CLEARING", "recv_bye", rtpIn: 372, rtpOut: 371, hangupAfter: 8.3),
            heard: Tone(5));
        var d = CallDiagnosis.Of(verdict, Seen(Stats(received: 87, sent: 95, ice: "connected"), Ice(0.03, "connected")) with { Phone = PhoneKind.Native });

        d.Summary.Should().Be("packet loss 13.8 % (FreeSWITCH→phone, 36 of 260 packets)");
        d.Evidence[0].Should().Be("phone RTP counters since the window began: packets received 224, sent 309, lost 36 (totals 311 / 404 / 36)", "the native phone has no ICE nor DTLS");
        string.Join("\n", d.Evidence).Should().NotContain("browser");
    }

    [Test]
    public void A_loss_of_a_packet_or_two_is_healthy_and_so_is_a_loss_on_too_few_packets()
    {
        var fs = Fs("NORMAL_CLEARING", "recv_bye", rtpIn: 335, rtpOut: 333, hangupAfter: 6.9);
        var slight = CallDiagnosis.Of(Verdict(Stats(received: 330, sent: 333, lost: 2, ice: "connected"), fs, Tone(5)), Seen(null, Ice(0.03, "connected")));
        var few = CallDiagnosis.Of(Verdict(Stats(received: 30, sent: 40, lost: 10, ice: "connected"), fs, Tone(1)), Seen(null, Ice(0.03, "connected")));

        slight.Kind.Should().Be(DiagnosisKind.Healthy);
        slight.Summary.Should().Be("no fault seen: ICE connected, RTP both ways, loss 0.6 %");
        few.Kind.Should().Be(DiagnosisKind.Healthy, "40 packets are too few to name a loss on");
    }

    [Test]
    public void WebSocket_closed_mid_call_names_the_transport_and_when_freeswitch_hung_up()
    {
        var closed = Answer.AddSeconds(1.647);
        var end = new CallEnd(EndedBy.Local, null, null, null, "Terminated", closed.AddMilliseconds(3));
        var verdict = CallVerdict.Create(
            CallId,
            end,
            null,
            Stats(received: 47, sent: 48, ice: "connected"),
            Fs("MEDIA_TIMEOUT", "send_bye", rtpIn: 79, rtpOut: 78, hangupAfter: 5.74),
            "Browser-wscut");
        var d = CallDiagnosis.Of(verdict, Seen(null, Ice(0.0, "connected"), new PhoneEvent(closed, "ua-disconnected", "code 1006 (error)")));

        d.Kind.Should().Be(DiagnosisKind.TransportClosed);
        d.Summary.Should().Be("transport closed mid-call: the SIP WebSocket to FreeSWITCH closed (code 1006 (error))");
        d.Evidence.Should().StartWith("phone: the SIP WebSocket closed (code 1006 (error)) 1.6 s after answer");
        d.Evidence.Should().Contain("FreeSWITCH: hung up MEDIA_TIMEOUT (send_bye) 4.1 s after the close");
    }

    [Test]
    public void A_websocket_closed_after_the_call_ended_is_not_blamed()
    {
        var verdict = Verdict(Stats(received: 150, sent: 151, ice: "connected"), Fs("NORMAL_CLEARING", "recv_bye", 154, 153, 3.2), Tone(3));
        var d = CallDiagnosis.Of(verdict, Seen(null, Ice(0.0, "connected"), new PhoneEvent(verdict.PhoneEnd.At.AddSeconds(5), "ua-disconnected", "code 1000")));

        d.Kind.Should().Be(DiagnosisKind.Healthy);
    }

    [Test]
    public void A_call_refused_with_488_is_named_refused_with_the_cause()
    {
        var end = new CallEnd(EndedBy.Remote, 488, "Not Acceptable Here", "Q.850;cause=88;text=\"INCOMPATIBLE_DESTINATION\"", "Incompatible SDP", Answer);
        var verdict = CallVerdict.Create(CallId, end, phoneName: "Browser-noacl");
        var d = CallDiagnosis.Of(verdict);

        d.Kind.Should().Be(DiagnosisKind.Refused);
        d.Summary.Should().Be("refused before answer: SIP 488, INCOMPATIBLE_DESTINATION");
    }

    [Test]
    public void Rtp_that_arrives_but_carries_silence_is_connected_but_silent()
    {
        var verdict = Verdict(Stats(received: 150, sent: 151, ice: "connected"), Fs("NORMAL_CLEARING", "recv_bye", 154, 153, 3.2), Silence(3));
        var d = CallDiagnosis.Of(verdict, Seen(null, Ice(0.0, "connected")));

        d.Kind.Should().Be(DiagnosisKind.SilentMedia);
        d.Summary.Should().Be("connected but silent: RTP arrives (150 packets) but carries silence");
        d.ConnectedButSilent.Should().BeTrue();
    }

    [Test]
    public void The_diagnosis_is_in_the_verdict_json_and_its_evidence_on_the_page()
    {
        var verdict = Verdict(Stats(received: 0, sent: 0, ice: "checking", dtls: "new", pair: null), Fs("NORMAL_CLEARING", "recv_bye", 0, 0, 3.2), Silence(3))
            .WithDiagnosis(Seen(null, Ice(0.0, "checking")));

        using var json = JsonDocument.Parse(verdict.ToJson());
        var d = json.RootElement.GetProperty("diagnosis");
        d.GetProperty("kind").GetString().Should().Be("IceNeverConnected");
        d.GetProperty("summary").GetString().Should().Be("connected but silent: ICE never connected (media blocked)");
        d.GetProperty("evidence")[0].GetString().Should().Be("ICE: checking (never connected)");
        verdict.Describe().Should().Contain("diagnosis: connected but silent: ICE never connected (media blocked)");

        var html = EvidencePage.ToHtml(new EvidencePageContent
        {
            TestName = "Network.blocked",
            Failure = "Expected silence",
            Diagnosis = verdict.Diagnosis!.Summary,
            DiagnosisEvidence = verdict.Diagnosis.Evidence,
        });
        html.Should().Contain($"<p id=\"{EvidencePage.DiagnosisId}\"><b>Diagnosis:</b> connected but silent: ICE never connected (media blocked)</p>")
            .And.Contain("<ul id=\"diagnosis-evidence\" class=\"because\"><li>ICE: checking (never connected)</li>");
    }

    private static CallVerdict Verdict(MediaStats stats, HangupRecord fs, AudioReport heard) =>
        CallVerdict.Create(CallId, new CallEnd(EndedBy.Local, null, null, null, "Terminated", fs.HangupAt!.Value), heard, stats, fs, "Browser-net");

    private static CallObservations Seen(MediaStats? baseline, params PhoneEvent[] events) =>
        new(baseline, [new PhoneEvent(Answer, "call-confirmed", $"{CallId}: answered and acknowledged"), .. events]);

    private static PhoneEvent Ice(double afterAnswer, string state) => new(Answer.AddSeconds(afterAnswer), "call-ice", $"{CallId}: {state}");

    private static MediaStats Stats(long received, long sent, string ice, long lost = 0, string dtls = "connected", string? pair = "10.213.87.250:42346 udp host -> 10.213.87.10:16470 udp host") => new()
    {
        Codec = "opus",
        PacketsReceived = received,
        PacketsSent = sent,
        PacketsLost = lost,
        IceState = ice,
        DtlsState = dtls,
        CandidatePair = pair,
    };

    private static HangupRecord Fs(string cause, string disposition, long rtpIn, long rtpOut, double hangupAfter) => new(
        "88a69d69-f1de-4caa-8a76-2908e63aa992", CallId, "inbound", "external", "07010002001", "sofia/external/Browser-net", cause,
        16, null, disposition, null, null, "opus", rtpIn, rtpOut, null, "wss", Answer.AddMilliseconds(-40), Answer, Answer.AddSeconds(hangupAfter),
        EslEvent.ParseJson("{\"Event-Name\":\"CHANNEL_HANGUP_COMPLETE\"}"));

    private static AudioReport Silence(double seconds) => AudioProbe.Analyze(new float[(int)(16000 * seconds)], 16000, expectedTones: [660]);

    private static AudioReport Tone(double seconds)
    {
        var pcm = new float[(int)(16000 * seconds)];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = 0.3f * MathF.Sin(2 * MathF.PI * 660 * i / 16000);
        }

        return AudioProbe.Analyze(pcm, 16000, expectedTones: [660]);
    }
}
