using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Media;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Fixtures.Tests.Verdicts;

/// <summary>
/// <see cref="CallDiagnosis"/> on a call relayed through TURN and on a call whose FreeSWITCH went away: the counters,
/// candidate pairs, events and close reason below are those recorded by tests/WebRtcE2E.Tests/RelayAndCrashTests.cs
/// (JsSIP to the echo, FreeSWITCH 1.10.12, coturn 4.6.1, run of 2026-11-30); the received audio is a synthetic tone.
/// </summary>
[Category("Unit")]
public class RelayAndGoneDiagnosisTests
{
    private const string CallId = "su2pik7ppeiq1ok8k6jd";
    private const string RelayPair = "10.213.226.40:49169 udp relay (relay over tcp) -> 10.213.226.10:16556 udp host";
    private const string EslClosed = "the event socket at 10.213.4.10:8021 closed: FreeSWITCH closed the connection; last frames received: #0 auth/request, #1 command/reply '+OK accepted', #3 text/event-plain (7286 bytes, CHANNEL_CREATE), #4 text/event-plain (8970 bytes, CHANNEL_ANSWER)";
    private static readonly DateTimeOffset Answer = new(2026, 11, 30, 18, 14, 30, 120, TimeSpan.Zero);

    [Test]
    public void A_healthy_call_over_a_relay_candidate_says_it_went_over_a_TURN_relay()
    {
        var stats = Stats("relay", "host", "tcp", RelayPair);
        var d = CallDiagnosis.Of(Verdict(stats, Fs(152, 151)), Seen(Ice(0.3, "checking"), Ice(0.5, "connected")));

        d.Kind.Should().Be(DiagnosisKind.Healthy);
        d.Summary.Should().Be("no fault seen: ICE connected, RTP both ways, over a TURN relay (TCP to the relay), loss 0.0 %");
        d.Evidence.Should().Contain($"ICE: the selected candidate pair is relay → host ({RelayPair}): every packet went through the TURN server");
    }

    [Test]
    public void A_healthy_direct_call_says_nothing_of_a_relay()
    {
        var stats = Stats("host", "host", null, "10.213.226.250:42346 udp host -> 10.213.226.10:16470 udp host");
        var d = CallDiagnosis.Of(Verdict(stats, Fs(156, 154)), Seen(Ice(0.05, "connected")));

        d.Kind.Should().Be(DiagnosisKind.Healthy);
        d.Summary.Should().Be("no fault seen: ICE connected, RTP both ways, loss 0.0 %");
        d.Evidence.Should().NotContain(l => l.Contains("relay", StringComparison.Ordinal));
    }

    [Test]
    public void FreeSwitch_gone_mid_call_is_named_before_the_websocket_that_closed_with_it()
    {
        var gone = Answer.AddSeconds(1.612);
        var end = new CallEnd(EndedBy.Local, null, null, null, "Terminated", gone.AddMilliseconds(9));
        var verdict = CallVerdict.Create(CallId, end, null, Stats(null, null, null, null, ice: "connected"), null, "Browser-killed");
        var d = CallDiagnosis.Of(verdict, Seen(Ice(0.05, "connected"), new PhoneEvent(gone.AddMilliseconds(4), "ua-disconnected", "code 1006 (error)")) with
        {
            EventSocketClosedAt = gone,
            EventSocketClosedReason = EslClosed,
        });

        d.Kind.Should().Be(DiagnosisKind.FreeSwitchGone, "the WebSocket closing follows from FreeSWITCH going away");
        d.Summary.Should().Be("FreeSWITCH went away mid-call: its event socket closed 1.6 s after answer, the SIP WebSocket closed 0.0 s after it");
        d.Evidence.Should().Equal(
            "harness: the event socket to FreeSWITCH closed (the event socket at 10.213.4.10:8021 closed: FreeSWITCH closed the connection) 1.6 s after answer",
            "phone: the SIP WebSocket closed (code 1006 (error)) 1.6 s after answer",
            $"phone: the call {end} 0.0 s after the event socket closed",
            "FreeSWITCH: no hangup record (no CHANNEL_HANGUP_COMPLETE came before its event socket closed)");
    }

    [Test]
    public void FreeSwitch_gone_with_the_websocket_still_open_says_so()
    {
        var gone = Answer.AddSeconds(2);
        var end = new CallEnd(EndedBy.Local, null, null, null, "Terminated", gone.AddSeconds(5));
        var verdict = CallVerdict.Create(CallId, end, null, Stats(null, null, null, null, ice: "connected"), null, "Browser-killed");
        var d = CallDiagnosis.Of(verdict, Seen(Ice(0.05, "connected")) with { EventSocketClosedAt = gone });

        d.Kind.Should().Be(DiagnosisKind.FreeSwitchGone);
        d.Summary.Should().Be("FreeSWITCH went away mid-call: its event socket closed 2.0 s after answer, the SIP WebSocket did not close");
    }

    [Test]
    public void An_event_socket_closed_after_freeswitch_hung_up_the_call_is_not_blamed()
    {
        // FreeSWITCH wrote its hangup record, then its event socket closed (a shutdown after the call): the call is judged as usual.
        var d = CallDiagnosis.Of(
            Verdict(Stats("host", "host", null, "10.213.226.250:42346 udp host -> 10.213.226.10:16470 udp host"), Fs(156, 154)),
            Seen(Ice(0.05, "connected")) with { EventSocketClosedAt = Answer.AddSeconds(4), EventSocketClosedReason = "the event socket closed" });

        d.Kind.Should().Be(DiagnosisKind.Healthy);
    }

    [Test]
    public async Task The_ledger_says_when_and_why_its_event_socket_closed_and_a_pending_wait_fails_at_once()
    {
        var ledger = new CallLedger();
        var wait = ledger.WaitForHangupAsync(CallId, TimeSpan.FromSeconds(30));
        ledger.ClosedAt.Should().BeNull();
        ledger.ClosedReason.Should().BeNull();

        var before = DateTimeOffset.UtcNow;
        ledger.Complete(new EventSocketClosedException(EslClosed));

        ledger.ClosedAt.Should().BeOnOrAfter(before).And.BeOnOrBefore(DateTimeOffset.UtcNow);
        ledger.ClosedReason.Should().Be(EslClosed);
        (await FluentActions.Awaiting(() => wait).Should().ThrowAsync<EventSocketClosedException>()).Which.Message.Should().Contain("no more events will come");
    }

    private static CallVerdict Verdict(MediaStats stats, HangupRecord fs) =>
        CallVerdict.Create(CallId, new CallEnd(EndedBy.Local, null, null, null, "Terminated", fs.HangupAt!.Value), Tone(3), stats, fs, "Browser-turn");

    private static CallObservations Seen(params PhoneEvent[] events) =>
        new(null, [new PhoneEvent(Answer, "call-confirmed", $"{CallId}: answered and acknowledged"), .. events]);

    private static PhoneEvent Ice(double afterAnswer, string state) => new(Answer.AddSeconds(afterAnswer), "call-ice", $"{CallId}: {state}");

    private static MediaStats Stats(string? local, string? remote, string? relayProtocol, string? pair, string ice = "connected") => new()
    {
        Codec = "opus",
        PacketsReceived = 150,
        PacketsSent = 151,
        IceState = ice,
        DtlsState = "connected",
        CandidatePair = pair,
        LocalCandidateType = local,
        RemoteCandidateType = remote,
        RelayProtocol = relayProtocol,
    };

    private static HangupRecord Fs(long rtpIn, long rtpOut) => new(
        "a5ba8359-2660-4a20-97de-7a46d2a69d1f", CallId, "inbound", "external", "07010002001", "sofia/external/Browser-turn", "NORMAL_CLEARING",
        16, null, "recv_bye", null, null, "opus", rtpIn, rtpOut, null, "wss", Answer.AddMilliseconds(-40), Answer, Answer.AddSeconds(3.14),
        EslEvent.ParseJson("{\"Event-Name\":\"CHANNEL_HANGUP_COMPLETE\"}"));

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
