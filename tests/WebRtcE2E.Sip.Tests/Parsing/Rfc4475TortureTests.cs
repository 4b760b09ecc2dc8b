using System.Text;
using WebRtcE2E.Sip.Parsing;

namespace WebRtcE2E.Sip.Tests.Parsing;

[Category("Unit")]
public class Rfc4475TortureTests
{
    [Test]
    public void All_49_messages_of_the_rfc_are_classified()
    {
        var files = Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "rfc4475"), "*.sip")
            .Select(Path.GetFileNameWithoutExtension);
        TortureTestData.Valid.Concat(TortureTestData.Invalid).Should().BeEquivalentTo(files);
        files.Should().HaveCount(49);
    }

    [TestCaseSource(typeof(TortureTestData), nameof(TortureTestData.Valid))]
    public void Valid_message_parses(string name)
    {
        var msg = SipMessageParser.Parse(TortureTestData.Bytes(name));
        msg.CallId.Should().NotBeEmpty();
        msg.Vias.Should().NotBeEmpty();
        // What we write must parse again to the same start line and Call-ID.
        var again = SipMessageParser.Parse(msg.ToBytes());
        again.StartLine.Should().Be(msg.StartLine);
        again.CallId.Should().Be(msg.CallId);
    }

    [TestCaseSource(typeof(TortureTestData), nameof(TortureTestData.Invalid))]
    public void Invalid_message_is_refused_with_a_clear_error(string name)
    {
        var act = () => SipMessageParser.Parse(TortureTestData.Bytes(name));
        var e = act.Should().Throw<SipParseException>().Which;
        e.What.Should().StartWith(ExpectedWhat[name], "the refusal must name what the RFC says is wrong");
        e.Message.Should().NotBeNullOrEmpty();
        TestContext.Out.WriteLine($"{name}: {e.Message}");
    }

    private static readonly Dictionary<string, string> ExpectedWhat = new()
    {
        ["badinv01"] = "Via", ["clerr"] = "Content-Length", ["ncl"] = "Content-Length", ["scalar02"] = "CSeq",
        ["scalarlg"] = "CSeq", ["quotbal"] = "To", ["ltgtruri"] = "Request-URI", ["lwsruri"] = "start line",
        ["lwsstart"] = "start line", ["trws"] = "start line", ["escruri"] = "Request-URI", ["baddate"] = "Date",
        ["regbadct"] = "Contact", ["badaspec"] = "To", ["baddn"] = "From", ["badvers"] = "SIP-Version",
        ["mismatch01"] = "CSeq", ["mismatch02"] = "CSeq", ["bigcode"] = "start line", ["insuf"] = "From",
        ["multi01"] = "", ["mcl01"] = "Content-Length",
    };

    [Test]
    public void Wsinv_values_are_those_the_rfc_states()
    {
        var msg = (SipRequest)SipMessageParser.Parse(TortureTestData.Bytes("wsinv"));
        msg.Method.Should().Be("INVITE");
        msg.Uri.User.Should().Be("vivekg");
        msg.Uri.Host.Should().Be("chair-dnrc.example.com");
        msg.Uri.Parameters.Has("unknownparam").Should().BeTrue();
        msg.To.Tag.Should().Be("1918181833n");
        msg.To.Uri.User.Should().Be("vivekg");
        msg.From.DisplayName.Should().Be("J Rosenberg \\\"");
        msg.From.Tag.Should().Be("98asjd8");
        SipGrammar.ParseBoundedNumber(msg["Max-Forwards"]!, 255, "mf").Should().Be(68);
        msg.CallId.Should().Be("wsinv.ndaksdj@192.0.2.1");
        msg.CSeq.Should().Be(new CSeq(9, "INVITE"));
        var vias = msg.Vias;
        vias.Select(v => (v.Transport, v.Host, v.Branch)).Should().Equal(
            ("UDP", "192.0.2.2", "390skdjuw"),
            ("TCP", "spindle.example.com", "z9hG4bK9ikj8"),
            ("UDP", "192.168.255.111", "z9hG4bK30239"));
        msg["Subject"].Should().Be("");
        msg["NewFangledHeader"].Should().Be("newfangled value continued newfangled value");
        msg["UnknownHeaderWithUnusualValue"].Should().Be(";;,,;;,;");
        msg["Content-Type"].Should().Be("application/sdp");
        var contact = msg.Contacts.Single();
        contact.DisplayName.Should().Be("Quoted string \"\"");
        contact.Uri.User.Should().Be("jdrosen");
        contact.Parameters["newparam"].Should().Be("newvalue");
        contact.Parameters.Has("secondparam").Should().BeTrue();
        contact.Parameters["q"].Should().Be("0.33");
        msg.Body.Should().HaveCount(150);
        msg.BodyText.Should().StartWith("v=0");
    }

    [Test]
    public void Intmeth_keeps_unusual_characters_as_the_rfc_states()
    {
        var msg = (SipRequest)SipMessageParser.Parse(TortureTestData.Bytes("intmeth"));
        msg.Method.Should().Be("!interesting-Method0123456789_*+`.%indeed'~");
        msg.Uri.User.Should().Be("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
        msg.Uri.Password.Should().Be("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
        msg.TopVia.Branch.Should().Be("z9hG4bK-.!%66*_+`'~");
        msg.To.DisplayName.Should().Be("BEL:\a NUL:\0 DEL:\x7F");
        msg.From.DisplayName.Should().Be("token1~` token2'+_ token3*%!.-");
        msg.From.Parameters["fromParam''~+*_!.-%"].Should().Be("работающий");
        msg.From.Tag.Should().Be("_token~1'+`*%!-.");
        msg.CallId.Should().Be("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
        msg.CSeq.Number.Should().Be(139122385);
        msg["extensionHeader-!.%*+_`'~"].Should().Be("\uFEFF大停電");
    }

    [Test]
    public void Escapes_decode_where_the_rfc_says_they_are_escapes()
    {
        var esc01 = (SipRequest)SipMessageParser.Parse(TortureTestData.Bytes("esc01"));
        esc01.Uri.User.Should().Be("sips:user@example.com");
        esc01.To.Uri.User.Should().Be("user");
        esc01.From.Uri.User.Should().Be("I have spaces");
        var c = esc01.Contacts.Single().Uri;
        c.User.Should().Be("caller");
        c.Parameters.Has("lr").Should().BeTrue();
        c.Parameters["name"].Should().Be("value%41");

        var escnull = SipMessageParser.Parse(TortureTestData.Bytes("escnull"));
        escnull.To.Uri.User.Should().Be("null-\0-null");
        escnull.Contacts.Select(x => x.Uri.User).Should().Equal("\0", "\0\0");

        var esc02 = (SipRequest)SipMessageParser.Parse(TortureTestData.Bytes("esc02"));
        esc02.Method.Should().Be("RE%47IST%45R");
        esc02.To.DisplayName.Should().Be("%Z%45");
        esc02.Contacts.Should().HaveCount(2, "C%6Fntact is an unknown header, not Contact");
        esc02["C%6Fntact"].Should().Be("<sip:alias2@host2.example.com>");
    }

    [Test]
    public void Datagram_with_trailing_octets_yields_only_the_first_request()
    {
        var msg = (SipRequest)SipMessageParser.Parse(TortureTestData.Bytes("dblreq"));
        msg.Method.Should().Be("REGISTER");
        msg.Body.Should().BeEmpty();
    }

    [Test]
    public void Semicolon_in_user_part_stays_in_the_user()
    {
        var msg = (SipRequest)SipMessageParser.Parse(TortureTestData.Bytes("semiuri"));
        msg.Uri.User.Should().Be("user;par=u@example.net");
        msg.Uri.Host.Should().Be("example.com");
        msg.Values("Accept").Should().HaveCount(6);
    }

    [Test]
    public void Responses_with_unusual_or_empty_reason_parse()
    {
        var unreason = (SipResponse)SipMessageParser.Parse(TortureTestData.Bytes("unreason"));
        unreason.Status.Should().Be(200);
        unreason.Reason.Should().Be("= 2**3 * 5**2 но сто девяносто девять - простое");
        var noreason = (SipResponse)SipMessageParser.Parse(TortureTestData.Bytes("noreason"));
        noreason.Status.Should().Be(100);
        noreason.Reason.Should().BeEmpty();
    }

    [Test]
    public void Unknown_schemes_are_kept_opaque()
    {
        var unkscm = (SipRequest)SipMessageParser.Parse(TortureTestData.Bytes("unkscm"));
        unkscm.Uri.Scheme.Should().Be("nobodyknowsthisscheme");
        unkscm.Uri.IsSip.Should().BeFalse();
    }

    [Test]
    public void Long_values_and_many_vias_parse()
    {
        var msg = SipMessageParser.Parse(TortureTestData.Bytes("longreq"));
        msg.Vias.Should().HaveCount(34);
        msg.To.Uri.Port.Should().Be(6000);
        Encoding.UTF8.GetString(msg.Body).Should().StartWith("v=0");
    }
}
