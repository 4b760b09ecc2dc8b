using System.Text.Json;
using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Tests.EventSocket;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Fixtures.Tests.Verdicts;

/// <summary>
/// <see cref="CallDiagnosis"/> of the browser-side faults on recorded observations: the mDNS offer is Chromium's
/// own from the captures (jssip-mdns-candidates-488.json, FreeSWITCH 1.10.12 answered it 488); the DTLS failure's
/// states, counters and fingerprints are those of tests/WebRtcE2E.Tests/BrowserFaultTests.cs against FreeSWITCH
/// 1.10.12 (run of 2026-11-30).
/// </summary>
[Category("Unit")]
public sealed class BrowserFaultDiagnosisTests
{
    private const string CallId = "hbev36qjvbltnq8ua5qn";
    private const string FreeSwitchSaid = "sha-256 70:16:D6:ED:29:D6:2E:9D:78:E7:88:C2:90:EE:9B:C5:70:83:C2:72:E8:F6:46:F8:0E:0E:F6:25:5F:EC:FF:67";
    private const string BrowserChecked = "sha-256 81:27:E7:FE:3A:E7:3F:AE:89:F8:99:D3:A1:FF:AC:D6:81:94:D3:83:F9:07:57:09:1F:1F:07:36:60:FD:00:78";
    private static readonly DateTimeOffset Answer = new(2026, 11, 30, 18, 19, 8, 627, TimeSpan.Zero);

    private static readonly CallEnd Refused488 = new(EndedBy.Remote, 488, "Not Acceptable Here", "Q.850;cause=88;text=\"INCOMPATIBLE_DESTINATION\"", "Incompatible SDP", Answer);

    [Test]
    public void An_offer_of_mdns_names_only_refused_488_is_named_mdns()
    {
        var offer = CapturedMdnsOffer();
        var d = CallDiagnosis.Of(CallVerdict.Create(CallId, Refused488, phoneName: "Browser-mdns"), new CallObservations(null, []) { SentSdp = offer });

        d.Kind.Should().Be(DiagnosisKind.MdnsCandidates);
        d.Summary.Should().Be("refused: the browser offered only mDNS (.local) candidates, which FreeSWITCH cannot resolve");
        d.Evidence[0].Should().Be("offer: 2 ICE candidate(s), every one an mDNS name: 2344520d-ce3c-48c6-bc0a-df81b8ab3ef5.local:48229 udp host, f83b8cb6-83c4-43ae-8ca5-32c6cfa016b9.local:56229 udp host");
    }

    [Test]
    public void An_offer_with_an_address_beside_the_mdns_names_is_not_blamed_on_mdns()
    {
        var offer = CapturedMdnsOffer().Replace("a=ice-ufrag:", "a=candidate:1 1 udp 2113937151 10.213.43.250 40059 typ host generation 0\r\na=ice-ufrag:", StringComparison.Ordinal);
        var d = CallDiagnosis.Of(CallVerdict.Create(CallId, Refused488), new CallObservations(null, []) { SentSdp = offer });

        d.Kind.Should().Be(DiagnosisKind.Refused, "FreeSWITCH had an address to use: the 488 has another reason");
    }

    [Test]
    public void Mdns_names_in_an_offer_refused_for_another_reason_are_not_blamed()
    {
        var busy = new CallEnd(EndedBy.Remote, 486, "Busy Here", null, "Busy", Answer);
        var d = CallDiagnosis.Of(CallVerdict.Create(CallId, busy), new CallObservations(null, []) { SentSdp = CapturedMdnsOffer() });

        d.Kind.Should().Be(DiagnosisKind.Refused);
    }

    [Test]
    public void Dtls_failed_after_ice_connected_with_another_fingerprint_than_freeswitch_sent_is_a_fingerprint_mismatch()
    {
        var d = CallDiagnosis.Of(DtlsVerdict(BrowserChecked), DtlsSeen());

        d.Kind.Should().Be(DiagnosisKind.DtlsFailed);
        d.Summary.Should().Be("answered, then hung up: DTLS handshake failed (fingerprint mismatch)");
        d.Evidence.Should().Equal(
            "ICE: checking → connected; browser DTLS: failed",
            "FreeSWITCH: RTP in 0 / out 0, DESTINATION_OUT_OF_ORDER (send_bye)",
            $"the browser checked FreeSWITCH's DTLS certificate against {BrowserChecked}, but FreeSWITCH's SDP said {FreeSwitchSaid}");
    }

    [Test]
    public void Dtls_failed_with_the_fingerprint_freeswitch_sent_is_named_without_a_mismatch()
    {
        var d = CallDiagnosis.Of(DtlsVerdict(FreeSwitchSaid.ToLowerInvariant()), DtlsSeen());

        d.Kind.Should().Be(DiagnosisKind.DtlsFailed);
        d.Summary.Should().Be("answered, then hung up: DTLS handshake failed", "the fingerprints agree (hex case aside): something else failed the handshake");
    }

    [Test]
    public void The_sdp_each_way_is_read_from_the_phones_trace_for_its_call_only()
    {
        var offer = CapturedMdnsOffer();
        var answer = $"v=0\r\no=FreeSWITCH 1 2 IN IP4 10.213.43.10\r\na=fingerprint:{FreeSwitchSaid}\r\n";
        SipTraceEntry Entry(TraceDirection dir, string first, string callId, string? body) => new(
            Answer, dir, "wss", "browser", "10.213.43.10:7444",
            $"{first}\r\nCall-ID: {callId}\r\nContent-Length: {body?.Length ?? 0}\r\n\r\n{body}");
        var trace = new[]
        {
            Entry(TraceDirection.Sent, "INVITE sip:07010002001@10.213.43.10 SIP/2.0", "another-call", "v=0\r\na=candidate:1 1 udp 1 10.0.0.1 1 typ host\r\n"),
            Entry(TraceDirection.Sent, "INVITE sip:07010002001@10.213.43.10 SIP/2.0", CallId, offer),
            Entry(TraceDirection.Received, "SIP/2.0 100 Trying", CallId, null),
            Entry(TraceDirection.Received, "SIP/2.0 200 OK", CallId, answer),
            Entry(TraceDirection.Sent, "ACK sip:07010002001@10.213.43.10 SIP/2.0", CallId, null),
        };

        var seen = new CallObservations(null, []).WithSdpFrom(trace, CallId);

        seen.SentSdp.Should().Be(offer);
        seen.ReceivedSdp.Should().Be(answer);
        SdpLines.Fingerprint(seen.ReceivedSdp).Should().Be(FreeSwitchSaid);
        SdpLines.Candidates(seen.SentSdp).Select(c => c.Address).Should().OnlyContain(a => SdpLines.IsMdnsName(a)).And.HaveCount(2);
    }

    private static string CapturedMdnsOffer()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Captures.PathOf("jssip-mdns-candidates-488.json")));
        return doc.RootElement.GetProperty("offer").GetString()!;
    }

    private static CallVerdict DtlsVerdict(string remoteFingerprint)
    {
        var stats = new MediaStats
        {
            Codec = "opus",
            IceState = "connected",
            DtlsState = "failed",
            CandidatePair = "10.213.43.250:40059 udp host -> 10.213.43.10:16542 udp host",
            RemoteFingerprint = remoteFingerprint,
        };
        var fs = new HangupRecord(
            "cde64e83-c574-406b-a0aa-2dc918fe56dc", CallId, "inbound", "external", "07010002001", "sofia/external/Browser-dtls", "DESTINATION_OUT_OF_ORDER",
            27, null, "send_bye", null, null, "opus", 0, 0, null, "wss", Answer.AddMilliseconds(-48), Answer.AddMilliseconds(-48), Answer.AddMilliseconds(32),
            EslEvent.ParseJson("{\"Event-Name\":\"CHANNEL_HANGUP_COMPLETE\"}"));
        var end = new CallEnd(EndedBy.Remote, null, null, "Q.850;cause=27;text=\"DESTINATION_OUT_OF_ORDER\"", "Terminated", Answer.AddMilliseconds(61));
        return CallVerdict.Create(CallId, end, null, stats, fs, "Browser-dtls");
    }

    private static CallObservations DtlsSeen() => new(
        null,
        [
            new PhoneEvent(Answer.AddMilliseconds(-10), "call-ice", $"{CallId}: checking"),
            new PhoneEvent(Answer, "call-confirmed", $"{CallId}: answered and acknowledged"),
            new PhoneEvent(Answer.AddMilliseconds(13), "call-ice", $"{CallId}: connected"),
        ])
    {
        ReceivedSdp = $"v=0\r\no=FreeSWITCH 1 2 IN IP4 10.213.43.10\r\nm=audio 16542 UDP/TLS/RTP/SAVPF 116 110\r\na=fingerprint:{FreeSwitchSaid}\r\na=setup:active\r\n",
    };
}
