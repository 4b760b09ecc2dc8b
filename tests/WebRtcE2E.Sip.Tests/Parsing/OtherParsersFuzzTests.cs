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
        for (int i = 0; i < Iterations; i++)
        {
            var text = MutateText(seed, rng);
            try
            {
                var s = SdpSession.Parse(text);
                _ = SdpOfferAnswer.Answer(s, ["PCMU", "opus"]);
            }
            catch (SdpParseException)
            {
            }
        }
    }

    [Test]
    public void Digest_challenge_parser_only_parses_or_throws_SipParseException()
    {
        const string seed = "Digest realm=\"a\", nonce=\"b\", qop=\"auth,auth-int\", algorithm=SHA-256, opaque=\"c\", stale=FALSE";
        var rng = new Random(7616);
        for (int i = 0; i < Iterations; i++)
        {
            try
            {
                DigestChallenge.Parse(MutateText(seed, rng));
            }
            catch (SipParseException)
            {
            }
        }
    }

    [Test]
    public void Rtp_and_telephone_event_parsers_never_throw()
    {
        var rng = new Random(3550);
        for (int i = 0; i < Iterations; i++)
        {
            var b = new byte[rng.Next(0, 80)];
            rng.NextBytes(b);
            if (b.Length > 0 && rng.Next(2) == 0)
            {
                b[0] = (byte)(0x80 | (b[0] & 0x3F));
            }

            _ = RtpPacket.TryParse(b);
            _ = DtmfEvent.TryParse(b);
        }
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
