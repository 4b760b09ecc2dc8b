using System.Globalization;
using System.Text.Json;
using WebRtcE2E.Fixtures.Media;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Tests.EventSocket;

namespace WebRtcE2E.Fixtures.Tests.Verdicts;

/// <summary>
/// A jssip-*.json capture read as the phone's side of a call: its <c>log</c> lines give the <see cref="CallEnd"/>,
/// its <c>samples</c> an <see cref="AudioReport"/>.
/// </summary>
/// <remarks>
/// The samples are what the page measured every 250 ms with a WebAudio AnalyserNode: a level in dBFS and the
/// strongest frequency. They become one <see cref="AudioWindow"/> each, rather than synthesised PCM run through
/// <see cref="AudioProbe"/>: PCM made up to match the samples would only measure back what was put in, while the
/// windows carry exactly what the page saw. The tone level of a window is its level when the strongest frequency
/// lies within the probe's tolerance of the tone, else the floor. Offsets count from the first sample, which the
/// page takes when the call is confirmed (answer).
/// </remarks>
public sealed class JssipCapture
{
    private JssipCapture(IReadOnlyList<string> log, IReadOnlyList<(double T, double Dbfs, double PeakHz)> samples)
    {
        Log = log;
        Samples = samples;
    }

    /// <summary>The page's event lines.</summary>
    public IReadOnlyList<string> Log { get; }

    /// <summary>t (ms), level (dBFS), strongest frequency (Hz).</summary>
    public IReadOnlyList<(double T, double Dbfs, double PeakHz)> Samples { get; }

    /// <summary>Reads a capture from the test data.</summary>
    public static JssipCapture Load(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Captures.PathOf(name)));
        var log = doc.RootElement.GetProperty("log").EnumerateArray().Select(e => e.GetString()!).ToList();
        var samples = new List<(double, double, double)>();
        if (doc.RootElement.TryGetProperty("samples", out var s))
        {
            foreach (var e in s.EnumerateArray())
            {
                samples.Add((
                    e.GetProperty("t").GetDouble(),
                    double.Parse(e.GetProperty("dbfs").GetString()!, CultureInfo.InvariantCulture),
                    e.GetProperty("peakHz").GetDouble()));
            }
        }

        return new JssipCapture(log, samples);
    }

    /// <summary>
    /// The end as the page logged it: <c>ended remote Terminated Q.850;cause=16;…</c> (a BYE from FreeSWITCH) or
    /// <c>failed Busy 486</c> (a final error response).
    /// </summary>
    public CallEnd End(DateTimeOffset at)
    {
        var line = Log.LastOrDefault(l => l.StartsWith("ended ", StringComparison.Ordinal) || l.StartsWith("failed ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"the capture's log has no 'ended' or 'failed' line: {string.Join(" | ", Log)}");
        if (line.StartsWith("ended ", StringComparison.Ordinal))
        {
            // ended <originator> <cause> <Reason header>
            var parts = line.Split(' ', 4);
            var by = parts[1] == "remote" ? EndedBy.Remote : EndedBy.Local;
            return new CallEnd(by, null, null, parts.Length > 3 ? parts[3] : null, parts[2], at);
        }

        // failed <cause words…> <status>
        var rest = line["failed ".Length..];
        int space = rest.LastIndexOf(' ');
        return new CallEnd(EndedBy.Remote, int.Parse(rest[(space + 1)..], CultureInfo.InvariantCulture), null, null, rest[..space], at);
    }

    /// <summary>The analyser samples as an audio report tracking <paramref name="tones"/>.</summary>
    public AudioReport Heard(params double[] tones)
    {
        if (Samples.Count == 0)
        {
            return AudioReport.Empty(48000);
        }

        // The analyser's bins are ~11.7 Hz wide (48000 / 4096): its strongest frequency is a bin, so the tolerance is one bin.
        var options = AudioProbeOptions.Default with { Window = TimeSpan.FromMilliseconds(250), FrequencyToleranceHz = 12 };
        double t0 = Samples[0].T;
        var windows = Samples.Select(s =>
        {
            double level = Math.Max(Dbfs.Floor, s.Dbfs);
            var toneLevels = tones.Select(hz => Math.Abs(s.PeakHz - hz) <= options.FrequencyToleranceHz ? level : Dbfs.Floor).ToList();
            return new AudioWindow(TimeSpan.FromMilliseconds(s.T - t0), level, level, toneLevels);
        }).ToList();

        double power = windows.Average(w => Math.Pow(10, w.RmsDbfs / 10));
        var loudest = Samples.MaxBy(s => s.Dbfs);
        bool audible = loudest.Dbfs >= options.SilenceBelowDbfs;
        return new AudioReport(
            48000,
            TimeSpan.Zero,
            TimeSpan.FromMilliseconds(Samples[^1].T - t0) + options.Window,
            options,
            tones,
            windows,
            Dbfs.FromPower(power),
            windows.Max(w => w.PeakDbfs),
            audible ? loudest.PeakHz : 0,
            audible ? loudest.Dbfs : Dbfs.Floor,
            0);
    }
}
