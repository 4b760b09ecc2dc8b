using System.Text;
using WebRtcE2E.Fixtures.EventSocket;

namespace WebRtcE2E.Fixtures.Tests.EventSocket;

/// <summary>The FreeSWITCH 1.10.12 captures copied into TestData (see its README.md).</summary>
public static class Captures
{
    /// <summary>Every event socket transcript.</summary>
    public static readonly string[] EslTranscripts =
    [
        "esl-dtmf-rfc2833-and-info.txt",
        "esl-echo-and-busy.txt",
        "esl-native-udp-call.txt",
        "esl-no-candidate-acl.txt",
        "esl-register-and-originate.txt",
        "esl-trunk-call-tone.txt",
        "esl-udp-blocked-media-timeout.txt",
        "esl-udp-blocked.txt",
    ];

    /// <summary>Full path of a capture file in the test output.</summary>
    public static string PathOf(string name)
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "captures", "freeswitch-1.10.12", name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"capture {name} is not in the test output ({path}); TestData/** is copied by the test project", path);
        }

        return path;
    }

    /// <summary>The raw bytes of a capture (an event socket transcript is exactly what FreeSWITCH sent).</summary>
    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>The frames of a transcript, read by the code under test.</summary>
    public static IReadOnlyList<EslFrame> Frames(string name) => EslFrameReader.ReadAll(Bytes(name));

    /// <summary>The events of a transcript, read by the code under test.</summary>
    public static IReadOnlyList<EslEvent> Events(string name) =>
        Frames(name).Where(f => f.ContentType == "text/event-plain").Select(f => EslEvent.FromFrame(f)).ToList();

    /// <summary>
    /// Splits a transcript into raw frames without the code under test (an independent, simple reading of the
    /// same format: headers to the first blank line, then Content-Length bytes), for the fake server to replay.
    /// </summary>
    public static IReadOnlyList<(string ContentType, byte[] Raw)> RawFrames(string name)
    {
        var b = Bytes(name);
        var frames = new List<(string, byte[])>();
        int i = 0;
        while (i < b.Length)
        {
            int blank = b.AsSpan(i).IndexOf("\n\n"u8);
            var header = Encoding.ASCII.GetString(b, i, blank);
            int length = 0;
            string type = "";
            foreach (var line in header.Split('\n'))
            {
                if (line.StartsWith("Content-Length: ", StringComparison.Ordinal))
                {
                    length = int.Parse(line["Content-Length: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("Content-Type: ", StringComparison.Ordinal))
                {
                    type = line["Content-Type: ".Length..];
                }
            }

            int end = i + blank + 2 + length;
            frames.Add((type, b[i..end]));
            i = end;
        }

        return frames;
    }
}
