using System.Buffers.Binary;
using WebRtcE2E.Fixtures.Media;

namespace WebRtcE2E.Fixtures.Tests.Media;

[Category("Unit")]
public class WavFileTests : TempDirectoryTest
{
    [Test]
    public void A_tone_survives_a_round_trip_within_one_16_bit_step()
    {
        var pcm = ToneGenerator.Sine(440, 0.5, TimeSpan.FromMilliseconds(250), 48000);
        var path = Path.Combine(Dir, "tone.wav");

        WavFile.Write(path, pcm, 48000);
        var (read, rate) = WavFile.Read(path);

        rate.Should().Be(48000);
        read.Should().HaveCount(pcm.Length);
        read.Zip(pcm, (a, b) => Math.Abs(a - b)).Max().Should().BeLessThan(1.5f / 32768);
        new FileInfo(path).Length.Should().Be(44 + (pcm.Length * 2));
        AudioProbe.Analyze(read, rate).RmsDbfs.Should().BeApproximately(-9.03, 0.05);
    }

    [Test]
    public void Full_scale_samples_are_clamped_not_wrapped()
    {
        var path = Path.Combine(Dir, "loud.wav");

        WavFile.Write(path, [1.5f, -1.5f, 1f, -1f], 8000);
        var (read, _) = WavFile.Read(path);

        read.Should().OnlyContain(x => Math.Abs(x) > 0.999f);
        read[0].Should().BePositive();
        read[1].Should().BeNegative();
    }

    [Test]
    public void A_file_that_is_not_a_wav_is_refused_by_name()
    {
        var path = Path.Combine(Dir, "notes.wav");
        File.WriteAllText(path, "this is not audio at all");

        var act = () => WavFile.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"{path} is not a RIFF/WAVE file");
    }

    [Test]
    public void A_file_shorter_than_a_header_is_refused()
    {
        var path = Path.Combine(Dir, "short.wav");
        File.WriteAllBytes(path, "RIFF"u8.ToArray());

        var act = () => WavFile.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*is not a RIFF/WAVE file");
    }

    [Test]
    public void Stereo_is_refused_with_the_format_found()
    {
        var path = Path.Combine(Dir, "stereo.wav");
        WavFile.Write(path, new float[8], 8000);
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(22), 2);
        File.WriteAllBytes(path, bytes);

        var act = () => WavFile.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*only 16-bit PCM mono is read here (format 1, 2 channels, 16 bits)");
    }

    [Test]
    public void A_data_chunk_longer_than_the_file_is_refused()
    {
        var path = Path.Combine(Dir, "cut.wav");
        WavFile.Write(path, new float[100], 8000);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..100]);

        var act = () => WavFile.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*chunk 'data' claims 200 bytes past the end of the file");
    }

    [Test]
    public void A_fmt_chunk_too_short_for_its_fields_is_refused()
    {
        var path = Path.Combine(Dir, "tiny-fmt.wav");
        var bytes = new byte[24];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 16);
        "WAVEfmt "u8.CopyTo(bytes.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), 4);
        File.WriteAllBytes(path, bytes);

        var act = () => WavFile.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*fmt chunk has 4 bytes; a PCM fmt chunk has at least 16");
    }

    [Test]
    public void A_wav_without_data_is_refused()
    {
        var path = Path.Combine(Dir, "nodata.wav");
        WavFile.Write(path, [], 8000);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..36]);

        var act = () => WavFile.Read(path);

        act.Should().Throw<InvalidDataException>().WithMessage("*no data chunk");
    }
}
