using System.Text;
using WebRtcE2E.Sip.Media;
using WebRtcE2E.Sip.Parsing;
using WebRtcE2E.Sip.Sdp;

namespace WebRtcE2E.Sip.Tests.Parsing;

/// <summary>The other parsers that read network input: SDP, digest challenges, RTP and RFC 4733 payloads.</summary>
[Category("Unit")]
public class OtherParsersFuzzTests
{
    private const int Iterations = 5000;

    [Test]
    public void Sdp_parser_only_parses_or_throws_SdpParseException()
    {
        var seed = SdpSession.Write(1, 1, "127.0.0.1", 4000, SdpOfferAnswer.OfferFormats(["PCMU", "PCMA", "opus"]), MediaDirection.SendOnly);
        var rng = new Random(3264);
        var tally = new FuzzTally("SDP");
        for (int i = 0; i < Iterations; i++)
        {
            var text = MutateText(seed, rng);
            tally.Parse<SdpParseException>(() => _ = SdpOfferAnswer.Answer(SdpSession.Parse(text), ["PCMU", "opus"]));
        }

        tally.ShouldHaveParsedAndRefused(Iterations);
    }

    [Test]
    public void Digest_challenge_parser_only_parses_or_throws_SipParseException()
    {
        const string seed = "Digest realm=\"a\", nonce=\"b\", qop=\"auth,auth-int\", algorithm=SHA-256, opaque=\"c\", stale=FALSE";
        var rng = new Random(7616);
        var tally = new FuzzTally("digest challenge");
        for (int i = 0; i < Iterations; i++)
        {
            var text = MutateText(seed, rng);
            tally.Parse<SipParseException>(() => DigestChallenge.Parse(text));
        }

        tally.ShouldHaveParsedAndRefused(Iterations);
    }

    [Test]
    public void Rtp_and_telephone_event_parsers_never_throw()
    {
        var rng = new Random(3550);
        var (rtp, dtmf) = (new FuzzTally("RTP"), new FuzzTally("RFC 4733 event"));
        for (int i = 0; i < Iterations; i++)
        {
            var b = new byte[rng.Next(0, 80)];
            rng.NextBytes(b);
            if (b.Length > 0 && rng.Next(2) == 0)
            {
                b[0] = (byte)(0x80 | (b[0] & 0x3F));
            }

            rtp.Count(RtpPacket.TryParse(b) is not null);
            dtmf.Count(DtmfEvent.TryParse(b) is not null);
        }

        rtp.ShouldHaveParsedAndRefused(Iterations);
        dtmf.ShouldHaveParsedAndRefused(Iterations);
    }

    private static string MutateText(string seed, Random rng)
    {
        var chars = seed.ToCharArray();
        int flips = rng.Next(1, 6);
        for (int i = 0; i < flips; i++)
        {
            chars[rng.Next(chars.Length)] = "=\", :/\r\n0a9-\\"[rng.Next(13)];
        }

        var s = new string(chars);
        return rng.Next(3) == 0 ? s[..rng.Next(s.Length)] : s;
    }
}
