using System.Text;
using WebRtcE2E.Sip.Parsing;

namespace WebRtcE2E.Sip.Tests.Parsing;

[Category("Unit")]
public class ParserDetailTests
{
    private const string Head = "OPTIONS sip:[2001:db8::10]:5070;transport=tcp SIP/2.0\r\n";

    private static string Rest(string via = "Via: SIP/2.0/TCP [2001:db8::9:1]:5061;branch=z9hG4bKas3-111\r\n") =>
        via + "f: <sip:a@[2001:db8::1]>;tag=1\r\nt: sip:b@example.com\r\ni: c1\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n";

    [Test]
    public void Ipv6_references_parse_in_uri_and_via()
    {
        var msg = (SipRequest)SipMessageParser.Parse(Head + Rest());
        msg.Uri.Host.Should().Be("[2001:db8::10]");
        msg.Uri.Port.Should().Be(5070);
        msg.Uri.HostForSocket.Should().Be("2001:db8::10");
        msg.TopVia.Host.Should().Be("[2001:db8::9:1]");
        msg.TopVia.Port.Should().Be(5061);
        msg.From.Uri.Host.Should().Be("[2001:db8::1]");
    }

    [Test]
    public void Ipv6_without_brackets_is_refused()
    {
        var act = () => SipMessageParser.Parse("OPTIONS sip:2001:db8::10 SIP/2.0\r\n" + Rest());
        act.Should().Throw<SipParseException>().Which.What.Should().Be("Request-URI port");
        var badRef = () => SipUri.Parse("sip:[2001:db8::zz]");
        badRef.Should().Throw<SipParseException>().WithMessage("*not an IPv6 address*");
    }

    [Test]
    public void Compact_forms_map_to_long_names_and_lists_split()
    {
        var msg = SipMessageParser.Parse(Head + "v: SIP/2.0/UDP a.example;branch=z9hG4bK1, SIP/2.0/UDP b.example;branch=z9hG4bK2\r\n" + Rest("").Replace("l: 0", "m: <sip:x@a.example>, \"Q, R\" <sip:y@b.example>;q=0.5\r\nl: 0"));
        msg.Vias.Select(v => v.Host).Should().Equal("a.example", "b.example");
        msg.Contacts.Select(c => c.DisplayName).Should().Equal(null, "Q, R");
        msg["Content-Length"].Should().Be("0");
        msg["i"].Should().Be("c1");
    }

    [Test]
    public void Written_message_uses_long_names_and_the_real_content_length()
    {
        var req = new SipRequest("MESSAGE", SipUri.Parse("sip:b@127.0.0.1"));
        req.Add("v", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1").Add("f", "<sip:a@127.0.0.1>;tag=1").Add("t", "<sip:b@127.0.0.1>").Add("i", "x").Add("CSeq", "1 MESSAGE").Add("Content-Length", "999");
        req.Body = Encoding.UTF8.GetBytes("héllo");
        var text = Encoding.UTF8.GetString(req.ToBytes());
        text.Should().Contain("Via: ").And.Contain("Call-ID: x").And.Contain("Content-Length: 6\r\n\r\nhéllo");
        SipMessageParser.Parse(req.ToBytes()).BodyText.Should().Be("héllo");
    }

    [Test]
    public void Stream_framer_cuts_by_content_length_and_skips_keepalives()
    {
        var one = "MESSAGE sip:b@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: 1\r\nCSeq: 1 MESSAGE\r\nContent-Length: 5\r\n\r\nhello";
        var bytes = Encoding.UTF8.GetBytes("\r\n\r\n" + one + one.Replace("Call-ID: 1", "Call-ID: 2"));
        var framer = new SipStreamFramer();
        var got = new List<string>();
        foreach (var b in bytes.Chunk(7))
        {
            framer.Append(b);
            while (framer.TryTake() is { } m)
            {
                got.Add(SipMessageParser.Parse(m).CallId);
            }
        }

        got.Should().Equal("1", "2");
    }

    [Test]
    public void Stream_without_content_length_is_refused()
    {
        var framer = new SipStreamFramer();
        framer.Append("OPTIONS sip:h SIP/2.0\r\nCall-ID: x\r\n\r\n"u8);
        var act = () => framer.TryTake();
        act.Should().Throw<SipParseException>().Which.What.Should().Be("Content-Length");
    }
}
