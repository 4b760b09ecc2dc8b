using System.Text;
using WebRtcE2E.Fixtures.EventSocket;

namespace WebRtcE2E.Fixtures.Tests.EventSocket;

[Category("Unit")]
public class EslEventTests
{
    [TestCaseSource(typeof(Captures), nameof(Captures.EslTranscripts))]
    public void Every_event_header_is_decoded_like_an_independent_url_decoder_would(string capture)
    {
        foreach (var frame in Captures.Frames(capture).Where(f => f.ContentType == "text/event-plain"))
        {
            var rawLines = frame.BodyText.Split('\n').Where(l => l.Length > 0).ToList();

            var e = EslEvent.FromFrame(frame);

            e.Headers.Should().HaveCount(rawLines.Count, "every header line of {0} in {1} is one header", e.EventName, capture);
            for (int i = 0; i < rawLines.Count; i++)
            {
                int colon = rawLines[i].IndexOf(':', StringComparison.Ordinal);
                e.Headers[i].Key.Should().Be(rawLines[i][..colon]);
                e.Headers[i].Value.Should().Be(Uri.UnescapeDataString(rawLines[i][(colon + 1)..].TrimStart(' ')));
            }

            e.Body.Should().BeNull("no event in the captures has a body of its own");
        }
    }

    [Test]
    public void Percent_encoded_values_of_the_tone_call_are_decoded()
    {
        var create = Captures.Events("esl-trunk-call-tone.txt")[0];

        create.EventName.Should().Be("CHANNEL_CREATE");
        create["Event-Date-GMT"].Should().Be("Sat, 28 Nov 2026 08:58:37 GMT");
        create["FreeSWITCH-IPv6"].Should().Be("fd00::2");
        create.ChannelName.Should().Be("sofia/external/probe@127.0.0.1");
        create.Variable("sip_full_from").Should().Be("<sip:probe@127.0.0.1>;tag=77drmoigjm");
        create.Variable("sip_full_via").Should().Be("SIP/2.0/WSS jchm95rcjhpi.invalid;branch=z9hG4bK4939477;received=127.0.0.1;rport=34690");
        create.Variable("switch_r_sdp").Should().StartWith("v=0\r\no=- 4785196724057356607 2 IN IP4 127.0.0.1\r\ns=-\r\n");
        create.Variable("sip_via_protocol").Should().Be("wss");
        create.CallId.Should().Be("pl01qfk4vfu4tslafqi4");
        create.UniqueId.Should().Be("90cb7698-6702-4e6c-902e-2518e2c6c0c3");
        create.DestinationNumber.Should().Be("07010002000");
        create.CallDirection.Should().Be("inbound");
        create.Sequence.Should().Be(524);
        create.Timestamp.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(1795856317046).AddTicks(8190));
        create.Timestamp!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture).Should().Be("2026-11-28 08:58:37");
    }

    [Test]
    public void Header_lookup_ignores_case_and_repeated_headers_are_all_kept()
    {
        var complete = Captures.Events("esl-trunk-call-tone.txt")[3];

        complete["unique-id"].Should().Be(complete.UniqueId);
        complete["VARIABLE_SIP_CALL_ID"].Should().Be("pl01qfk4vfu4tslafqi4");
        complete.GetAll("Hangup-Cause").Should().Equal("NORMAL_CLEARING", "NORMAL_CLEARING");
        complete["No-Such-Header"].Should().BeNull();
    }

    [Test]
    public void A_Call_ID_with_an_at_sign_is_decoded()
    {
        var complete = Captures.Events("esl-native-udp-call.txt").Single(e => e.EventName == "CHANNEL_HANGUP_COMPLETE");

        complete.CallId.Should().Be("1-26743@127.0.0.1");
    }

    [Test]
    public void The_hash_DTMF_digit_arrives_percent_encoded_and_is_decoded()
    {
        var digits = Captures.Events("esl-dtmf-rfc2833-and-info.txt").Where(e => e.EventName == "DTMF").Select(e => e.DtmfDigit);

        digits.Should().Equal("1", "2", "#", "3", "4");
    }

    [Test]
    public void Custom_sofia_register_events_have_their_subclass_decoded()
    {
        var register = Captures.Events("esl-register-and-originate.txt")[0];

        register.IsCustom("sofia::register").Should().BeTrue();
        register["status"].Should().Be("Registered(WSS-NAT)");
        register["contact"].Should().Be("\"\" <sip:9loo3jor@3or1n0db5n3r.invalid;transport=ws;fs_nat=yes;fs_path=sip:9loo3jor@127.0.0.1:40870;transport=wss>");
        register.UniqueId.Should().BeNull();
    }

    [Test]
    public void An_event_body_after_the_inner_Content_Length_is_kept_intact()
    {
        const string result = "+OK Jörg's result\n\nsecond paragraph after a blank line\n";
        int length = Encoding.UTF8.GetByteCount(result);
        var body = Encoding.UTF8.GetBytes($"Event-Name: BACKGROUND_JOB\nJob-UUID: 7f4de4bc-17d7-11dd-b7a0-db4edd065621\nJob-Command: status\nContent-Length: {length}\n\n{result}");

        var e = EslEvent.ParsePlain(body);

        e.EventName.Should().Be("BACKGROUND_JOB");
        e.JobUuid.Should().Be("7f4de4bc-17d7-11dd-b7a0-db4edd065621");
        e.Body.Should().Be(result);
    }

    [Test]
    public void An_event_body_shorter_than_its_inner_Content_Length_is_a_protocol_error()
    {
        var body = Encoding.UTF8.GetBytes("Event-Name: BACKGROUND_JOB\nContent-Length: 50\n\nshort");

        var act = () => EslEvent.ParsePlain(body, offset: 1234);

        act.Should().Throw<EventSocketProtocolException>()
            .WithMessage("event at byte 1234 (BACKGROUND_JOB): inner Content-Length 50 but only 5 body bytes follow (truncated body)");
    }

    [Test]
    public void An_event_line_without_a_colon_is_a_protocol_error()
    {
        var body = Encoding.UTF8.GetBytes("Event-Name: CHANNEL_CREATE\nUnique-ID 1234\n\n");

        var act = () => EslEvent.ParsePlain(body, offset: 77);

        act.Should().Throw<EventSocketProtocolException>().WithMessage("event at byte 77: line 2 \"Unique-ID 1234\" is not \"Name: value\"");
    }

    [Test]
    public void An_event_without_Event_Name_is_a_protocol_error()
    {
        var act = () => EslEvent.ParsePlain("Unique-ID: 1\n\n"u8);

        act.Should().Throw<EventSocketProtocolException>().WithMessage("*has no Event-Name header*");
    }

    [TestCase("100%25", "100%")]
    [TestCase("a%2", "a%2")]
    [TestCase("%zz%41", "%zzA")]
    [TestCase("caf%C3%A9", "café")]
    [TestCase("caf%c3%a9", "café")]
    [TestCase("a+b", "a+b")]
    [TestCase("", "")]
    public void Percent_decoding_follows_FreeSWITCH(string encoded, string decoded) =>
        EslEvent.PercentDecode(encoded).Should().Be(decoded);

    [Test]
    public void Json_events_are_read_flat_with_their_body()
    {
        var e = EslEvent.ParseJson("""{"Event-Name":"BACKGROUND_JOB","Job-UUID":"u-1","Content-Length":"6","_body":"+OK 1\n"}""");

        e.EventName.Should().Be("BACKGROUND_JOB");
        e.JobUuid.Should().Be("u-1");
        e.Body.Should().Be("+OK 1\n");
    }

    [Test]
    public void Json_that_is_not_an_event_is_a_protocol_error()
    {
        var act = () => EslEvent.ParseJson("[1,2]");

        act.Should().Throw<EventSocketProtocolException>().WithMessage("*text/event-json body is a Array, not an object");
    }
}
