using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.Media;

namespace WebRtcE2E.Fixtures.Tests.Evidence;

/// <summary>The audio plot of a generated report: a tone after half a second of silence, then silence again.</summary>
[Category("Unit")]
public class AudioPlotTests
{
    private const int Rate = 16000;

    /// <summary>0.5 s silence, 1.5 s of 1000 Hz at -13 dBFS, 1 s silence.</summary>
    public static AudioReport ToneThenSilence() =>
        AudioProbe.Analyze(
            ToneGenerator.Concat(
                ToneGenerator.Silence(TimeSpan.FromSeconds(0.5), Rate),
                ToneGenerator.Sine(1000, ToneGenerator.AmplitudeFor(-13), TimeSpan.FromSeconds(1.5), Rate),
                ToneGenerator.Silence(TimeSpan.FromSeconds(1), Rate)),
            Rate,
            expectedTones: [1000]);

    [Test]
    public void Summary_gives_the_tone_level_share_and_first_time()
    {
        AudioPlot.Summary(ToneThenSilence(), 1000).Should().Be("heard 1000 Hz at -13.0 dBFS in 50% of windows, first at 0.50 s");
        AudioPlot.Summary(AudioProbe.Analyze(ToneGenerator.Silence(TimeSpan.FromSeconds(1.5), Rate), Rate, expectedTones: [1000]), 1000)
            .Should().Be("silence: -120.0 dBFS for 1.50 s");
    }

    [Test]
    public void Plot_is_a_valid_png_of_the_asked_size_with_both_series_drawn()
    {
        var png = AudioPlot.RenderPng(ToneThenSilence(), "browser-A", 1000);

        png.AsSpan(0, 8).ToArray().Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        var (width, height, rgb) = Decode(png);
        width.Should().Be(AudioPlot.DefaultWidth);
        height.Should().Be(AudioPlot.DefaultHeight);

        int Count(uint color) => Enumerable.Range(0, width * height).Count(i => ((uint)rgb[i * 3] << 16 | (uint)rgb[(i * 3) + 1] << 8 | rgb[(i * 3) + 2]) == color);
        Count(0x1F5FBF).Should().BeGreaterThan(500, "the level series is drawn");
        Count(0xE07000).Should().BeGreaterThan(200, "the tone series is drawn");
        Count(0xC02020).Should().BeGreaterThan(200, "the silence threshold is drawn");
        Count(0x2E8B57).Should().BeGreaterThan(300, "the answer line is drawn");
        Count(0x202020).Should().BeGreaterThan(500, "the title text is drawn");
    }

    [Test]
    public void Plot_of_an_empty_report_still_renders()
    {
        var (width, height, _) = Decode(AudioPlot.RenderPng(AudioReport.Empty(), "native-B", width: 400, height: 240));

        (width, height).Should().Be((400, 240));
    }

    /// <summary>
    /// Reads a PNG the way a viewer would, checking every chunk's CRC with a bitwise CRC-32 (not the encoder's table):
    /// IHDR, the inflated IDAT rows (filter byte 0 then RGB), IEND.
    /// </summary>
    private static (int Width, int Height, byte[] Rgb) Decode(byte[] png)
    {
        int pos = 8, width = 0, height = 0;
        using var idat = new MemoryStream();
        while (pos < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            var type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            BitwiseCrc(png.AsSpan(pos + 4, length + 4)).Should().Be(crc, $"the CRC of {type} must be right");
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                data[8].Should().Be(8);
                data[9].Should().Be(2);
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            pos += 12 + length;
            if (type == "IEND")
            {
                break;
            }
        }

        pos.Should().Be(png.Length, "IEND ends the file");
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var bytes = raw.ToArray();
        bytes.Length.Should().Be(height * ((width * 3) + 1));
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            bytes[y * ((width * 3) + 1)].Should().Be(0);
            Array.Copy(bytes, (y * ((width * 3) + 1)) + 1, rgb, y * width * 3, width * 3);
        }

        return (width, height, rgb);
    }

    private static uint BitwiseCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
            }
        }

        return ~crc;
    }
}
