using WebRtcE2E.Sip.Media;
using WebRtcE2E.Sip.Parsing;
using WebRtcE2E.Sip.Sdp;
using WebRtcE2E.Sip.UserAgent;

namespace WebRtcE2E.Sip.Tests.Unit;

[Category("Unit")]
public class DigestTests
{
    [Test]
    public void Md5_with_qop_auth_matches_the_rfc_2617_example()
    {
        // RFC 2617 §3.5.
        var r = DigestAuthenticator.Response("MD5", "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b");
        r.Should().Be("6629fae49393a05397450978507c4ef1");
    }

    [TestCase("MD5", "8ca523f5e9506fed4657c9700eebdbec")]
    [TestCase("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")]
    public void Rfc_7616_examples(string algorithm, string expected)
    {
        // RFC 7616 §3.9.1.
        DigestAuthenticator.Response(algorithm, "Mufasa", "http-auth@example.org", "Circle of Life", "GET", "/dir/index.html", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ").Should().Be(expected);
    }

    [Test]
    public void Challenge_parses_and_authorization_carries_qop_nc_and_cnonce()
    {
        var c = DigestChallenge.Parse("Digest realm=\"sip.example\", nonce=\"abc\", qop=\"auth,auth-int\", algorithm=SHA-256, opaque=\"xyz\"");
        c.Realm.Should().Be("sip.example");
        c.Qop.Should().Equal("auth", "auth-int");
        var h = DigestAuthenticator.Authorize(c, "INVITE", "sip:1000@sip.example", new DigestCredentials("1000", "pw"), 1, "cafe");
        h.Should().Contain("qop=auth").And.Contain("nc=00000001").And.Contain("cnonce=\"cafe\"").And.Contain("opaque=\"xyz\"").And.Contain("algorithm=SHA-256");
        var expected = DigestAuthenticator.Response("SHA-256", "1000", "sip.example", "pw", "INVITE", "sip:1000@sip.example", "abc", "00000001", "cafe");
        h.Should().Contain($"response=\"{expected}\"");
    }

    [Test]
    public void Bad_challenge_is_a_parse_error()
    {
        var act = () => DigestChallenge.Parse("Basic realm=\"x\"");
        act.Should().Throw<SipParseException>().WithMessage("*not a Digest challenge*");
        var noNonce = () => DigestChallenge.Parse("Digest realm=\"x\"");
        noNonce.Should().Throw<SipParseException>().WithMessage("*nonce*");
    }
}

[Category("Unit")]
public class SdpTests
{
    private const string Offer = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 111 8 0 101\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendonly\r\n";

    [Test]
    public void Answer_takes_the_offerers_first_supported_codec_and_reverses_direction()
    {
        var a = SdpOfferAnswer.Answer(SdpSession.Parse(Offer), ["PCMU", "PCMA"])!.Value;
        a.Media.Audio.Name.Should().Be("PCMA");
        a.Media.TelephoneEvent!.PayloadType.Should().Be(101);
        a.AnswerDirection.Should().Be(MediaDirection.RecvOnly);
        a.Media.RemotePort.Should().Be(4000);
        a.Media.Sends.Should().BeFalse();
    }

    [Test]
    public void Opus_offer_is_answered_with_opus_at_48000()
    {
        var a = SdpOfferAnswer.Answer(SdpSession.Parse(Offer), ["opus"])!.Value;
        a.Media.Audio.ClockRate.Should().Be(48000);
        a.Media.TelephoneEvent.Should().BeNull("telephone-event/8000 does not match the opus clock");
    }

    [Test]
    public void No_common_codec_gives_null_for_a_488()
    {
        SdpOfferAnswer.Answer(SdpSession.Parse(Offer.Replace("111 8 0 101", "111 101")), ["PCMU"]).Should().BeNull();
    }

    [Test]
    public void Written_offer_parses_back()
    {
        var text = SdpSession.Write(5, 2, "127.0.0.1", 30000, SdpOfferAnswer.OfferFormats(["PCMU", "opus"]), MediaDirection.Inactive);
        var s = SdpSession.Parse(text);
        s.Audio!.Port.Should().Be(30000);
        s.Audio.ConnectionAddress.Should().Be("127.0.0.1");
        s.Audio.Direction.Should().Be(MediaDirection.Inactive);
        s.Audio.Formats.Select(f => f.RtpMap).Should().Equal("PCMU/8000", "opus/48000/2", "telephone-event/8000", "telephone-event/48000");
    }

    [Test]
    public void Malformed_m_line_is_a_clear_error()
    {
        var act = () => SdpSession.Parse("v=0\r\nm=audio x RTP/AVP\r\n");
        act.Should().Throw<SdpParseException>().WithMessage("*m= line*");
    }
}

[Category("Unit")]
public class RtpTests
{
    [Test]
    public void Packet_round_trips_and_non_rtp_is_refused()
    {
        var p = new RtpPacket(8, true, 65535, 0xDEADBEEF, 0x01020304, [1, 2, 3]);
        var back = RtpPacket.TryParse(p.ToBytes());
        back.Should().BeEquivalentTo(p);
        RtpPacket.TryParse(new byte[5]).Should().BeNull();
        RtpPacket.TryParse(new byte[12]).Should().BeNull("version 0 is not RTP");
    }

    [Test]
    public void Stats_count_loss_across_sequence_wrap_and_compute_jitter()
    {
        var s = new RtpReceiveStats();
        ushort seq = 65530;
        uint ts = 1000;
        long arrival = 50000;
        for (int i = 0; i < 20; i++, seq++, ts += 160)
        {
            arrival += 160 + (i % 2 == 0 ? 8 : -8);
            if (i is 5 or 6)
            {
                continue; // two lost across the wrap
            }

            s.Record(new RtpPacket(0, false, seq, ts, 7, []), arrival);
        }

        s.Received.Should().Be(18);
        s.Expected.Should().Be(20);
        s.Lost.Should().Be(2);
        s.Jitter.Should().BeInRange(1, 16);
    }

    [Test]
    public void RFC_4733_events_in_place_of_audio_count_as_received_not_lost_and_do_not_move_the_jitter()
    {
        // 10 audio packets, 5 telephone-event packets in the same sequence (a digit sent instead of the audio),
        // 5 audio packets: as FreeSWITCH relays a browser's DTMF to a native phone.
        var s = new RtpReceiveStats();
        s.RecordUntimed(99, 7); // before any audio: no source yet, ignored
        ushort seq = 100;
        uint ts = 0;
        long arrival = 1000;
        for (int i = 0; i < 20; i++, seq++, arrival += 160)
        {
            if (i is >= 10 and < 15)
            {
                s.RecordUntimed(seq, 7);
                continue;
            }

            s.Record(seq, ts, 7, arrival);
            ts += 160;
        }

        s.RecordUntimed(seq, 8); // another source: ignored, no restart
        s.Received.Should().Be(20);
        s.Expected.Should().Be(20);
        s.Lost.Should().Be(0, "the events were received, in their place in the sequence");
        s.Jitter.Should().BeLessThan(160, "only audio packets are timed; the gap the events left in the audio timestamps is one jump");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void G711_round_trip_error_is_small(bool muLaw)
    {
        for (int x = -32000; x <= 32000; x += 97)
        {
            var s = (short)x;
            var back = muLaw ? G711.MuLawToLinear(G711.LinearToMuLaw(s)) : G711.ALawToLinear(G711.LinearToALaw(s));
            Math.Abs(back - x).Should().BeLessThanOrEqualTo(Math.Max(16, Math.Abs(x) / 16), $"sample {x} came back as {back}");
        }
    }

    [Test]
    public void G711_known_code_points()
    {
        G711.LinearToMuLaw(0).Should().Be(0xFF);
        G711.MuLawToLinear(0xFF).Should().Be(0);
        G711.ALawToLinear(0xD5).Should().Be(8);
        G711.LinearToALaw(0).Should().Be(0xD5);
    }

    [Test]
    public void Rfc4733_event_round_trips_and_one_event_is_one_digit()
    {
        var e = new DtmfEvent(DtmfEvent.CodeOf('#'), true, 10, 800);
        DtmfEvent.TryParse(e.ToBytes()).Should().Be(e);
        e.Digit.Should().Be('#');
        var rx = new DtmfReceiver();
        var digits = new List<char>();
        foreach (var (ts, d) in new[] { (100u, '1'), (100u, '1'), (100u, '1'), (900u, '2'), (900u, '2') })
        {
            if (rx.Feed(new RtpPacket(101, false, 1, ts, 1, new DtmfEvent(DtmfEvent.CodeOf(d), false, 10, 160).ToBytes())) is { } c)
            {
                digits.Add(c);
            }
        }

        digits.Should().Equal('1', '2');
        var bad = () => DtmfEvent.CodeOf('x');
        bad.Should().Throw<ArgumentException>();
    }

    [Test]
    public void Opus_codec_round_trips_a_tone()
    {
        var codec = AudioCodec.Create("opus");
        float[] last = [];
        for (int f = 0; f < 10; f++)
        {
            var frame = Enumerable.Range(0, AudioCodec.FrameSamples).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 440 * ((f * AudioCodec.FrameSamples) + i) / AudioCodec.PcmRate))).ToArray();
            last = codec.Decode(codec.Encode(frame));
        }

        last.Should().HaveCount(AudioCodec.FrameSamples);
        Math.Sqrt(last.Average(x => x * x)).Should().BeGreaterThan(0.2);
    }
}
