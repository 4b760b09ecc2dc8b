using System.Text;
using System.Xml.Linq;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Tests.EventSocket;

namespace WebRtcE2E.Fixtures.Tests.Evidence;

/// <summary>FreeSWITCH's siptrace from a real log, merged with a phone's own trace into one ladder.</summary>
[Category("Unit")]
public class SipLadderTests
{
    private const string BusyCallId = "r1qbque4kkon061ab9q3";
    private const string EchoCallId = "nnk3953vncghfafleng5";

    private static IReadOnlyList<SipTraceEntry> FreeSwitchTrace() =>
        FreeSwitchSipTrace.Parse(File.ReadAllText(Captures.PathOf("freeswitch-log-echo-call-siptrace.txt")));

    /// <summary>
    /// What the browser would have recorded of the busy call: the same messages, sent 1 ms before FreeSWITCH
    /// logged their arrival or received 1 ms after FreeSWITCH sent them.
    /// </summary>
    private static List<SipTraceEntry> PhoneTraceOfBusyCall() =>
        FreeSwitchTrace()
            .Where(e => SipText.CallId(e.Text) == BusyCallId)
            .Select(e => e.Direction == TraceDirection.Received
                ? new SipTraceEntry(e.At.AddMilliseconds(-1), TraceDirection.Sent, "wss", "browser", "127.0.0.1:7444", e.Text)
                : new SipTraceEntry(e.At.AddMilliseconds(1), TraceDirection.Received, "wss", "browser", "127.0.0.1:7444", e.Text))
            .ToList();

    [Test]
    public void Siptrace_capture_parses_into_each_message_with_direction_time_and_exact_size()
    {
        var trace = FreeSwitchTrace();

        trace.Select(e => (e.Direction, e.FirstLine)).Should().Equal(
            (TraceDirection.Received, "INVITE sip:07010002486@127.0.0.1 SIP/2.0"),
            (TraceDirection.Sent, "SIP/2.0 100 Trying"),
            (TraceDirection.Sent, "SIP/2.0 486 Busy Here"),
            (TraceDirection.Received, "ACK sip:07010002486@127.0.0.1 SIP/2.0"),
            (TraceDirection.Received, "INVITE sip:07010002001@127.0.0.1 SIP/2.0"),
            (TraceDirection.Sent, "SIP/2.0 100 Trying"));

        // sofia-sip logs the byte count of each message: the rebuilt text (CRLF line ends) must have exactly that many.
        trace.Select(e => Encoding.UTF8.GetByteCount(e.Text)).Should().Equal(2215, 316, 686, 409, 2215, 316);
        trace[0].At.Should().Be(new DateTimeOffset(2026, 11, 28, 8, 59, 15, TimeSpan.Zero).AddTicks(1592090));
        trace[0].Transport.Should().Be("wss");
        trace[0].Remote.Should().Be("127.0.0.1:48842");
        trace[4].Remote.Should().Be("127.0.0.1:54182");
        trace[0].Text.Should().Contain("\r\n\r\nv=0\r\n").And.EndWith("msid:4664a513-4dbe-4d72-adbe-666ea739d682 45ed607c-634d-4f92-92c8-7f807400dd46\r\n");
        SipText.CallId(trace[2].Text).Should().Be(BusyCallId);
        SipText.Header(trace[2].Text, "Reason").Should().Be("Q.850;cause=17;text=\"USER_BUSY\"");
    }

    [Test]
    public void A_message_seen_at_both_ends_is_drawn_once_and_one_only_freeswitch_saw_gets_its_own_column()
    {
        var ladder = SipLadder.Build([new LadderSide("browser", PhoneTraceOfBusyCall())], FreeSwitchTrace());

        ladder.Parties.Should().Equal("browser", SipLadder.FreeSwitchName, "wss 127.0.0.1:54182");
        ladder.Arrows.Should().HaveCount(6);
        var busy = ladder.Arrows.Where(a => a.CallId == BusyCallId).ToList();
        busy.Select(a => (a.From, a.To, a.FirstLine)).Should().Equal(
            ("browser", "FreeSWITCH", "INVITE sip:07010002486@127.0.0.1 SIP/2.0"),
            ("FreeSWITCH", "browser", "SIP/2.0 100 Trying"),
            ("FreeSWITCH", "browser", "SIP/2.0 486 Busy Here"),
            ("browser", "FreeSWITCH", "ACK sip:07010002486@127.0.0.1 SIP/2.0"));
        busy.Should().AllSatisfy(a =>
        {
            a.SeenBy.Should().BeEquivalentTo("browser", "FreeSWITCH");
            a.Transit.Should().Be(TimeSpan.FromMilliseconds(1));
        });
        busy[0].Offset.Should().Be(TimeSpan.Zero);
        busy[0].CSeq.Should().Be("6725 INVITE");
        busy[3].Offset.Should().Be(TimeSpan.FromMilliseconds(26.411), "FreeSWITCH logged the ACK 26.411 ms after the INVITE and the phone sent both 1 ms earlier");
        ladder.Arrows.Where(a => a.CallId == EchoCallId).Should().AllSatisfy(a => a.SeenBy.Should().Equal("FreeSWITCH"));
    }

    [Test]
    public void Ladder_keeps_only_the_call_ids_asked_for()
    {
        var ladder = SipLadder.Build([new LadderSide("browser", PhoneTraceOfBusyCall())], FreeSwitchTrace(), [EchoCallId]);

        ladder.Arrows.Select(a => a.FirstLine).Should().Equal("INVITE sip:07010002001@127.0.0.1 SIP/2.0", "SIP/2.0 100 Trying");
        ladder.Arrows.Should().AllSatisfy(a => a.To.Should().NotBe("browser"));
    }

    [Test]
    public void Ladder_html_is_self_contained_well_formed_and_shows_sip_markup_as_text()
    {
        var phone = PhoneTraceOfBusyCall();
        var hostile = "MESSAGE sip:07010002486@127.0.0.1 SIP/2.0\r\nCall-ID: " + BusyCallId + "\r\nCSeq: 6726 MESSAGE\r\n" +
            "Content-Type: text/html\r\nContent-Length: 45\r\n\r\n<script>alert('owned')</script><b>&amp;</b>\r\n";
        phone.Add(new SipTraceEntry(phone[^1].At.AddMilliseconds(5), TraceDirection.Sent, "wss", "browser", "127.0.0.1:7444", hostile));
        var ladder = SipLadder.Build([new LadderSide("browser <1000>", phone)], FreeSwitchTrace());

        var html = ladder.ToHtml("Busy_call_ends_with_486 <\"quoted\">");

        foreach (var a in ladder.Arrows)
        {
            html.Should().Contain(System.Net.WebUtility.HtmlEncode(a.FirstLine));
        }

        html.Should().NotContain("<script>alert").And.Contain("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;&lt;b&gt;&amp;amp;&lt;/b&gt;");
        html.Should().Contain("browser &lt;1000&gt;").And.Contain("Busy_call_ends_with_486 &lt;&quot;quoted&quot;&gt;");
        System.Text.RegularExpressions.Regex.Matches(html, "<script", System.Text.RegularExpressions.RegexOptions.IgnoreCase).Should().HaveCount(1, "only the page's own expand-all script");
        html.Should().NotContainAny(["<link", " src=", "@import", "url("]);

        // Well-formed enough for an XML parser, so any browser opens it as intended.
        var doc = XDocument.Parse(html.Replace("<!DOCTYPE html>", string.Empty, StringComparison.Ordinal));
        doc.Descendants("details").Should().HaveCount(ladder.Arrows.Count);
        doc.Descendants("details").Select(d => d.Element("summary")!.Value).Should().Contain(s => s.Contains("MESSAGE sip:07010002486@127.0.0.1 SIP/2.0"));
    }

    [Test]
    public void A_bridged_call_puts_each_leg_between_its_phone_and_freeswitch()
    {
        var t0 = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        static string Msg(string firstLine, string callId, string cseq) => $"{firstLine}\r\nCall-ID: {callId}\r\nCSeq: {cseq}\r\nContent-Length: 0\r\n\r\n";
        var inviteA = Msg("INVITE sip:1001@127.0.0.1 SIP/2.0", "leg-a", "1 INVITE");
        var inviteB = Msg("INVITE sip:1001@b.invalid;transport=ws SIP/2.0", "leg-b", "7 INVITE");
        var ringingB = Msg("SIP/2.0 180 Ringing", "leg-b", "7 INVITE");
        var ringingA = Msg("SIP/2.0 180 Ringing", "leg-a", "1 INVITE");
        SipTraceEntry At(int ms, TraceDirection d, string who, string text) => new(t0.AddMilliseconds(ms), d, "wss", who, "127.0.0.1:7443", text);
        var phoneA = new[] { At(0, TraceDirection.Sent, "A", inviteA), At(40, TraceDirection.Received, "A", ringingA) };
        var phoneB = new[] { At(12, TraceDirection.Received, "B", inviteB), At(20, TraceDirection.Sent, "B", ringingB) };
        var freeSwitch = new[]
        {
            At(2, TraceDirection.Received, FreeSwitchSipTrace.LocalName, inviteA),
            At(10, TraceDirection.Sent, FreeSwitchSipTrace.LocalName, inviteB),
            At(22, TraceDirection.Received, FreeSwitchSipTrace.LocalName, ringingB),
            At(30, TraceDirection.Sent, FreeSwitchSipTrace.LocalName, ringingA),
        };

        var ladder = SipLadder.Build([new LadderSide("A", phoneA), new LadderSide("B", phoneB)], freeSwitch);

        ladder.Parties.Should().Equal("A", "B", SipLadder.FreeSwitchName);
        ladder.Arrows.Select(a => (a.From, a.To, a.FirstLine, a.Offset.TotalMilliseconds, a.Transit!.Value.TotalMilliseconds)).Should().Equal(
            ("A", "FreeSWITCH", "INVITE sip:1001@127.0.0.1 SIP/2.0", 0d, 2d),
            ("FreeSWITCH", "B", "INVITE sip:1001@b.invalid;transport=ws SIP/2.0", 10d, 2d),
            ("B", "FreeSWITCH", "SIP/2.0 180 Ringing", 20d, 2d),
            ("FreeSWITCH", "A", "SIP/2.0 180 Ringing", 30d, 10d));
    }

    [Test]
    public void Two_phones_with_the_same_name_are_refused()
    {
        var act = () => SipLadder.Build([new LadderSide("A", []), new LadderSide("A", [])]);

        act.Should().Throw<ArgumentException>().WithMessage("*own name*A, A*");
    }
}
