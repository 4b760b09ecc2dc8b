using WebRtcE2E.Fixtures.Media;

namespace WebRtcE2E.Fixtures.Tests.Browser;

/// <summary>The detector that finds RFC 4733 digits Chromium plays into the browser phone's received audio.</summary>
[Category("Unit")]
[Category("Browser")]
public sealed class DtmfDetectorTests
{
    private const int Rate = 16000;

    private static readonly Dictionary<char, (double Row, double Column)> Keys = new()
    {
        ['1'] = (697, 1209), ['5'] = (770, 1336), ['9'] = (852, 1477), ['#'] = (941, 1477),
        ['0'] = (941, 1336), ['*'] = (941, 1209), ['D'] = (941, 1633),
    };

    private static float[] Digit(char d, TimeSpan length, double dbfsEach = -12)
    {
        var amplitude = ToneGenerator.AmplitudeFor(dbfsEach);
        var row = ToneGenerator.Sine(Keys[d].Row, amplitude, length, Rate);
        var col = ToneGenerator.Sine(Keys[d].Column, amplitude, length, Rate);
        return row.Zip(col, (x, y) => x + y).ToArray();
    }

    private static float[] Gap(int ms) => ToneGenerator.Silence(TimeSpan.FromMilliseconds(ms), Rate);

    [Test]
    public void Finds_digits_of_120_ms_with_100_ms_gaps_in_order()
    {
        var pcm = ToneGenerator.Concat(Gap(200), Digit('1', TimeSpan.FromMilliseconds(120)), Gap(100), Digit('5', TimeSpan.FromMilliseconds(120)), Gap(100),
            Digit('9', TimeSpan.FromMilliseconds(120)), Gap(100), Digit('#', TimeSpan.FromMilliseconds(120)), Gap(200));
        var found = DtmfDetector.Detect(pcm, Rate);
        new string(found.Select(f => f.Digit).ToArray()).Should().Be("159#");
        found[0].Offset.TotalMilliseconds.Should().BeApproximately(200, 20);
        found[0].Duration.TotalMilliseconds.Should().BeApproximately(120, 30);
    }

    [Test]
    public void Fed_in_40_ms_pieces_finds_the_same_digits_as_at_once()
    {
        var pcm = ToneGenerator.Concat(Digit('0', TimeSpan.FromMilliseconds(80)), Gap(60), Digit('*', TimeSpan.FromMilliseconds(80)), Gap(60), Digit('D', TimeSpan.FromMilliseconds(80)), Gap(60));
        var detector = new DtmfDetector(Rate);
        var found = new List<DtmfDigit>();
        for (int i = 0; i < pcm.Length; i += 640)
        {
            found.AddRange(detector.Feed(pcm.AsSpan(i, Math.Min(640, pcm.Length - i))));
        }

        found.AddRange(detector.Flush());
        new string(found.Select(f => f.Digit).ToArray()).Should().Be("0*D");
    }

    [Test]
    public void A_held_digit_counts_once_and_a_repeated_digit_twice()
    {
        var pcm = ToneGenerator.Concat(Digit('5', TimeSpan.FromMilliseconds(600)), Gap(80), Digit('5', TimeSpan.FromMilliseconds(100)));
        new string(DtmfDetector.Detect(pcm, Rate).Select(f => f.Digit).ToArray()).Should().Be("55");
    }

    [Test]
    public void Single_tones_noise_and_short_blips_are_not_digits()
    {
        var pcm = ToneGenerator.Concat(
            ToneGenerator.Sine(440, 0.5, TimeSpan.FromSeconds(1), Rate),
            ToneGenerator.Sine(697, 0.5, TimeSpan.FromMilliseconds(300), Rate),
            ToneGenerator.WhiteNoise(0.2, TimeSpan.FromSeconds(1), Rate),
            Digit('1', TimeSpan.FromMilliseconds(15)),
            Gap(100));
        DtmfDetector.Detect(pcm, Rate).Should().BeEmpty();
    }

    [Test]
    public void A_digit_over_a_quieter_tone_is_still_found_but_one_below_the_floor_is_not()
    {
        var background = ToneGenerator.Sine(2000, ToneGenerator.AmplitudeFor(-24), TimeSpan.FromMilliseconds(300), Rate);
        var digit = Digit('9', TimeSpan.FromMilliseconds(300)).Zip(background, (x, y) => x + y).ToArray();
        new string(DtmfDetector.Detect(digit, Rate).Select(f => f.Digit).ToArray()).Should().Be("9");

        DtmfDetector.Detect(Digit('9', TimeSpan.FromMilliseconds(300), dbfsEach: -55), Rate).Should().BeEmpty();
    }
}
