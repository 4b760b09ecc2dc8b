using System.Text;
using WebRtcE2E.Fixtures.EventSocket;

namespace WebRtcE2E.Fixtures.Tests.EventSocket;

[Category("Unit")]
public class EslFrameReaderTests
{
    [TestCase("esl-dtmf-rfc2833-and-info.txt", 13, 6)]
    [TestCase("esl-echo-and-busy.txt", 12, 5)]
    [TestCase("esl-native-udp-call.txt", 9, 2)]
    [TestCase("esl-no-candidate-acl.txt", 11, 4)]
    [TestCase("esl-register-and-originate.txt", 13, 6)]
    [TestCase("esl-trunk-call-tone.txt", 11, 4)]
    [TestCase("esl-udp-blocked-media-timeout.txt", 9, 2)]
    [TestCase("esl-udp-blocked.txt", 8, 1)]
    public void Every_frame_of_a_transcript_is_read_and_the_bytes_add_up(string capture, int frames, int events)
    {
        var bytes = Captures.Bytes(capture);

        var read = EslFrameReader.ReadAll(bytes);

        read.Should().HaveCount(frames);
        read.Count(f => f.ContentType == "text/event-plain").Should().Be(events);
        read[0].ContentType.Should().Be("auth/request");
        read[1].ReplyText.Should().Be("+OK accepted");
        read[^2].ReplyText.Should().Be("+OK bye");
        read[^1].ContentType.Should().Be("text/disconnect-notice");
        read[^1].BodyText.Should().Be("Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n");
        read.Select(f => f.Index).Should().Equal(Enumerable.Range(0, frames));
        var raw = Captures.RawFrames(capture);
        read.Select(f => f.Offset).Should().Equal(raw.Select((_, i) => (long)raw.Take(i).Sum(r => r.Raw.Length)));
        foreach (var f in read.Where(f => f["Content-Length"] is not null))
        {
            f.Body.Length.Should().Be(int.Parse(f["Content-Length"]!, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Test]
    public void Api_response_bodies_are_kept_byte_for_byte()
    {
        var bytes = Captures.Bytes("esl-trunk-call-tone.txt");
        var text = Encoding.UTF8.GetString(bytes);

        var status = EslFrameReader.ReadAll(bytes)[2];

        status.ContentType.Should().Be("api/response");
        status.Body.Should().HaveCount(644);
        int start = text.IndexOf("Content-Length: 644\n\n", StringComparison.Ordinal) + "Content-Length: 644\n\n".Length;
        status.BodyText.Should().Be(text.Substring(start, 644));
        status.BodyText.Should().StartWith("                     Name\t   Type\t").And.EndWith("2 profiles 1 alias\n");
    }

    [Test]
    public void Feeding_one_byte_at_a_time_gives_the_same_frames_as_all_at_once()
    {
        var bytes = Captures.Bytes("esl-register-and-originate.txt");
        var reader = new EslFrameReader();
        var frames = new List<EslFrame>();

        foreach (var b in bytes)
        {
            reader.Feed([b]);
            while (reader.TryRead(out var f))
            {
                frames.Add(f);
            }
        }

        reader.Complete();
        var whole = EslFrameReader.ReadAll(bytes);
        frames.Select(f => (f.ContentType, f.Offset, Convert.ToHexString(f.Body)))
            .Should().Equal(whole.Select(f => (f.ContentType, f.Offset, Convert.ToHexString(f.Body))));
    }

    [TestCase("abc")]
    [TestCase("-5")]
    [TestCase("99999999999")]
    [TestCase("")]
    public void A_bad_Content_Length_is_a_protocol_error_naming_the_value(string length)
    {
        var bytes = Encoding.ASCII.GetBytes($"Content-Type: auth/request\n\nContent-Type: api/response\nContent-Length: {length}\n\nbody");

        var act = () => EslFrameReader.ReadAll(bytes);

        act.Should().Throw<EventSocketProtocolException>()
            .WithMessage($"event socket frame #1 at byte 28: bad Content-Length \"{length}\"*")
            .Which.Offset.Should().Be(28);
    }

    [Test]
    public void A_truncated_body_is_reported_with_how_much_arrived()
    {
        var bytes = Encoding.ASCII.GetBytes("Content-Type: api/response\nContent-Length: 644\n\n   Name\tType");

        var act = () => EslFrameReader.ReadAll(bytes);

        act.Should().Throw<EventSocketProtocolException>()
            .WithMessage("stream ended inside frame #0 at byte 0 (api/response): got 12 of its 644 body bytes (truncated body)");
    }

    [Test]
    public void A_header_line_without_a_colon_is_a_protocol_error()
    {
        var bytes = Encoding.ASCII.GetBytes("Content-Type: command/reply\nReply-Text +OK accepted\n\n");

        var act = () => EslFrameReader.ReadAll(bytes);

        act.Should().Throw<EventSocketProtocolException>()
            .WithMessage("event socket frame #0 at byte 0: header line 2 \"Reply-Text +OK accepted\" has no ':' (expected \"Name: value\")");
    }

    [Test]
    public void A_stream_that_ends_inside_the_headers_is_reported()
    {
        var bytes = Encoding.ASCII.GetBytes("Content-Type: auth/request\n\nContent-Type: command/re");

        var act = () => EslFrameReader.ReadAll(bytes);

        act.Should().Throw<EventSocketProtocolException>()
            .WithMessage("stream ended inside the headers of frame #1 at byte 28*\"Content-Type: command/re\"");
    }

    [Test]
    public void Two_different_Content_Lengths_are_refused()
    {
        var bytes = Encoding.ASCII.GetBytes("Content-Length: 3\nContent-Length: 4\n\nabcd");

        var act = () => EslFrameReader.ReadAll(bytes);

        act.Should().Throw<EventSocketProtocolException>().WithMessage("*two different Content-Length headers (3 and 4)*");
    }

    [Test]
    public void Garbage_without_a_blank_line_is_refused_once_it_exceeds_the_header_limit()
    {
        var reader = new EslFrameReader();
        reader.Feed(new byte[EslFrameReader.MaxHeaderBytes + 1].Select(_ => (byte)'x').ToArray());

        var act = () => reader.TryRead(out _);

        act.Should().Throw<EventSocketProtocolException>().WithMessage("*no blank line within 65536 bytes*");
    }

    [Test]
    public void Stray_blank_lines_between_frames_and_crlf_line_ends_are_tolerated()
    {
        var bytes = Encoding.ASCII.GetBytes("Content-Type: auth/request\n\n\n\nContent-Type: command/reply\r\nReply-Text: +OK accepted\r\n\r\n");

        var frames = EslFrameReader.ReadAll(bytes);

        frames.Select(f => f.ContentType).Should().Equal("auth/request", "command/reply");
        frames[1].ReplyText.Should().Be("+OK accepted");
    }
}
