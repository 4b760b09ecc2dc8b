using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Media;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Browser;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Fixtures.Tests.Verdicts;

/// <summary>
/// <see cref="CallDiagnosis"/> of refusals, rescues and media timeouts, on what the harness recorded of JsSIP calls
/// against FreeSWITCH 1.10.12 (tests/WebRtcE2E.Tests/NetworkRefusalTests.cs, run of 2026-11-30): FreeSWITCH's log
/// lines of the call, the SDP the browser sent and received (abridged to the lines read), getStats' candidate
/// pairs. The received audio is synthetic (silence or a tone of the same length).
/// </summary>
[Category("Unit")]
public class CallDiagnosisRefusalTests
{
    private const string CallId = "scagdr40u7nsfqi0ggb4";
    private static readonly DateTimeOffset At = new(2026, 11, 30, 18, 13, 5, 401, TimeSpan.Zero);

    private const string Offer =
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 54252 UDP/TLS/RTP/SAVPF 111 110 126\r\nc=IN IP4 127.0.0.1\r\n" +
        "a=candidate:2712888355 1 udp 2122194687 10.213.168.250 36672 typ host generation 0 network-id 2\r\n" +
        "a=candidate:3749480123 1 tcp 1518214911 10.213.168.250 9 typ host tcptype active generation 0 network-id 2\r\n" +
        "a=rtpmap:111 opus/48000/2\r\na=rtpmap:110 telephone-event/48000\r\na=rtpmap:126 telephone-event/8000\r\n";

    private const string AnswerFromUnreachable =
        "v=0\r\no=FreeSWITCH 1796045967 1796045968 IN IP4 198.51.100.7\r\ns=FreeSWITCH\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n" +
        "m=audio 16420 UDP/TLS/RTP/SAVPF 111 110 13\r\na=rtpmap:111 opus/48000/2\r\n" +
        "a=candidate:2413024715 1 udp 2130706431 198.51.100.7 16420 typ host generation 0\r\n";

    // getStats of the rescued call at hangup: the pairs to 198.51.100.7 (from the browser's host and loopback
    // candidates) sent checks and got no answer; the selected pair's remote is peer-reflexive, its address hidden.
    private const string RescuedRaw = """
        [{"id":"CP4eAUSqCL_0vicyXAl","type":"candidate-pair","localCandidateId":"I4eAUSqCL","nominated":false,"remoteCandidateId":"I0vicyXAl","requestsReceived":0,"requestsSent":4,"responsesReceived":0,"responsesSent":0,"state":"in-progress"},
         {"id":"CP4eAUSqCL_MnUX4wTE","type":"candidate-pair","localCandidateId":"I4eAUSqCL","nominated":true,"remoteCandidateId":"IMnUX4wTE","requestsReceived":4,"requestsSent":5,"responsesReceived":5,"responsesSent":4,"state":"succeeded"},
         {"id":"CPVSTlnd1h_0vicyXAl","type":"candidate-pair","localCandidateId":"IVSTlnd1h","nominated":false,"remoteCandidateId":"I0vicyXAl","requestsReceived":0,"requestsSent":4,"responsesReceived":0,"responsesSent":0,"state":"in-progress"},
         {"id":"I0vicyXAl","type":"remote-candidate","address":"198.51.100.7","candidateType":"host","port":16420,"protocol":"udp"},
         {"id":"I4eAUSqCL","type":"local-candidate","address":"10.213.168.250","candidateType":"host","port":33234,"protocol":"udp"},
         {"id":"IMnUX4wTE","type":"remote-candidate","address":"","candidateType":"prflx","port":16420,"protocol":"udp"},
         {"id":"IVSTlnd1h","type":"local-candidate","address":"127.0.0.1","candidateType":"host","port":55682,"protocol":"udp"},
         {"id":"T01","type":"transport","dtlsState":"connected","iceState":"connected","selectedCandidatePairId":"CP4eAUSqCL_MnUX4wTE"}]
        """;

    [Test]
    public void No_candidate_acl_is_named_from_freeswitchs_log_with_the_candidates_offered()
    {
        var verdict = Refused("noacl");
        var d = CallDiagnosis.Of(verdict, new CallObservations(null, [])
        {
            SentSdp = Offer,
            FreeSwitchLog =
            [
                "16a9bcab-ae0b-420d-8ab7-ef842f1f1e37 2026-11-30 18:13:05.401306 86.70% [WARNING] switch_core_media.c:4155 NO candidate ACL defined, Defaulting to wan.auto",
                "16a9bcab-ae0b-420d-8ab7-ef842f1f1e37 2026-11-30 18:13:05.401306 86.70% [DEBUG] switch_core_media.c:4309 sofia/noacl/Browser-x@10.213.168.10 no suitable candidates found.",
                "16a9bcab-ae0b-420d-8ab7-ef842f1f1e37 2026-11-30 18:13:05.401306 86.70% [NOTICE] sofia.c:7985 Hangup sofia/noacl/Browser-x@10.213.168.10 [CS_NEW] [INCOMPATIBLE_DESTINATION]",
            ],
        });

        d.Kind.Should().Be(DiagnosisKind.NoUsableCandidate);
        d.Summary.Should().Be("refused: no usable ICE candidate — profile has no apply-candidate-acl, FreeSWITCH dropped the browser's private candidates (INCOMPATIBLE_DESTINATION)");
        d.Evidence.Should().Contain("browser offered candidates: 10.213.168.250:36672 host")
            .And.Contain("FreeSWITCH log: [WARNING] switch_core_media.c:4155 NO candidate ACL defined, Defaulting to wan.auto")
            .And.Contain("FreeSWITCH log: [DEBUG] switch_core_media.c:4309 sofia/noacl/Browser-x@10.213.168.10 no suitable candidates found.");
    }

    [Test]
    public void Hostname_candidates_dropped_are_named_mdns_and_a_refusal_the_log_does_not_explain_stays_refused()
    {
        // freeswitch-log-mdns-candidates-488.txt (captures): the candidates were .local names, with the ACL set.
        var mdns = CallDiagnosis.Of(Refused("external"), new CallObservations(null, [])
        {
            FreeSwitchLog =
            [
                "u [DEBUG] switch_core_media.c:4191 Drop audio Candidate cid: 1 proto: udp type: host addr: 3f6c2a0e-8f0e-4c1e-9d1a-2b7e1c9a0f11.local:54400 (not an IP address)",
                "u [DEBUG] switch_core_media.c:4309 sofia/external/x@10.0.0.1 no suitable candidates found.",
            ],
        });
        var bare = CallDiagnosis.Of(Refused("external"), new CallObservations(null, []) { FreeSwitchLog = ["u [NOTICE] sofia.c:7985 Hangup [CS_NEW] [INCOMPATIBLE_DESTINATION]"] });

        mdns.Kind.Should().Be(DiagnosisKind.NoUsableCandidate);
        mdns.Summary.Should().Be("refused: no usable ICE candidate — FreeSWITCH dropped the browser's hostname (mDNS .local) candidates (INCOMPATIBLE_DESTINATION)");
        bare.Kind.Should().Be(DiagnosisKind.Refused);
        bare.Summary.Should().Be("refused before answer: SIP 488, INCOMPATIBLE_DESTINATION");
    }

    [Test]
    public void Codecs_that_do_not_intersect_are_named_with_both_lists()
    {
        var d = CallDiagnosis.Of(Refused("nat"), new CallObservations(null, [])
        {
            SentSdp = Offer,
            FreeSwitchLog =
            [
                "56fad97c-bd90-42f6-8328-4c1995700814 2026-11-30 18:13:18.362943 43.37% [DEBUG] mod_dptools.c:1671 SET sofia/nat/Browser-x@10.213.168.10 [absolute_codec_string]=[PCMU]",
                "56fad97c-bd90-42f6-8328-4c1995700814 2026-11-30 18:13:18.362943 43.37% [DEBUG] switch_core_media.c:5526 Audio Codec Compare [opus:111:48000:20:0:1]/[PCMU:0:8000:20:64000:1]",
                "56fad97c-bd90-42f6-8328-4c1995700814 2026-11-30 18:13:18.362943 43.37% [NOTICE] switch_channel.c:3955 Hangup sofia/nat/Browser-x@10.213.168.10 [CS_EXECUTE] [INCOMPATIBLE_DESTINATION]",
            ],
        });

        d.Kind.Should().Be(DiagnosisKind.NoCommonCodec);
        d.Summary.Should().Be("refused: no common codec — the browser offered opus, FreeSWITCH accepts PCMU (INCOMPATIBLE_DESTINATION)");
        d.Evidence.Should().Contain("browser offered: opus").And.Contain("FreeSWITCH accepts: PCMU")
            .And.Contain("FreeSWITCH log: [DEBUG] switch_core_media.c:5526 Audio Codec Compare [opus:111:48000:20:0:1]/[PCMU:0:8000:20:64000:1]");
    }

    [Test]
    public void A_call_that_chose_a_codec_is_not_blamed_on_codecs()
    {
        // noacl: FreeSWITCH compared and chose opus, then found no candidate; without that line the refusal is only "refused".
        var d = CallDiagnosis.Of(Refused("noacl"), new CallObservations(null, [])
        {
            FreeSwitchLog =
            [
                "u [DEBUG] switch_core_media.c:5526 Audio Codec Compare [opus:111:48000:20:0:2]/[opus:116:48000:20:0:1]",
                "u [DEBUG] switch_core_media.c:3731 Set Codec sofia/noacl/x opus/48000 20 ms 960 samples 0 bits 1 channels",
            ],
        });

        d.Kind.Should().Be(DiagnosisKind.Refused);
    }

    [Test]
    public void Candidate_pairs_are_read_from_getstats_with_the_selected_one()
    {
        var pairs = PageStats.IcePairs(RescuedRaw);

        pairs.Should().HaveCount(3);
        var selected = pairs.Single(p => p.Selected);
        selected.Local.Should().Be(new IceCandidate("10.213.168.250", 33234, "host"));
        selected.Remote.Should().Be(new IceCandidate("", 16420, "prflx"));
        selected.ToString().Should().Be("10.213.168.250:33234 host -> (address hidden):16420 prflx: succeeded, selected, checks sent 5, answered 5, received 4");
        pairs.Where(p => p.Remote.Address == "198.51.100.7").Should().HaveCount(2).And.OnlyContain(p => p.RequestsSent == 4 && p.ResponsesReceived == 0);
        PageStats.IcePairs("not json").Should().BeEmpty();
        PageStats.IcePairs(null).Should().BeEmpty();
    }

    [Test]
    public void An_unreachable_advertised_address_rescued_by_a_peer_reflexive_candidate_is_named()
    {
        var verdict = Answered(Stats(RescuedRaw), "NORMAL_CLEARING", "recv_bye", 152, 150, 3.08, Tone(3));
        var d = CallDiagnosis.Of(verdict, Seen(AnswerFromUnreachable));

        d.Kind.Should().Be(DiagnosisKind.RescuedByPeerReflexive);
        d.Summary.Should().Be("rescued: FreeSWITCH advertised 198.51.100.7, which the browser cannot reach; ICE connected over a peer-reflexive candidate learnt from FreeSWITCH's checks");
        d.Evidence[0].Should().Be("FreeSWITCH's SDP: c=198.51.100.7, candidates 198.51.100.7:16420 host");
        d.Evidence.Should().Contain("never answered: 10.213.168.250:33234 host -> 198.51.100.7:16420 host: in-progress, checks sent 4, answered 0, received 0")
            .And.Contain("selected: 10.213.168.250:33234 host -> (address hidden):16420 prflx: succeeded, selected, checks sent 5, answered 5, received 4");
        d.LossFraction.Should().Be(0);
    }

    [Test]
    public void A_peer_reflexive_pair_while_the_advertised_address_answered_is_healthy()
    {
        var answeredToo = RescuedRaw.Replace("\"responsesReceived\":0,\"responsesSent\":0,\"state\":\"in-progress\"", "\"responsesReceived\":3,\"responsesSent\":0,\"state\":\"succeeded\"", StringComparison.Ordinal);
        answeredToo.Should().NotBe(RescuedRaw);
        var verdict = Answered(Stats(answeredToo), "NORMAL_CLEARING", "recv_bye", 152, 150, 3.08, Tone(3));

        CallDiagnosis.Of(verdict, Seen(AnswerFromUnreachable)).Kind.Should().Be(DiagnosisKind.Healthy);
    }

    [Test]
    public void Ice_that_never_connected_and_a_media_timeout_name_freeswitchs_hangup_and_when()
    {
        // Firewall in front of FreeSWITCH's RTP, ECHO_MEDIA_TIMEOUT: FreeSWITCH hung up 4.04 s after answer.
        var stats = new MediaStats { Codec = "opus", IceState = "checking", DtlsState = "new" };
        var end = new CallEnd(EndedBy.Remote, null, null, "SIP;cause=804;text=\"MEDIA_TIMEOUT\"", "Terminated", At.AddSeconds(4.05));
        var verdict = CallVerdict.Create(CallId, end, Silence(2), stats, Fs("MEDIA_TIMEOUT", "send_bye", 0, 0, 4.04, "external"), "Browser-timeout");
        var d = CallDiagnosis.Of(verdict, new CallObservations(null, [Confirmed, new PhoneEvent(At, "call-ice", $"{CallId}: checking")]));

        d.Kind.Should().Be(DiagnosisKind.MediaTimeout);
        d.Summary.Should().Be("connected but silent: ICE never connected, and FreeSWITCH ended it on MEDIA_TIMEOUT after 4.0 s");
        d.ConnectedButSilent.Should().BeTrue();
        d.Evidence[0].Should().Be("ICE: checking (never connected)");
        d.Evidence.Should().Contain("FreeSWITCH: hung up MEDIA_TIMEOUT 4.0 s after answer (send_bye); phone: ended by Remote: Reason: SIP;cause=804;text=\"MEDIA_TIMEOUT\" cause Terminated");
    }

    private static PhoneEvent Confirmed => new(At, "call-confirmed", $"{CallId}: answered and acknowledged");

    private static CallObservations Seen(string answerSdp) => new CallObservations(null, [Confirmed, new PhoneEvent(At.AddSeconds(0.05), "call-ice", $"{CallId}: connected")]).WithSdpFrom([Sent(Offer), new SipTraceEntry(At, TraceDirection.Received, "wss", "b", "fs", $"SIP/2.0 200 OK\r\nCall-ID: {CallId}\r\nCSeq: 9900 INVITE\r\nContent-Type: application/sdp\r\n\r\n{answerSdp}")], CallId);

    private static SipTraceEntry Sent(string sdp) =>
        new(At.AddMilliseconds(-20), TraceDirection.Sent, "wss", "b", "fs", $"INVITE sip:07010002001@10.213.168.10 SIP/2.0\r\nCall-ID: {CallId}\r\nCSeq: 9900 INVITE\r\nContent-Type: application/sdp\r\n\r\n{sdp}");

    private static CallVerdict Refused(string profile)
    {
        var end = new CallEnd(EndedBy.Remote, 488, "Not Acceptable Here", "Q.850;cause=88;text=\"INCOMPATIBLE_DESTINATION\"", "Incompatible SDP", At.AddMilliseconds(20));
        return CallVerdict.Create(CallId, end, null, null, Fs("INCOMPATIBLE_DESTINATION", "send_refuse", null, null, null, profile), "Browser-" + profile);
    }

    private static CallVerdict Answered(MediaStats stats, string cause, string disposition, long rtpIn, long rtpOut, double hangupAfter, AudioReport heard) =>
        CallVerdict.Create(CallId, new CallEnd(EndedBy.Local, null, null, null, "Terminated", At.AddSeconds(hangupAfter)), heard, stats, Fs(cause, disposition, rtpIn, rtpOut, hangupAfter, "nat"), "Browser-unreachable");

    private static MediaStats Stats(string raw) => new()
    {
        Codec = "opus",
        PacketsReceived = 150,
        PacketsSent = 154,
        IceState = "connected",
        DtlsState = "connected",
        CandidatePair = "10.213.168.250:33234 udp host -> :16420 udp prflx",
        Raw = raw,
        CandidatePairs = PageStats.IcePairs(raw),
    };

    private static HangupRecord Fs(string cause, string disposition, long? rtpIn, long? rtpOut, double? hangupAfter, string profile) => new(
        "16a9bcab-ae0b-420d-8ab7-ef842f1f1e37", CallId, "inbound", profile, "07010002001", $"sofia/{profile}/Browser-x", cause,
        cause == "INCOMPATIBLE_DESTINATION" ? 88 : 16, null, disposition, null, null, "opus", rtpIn, rtpOut, null, "wss", At.AddMilliseconds(-20),
        hangupAfter is null ? null : At, hangupAfter is { } h ? At.AddSeconds(h) : At.AddMilliseconds(20),
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
