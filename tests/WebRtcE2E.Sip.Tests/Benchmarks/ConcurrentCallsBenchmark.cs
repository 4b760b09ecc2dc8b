using System.Diagnostics;
using System.Globalization;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Native;
using WebRtcE2E.Lab;

namespace WebRtcE2E.Sip.Tests.Benchmarks;

/// <summary>
/// How many simultaneous native calls this machine holds against a SIPp UAS with -rtp_echo on loopback, every
/// call's echo verified. The calls ramp up step by step and stay up (each step adds calls); per step it measures,
/// over the same window, each call's packet loss and its received audio (level and the echoed tone, by the
/// call's streaming <see cref="NativeCall.Meter"/>), and the CPU of this process and of SIPp. A step holds when
/// every call is answered, every call hears its echo, loss is under 1% overall and under 5% on the worst call.
/// A benchmark: it asserts only sanity, never a speed, and is Inconclusive when a figure it prints could not be
/// measured. It prints one line through TestContext.Progress:
/// <c>native load: N concurrent calls held, X% loss, V/N verified, C% of a core (SIPp: S% of a core)</c>.
/// </summary>
[Category("Benchmark")]
[Category("Lab")]
[Category("Native")]
[Explicit("benchmark: prints figures, run on purpose")]
public class ConcurrentCallsBenchmark
{
    private const double Tone = 440;
    private const double MaxLossPct = 1;
    private const double MaxWorstLossPct = 5;
    private static readonly int[] Steps = [100, 200, 300, 400, 500, 600];
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(150);

    // Calls are placed at 50 per second, as a SIPp load run would (-r 50): a burst of hundreds of INVITEs in
    // one instant makes responses miss T1, and SIPp's built-in uas aborts a call on a retransmitted INVITE.
    private static readonly TimeSpan DialInterval = TimeSpan.FromMilliseconds(20);

    [Test]
    [CancelAfter(240000)]
    public async Task Concurrent_calls_against_sipp_echo(CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("sipp-bench-").FullName;
        int media = SippProcess.FreePort(4);
        int sipPort = SippProcess.FreePort();
        await using var sipp = await SippProcess.StartAsync(
            ["-sn", "uas", "-rtp_echo", "-mp", media.ToString(CultureInfo.InvariantCulture), "-i", "127.0.0.1", "-p", sipPort.ToString(CultureInfo.InvariantCulture), "-t", "u1", "-nostdin", "-trace_stat", "-stf", "stats.csv", "-fd", "1", "-max_recv_loops", "5000", "-trace_err"],
            sipPort,
            "u",
            work,
            TimeSpan.FromSeconds(5),
            ct);
        await using var phone = await NativePhone.CreateAsync(
            new NativePhoneOptions
            {
                Name = "bench",
                ToneHz = Tone,
                Codecs = ["PCMU"],
                AnswerTimeout = TimeSpan.FromSeconds(20),
                MeteredTones = [Tone],
                ReceivedAudioRetention = TimeSpan.FromSeconds(2),
            },
            ct);

        var total = Stopwatch.StartNew();
        int notEnded = 0;
        bool sippCounted = false;
        string? heldLine = null;
        var calls = new List<NativeCall>();
        var lines = new List<string> { "calls | answered | echo verified | loss % | worst call loss % | jitter ms (mean) | our CPU % of a core (per call) | SIPp CPU % (per call) | clock late ms mean/max, run ms mean | UDP drops SIPp/ours | SIPp current/successful/failed" };
        TestContext.Progress.WriteLine(lines[0]);
        try
        {
            foreach (var n in Steps)
            {
                if (total.Elapsed > Budget)
                {
                    lines.Add($"stopped: time budget {Budget.TotalSeconds:0} s spent");
                    break;
                }

                var added = new List<NativeCall>();
                while (calls.Count + added.Count < n)
                {
                    added.Add((NativeCall)await phone.DialAsync($"sip:bench{calls.Count + added.Count}@127.0.0.1:{sipPort}", ct: ct));
                    await Task.Delay(DialInterval, ct);
                }

                var answers = await Task.WhenAll(added.Select(async c =>
                {
                    try
                    {
                        await c.AnsweredAsync(ct: ct);
                        return true;
                    }
                    catch (Exception e) when (e is CallEndedException or TimeoutException)
                    {
                        return false;
                    }
                }));
                calls.AddRange(added);
                foreach (var c in added.Where((c, i) => !answers[i]).Take(3))
                {
                    TestContext.Out.WriteLine($"unanswered {c.CallId}: {(c.Sip.Ended.IsCompleted ? c.Sip.Ended.Result.ToString() : "still pending")}");
                }

                await Task.Delay(Settle, ct); // a measurement window, not a synchronisation: the audio of the window is what is measured
                var up = calls.Where(c => c.Sip.Answered.IsCompletedSuccessfully && !c.Sip.Ended.IsCompleted).ToList();
                var before = up.Select(c => (c.Media.Stats.Received, c.Media.Stats.Lost, Meter: c.Meter.Read())).ToList();
                var ourPorts = up.Select(c => c.Media.LocalEndPoint.Port).ToHashSet();
                long sippDrops0 = UdpDrops(new HashSet<int> { media }), ourDrops0 = UdpDrops(ourPorts);
                var ourCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sippCpu0 = SippCpu(sipp.Pid);
                var clock0 = WebRtcE2E.Sip.Media.MediaClock.Shared.Stats;
                var wall = Stopwatch.StartNew();
                await Task.Delay(Window, ct); // the measurement window itself
                var after = up.Select(c => (c.Media.Stats.Received, c.Media.Stats.Lost, Meter: c.Meter.Read(), c.Media.Stats.Jitter)).ToList();
                double seconds = wall.Elapsed.TotalSeconds;
                double cpuOur = (Process.GetCurrentProcess().TotalProcessorTime - ourCpu0).TotalSeconds / seconds * 100;
                double cpuSipp = (SippCpu(sipp.Pid) - sippCpu0) / seconds * 100;
                var clock = WebRtcE2E.Sip.Media.MediaClock.Shared.Stats;
                long sippDrops = UdpDrops(new HashSet<int> { media }) - sippDrops0, ourDrops = UdpDrops(ourPorts) - ourDrops0;
                double runMs = clock.Ticks == clock0.Ticks ? double.NaN : (clock.MeanRun.TotalMilliseconds * clock.Ticks - clock0.MeanRun.TotalMilliseconds * clock0.Ticks) / (clock.Ticks - clock0.Ticks);
                double lateMs = clock.Ticks == clock0.Ticks ? double.NaN : (clock.MeanLate.TotalMilliseconds * clock.Ticks - clock0.MeanLate.TotalMilliseconds * clock0.Ticks) / (clock.Ticks - clock0.Ticks);

                long received = 0, lost = 0;
                double worst = 0;
                int verified = 0, unverifiedShown = 0;
                for (int i = 0; i < up.Count; i++)
                {
                    long r = after[i].Received - before[i].Received;
                    long l = Math.Max(0, after[i].Lost - before[i].Lost);
                    received += r;
                    lost += l;
                    worst = Math.Max(worst, r + l == 0 ? 100 : 100.0 * l / (r + l));
                    var heard = after[i].Meter.Since(before[i].Meter);
                    if (heard.Heard(Tone))
                    {
                        verified++;
                    }
                    else if (unverifiedShown++ < 3)
                    {
                        TestContext.Out.WriteLine($"call {up[i].CallId}: echo not verified: {heard.Describe(Tone)}");
                    }
                }

                double lossPct = received + lost == 0 ? 100 : 100.0 * lost / (received + lost);
                double jitterMs = after.Count == 0 ? double.NaN : after.Average(a => a.Jitter) / 8.0;
                var counters = SippCounters(work);
                sippCounted |= counters.Counted;
                int answered = up.Count;
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{n,5} | {answered,8} | {verified,13} | {lossPct,6:0.00} | {worst,17:0.00} | {jitterMs,16:0.00} | {cpuOur,19:0} ({cpuOur / Math.Max(1, answered):0.000}) | {cpuSipp,11:0} ({cpuSipp / Math.Max(1, answered):0.000}) | {lateMs,6:0.00}/{clock.MaxLate.TotalMilliseconds:0.0}, {runMs:0.00} | {sippDrops}/{ourDrops} | {counters.Text}"));
                TestContext.Progress.WriteLine(lines[^1]);
                bool good = answered == n && verified == n && lossPct < MaxLossPct && worst < MaxWorstLossPct;
                if (!good)
                {
                    lines.Add($"step {n} missed the bar (all answered, every echo verified, loss < {MaxLossPct}% overall and < {MaxWorstLossPct}% on the worst call): stopping");
                    TestContext.Progress.WriteLine(lines[^1]);
                    break;
                }

                heldLine = string.Create(CultureInfo.InvariantCulture, $"native load: {n} concurrent calls held, {lossPct:0.00}% loss, {verified}/{n} verified, {cpuOur:0}% of a core (SIPp: {cpuSipp:0}% of a core)");
            }
        }
        finally
        {
            var ends = await Task.WhenAll(calls.Select(async c =>
            {
                try
                {
                    await c.HangupAsync(ct);
                    await c.EndedAsync(ct: ct);
                    return true;
                }
                catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
                {
                    // Counted and said below, not hidden.
                    TestContext.Out.WriteLine($"call {c.CallId} did not end after hangup: {e.Message}");
                    return false;
                }
                finally
                {
                    await c.DisposeAsync();
                }
            }));
            notEnded += ends.Count(ended => !ended);
        }

        TestContext.Out.WriteLine(string.Join(Environment.NewLine, lines));
        TestContext.Progress.WriteLine(heldLine ?? $"native load: no step held ({string.Join(" / ", lines.Skip(1))})");
        TestContext.Progress.WriteLine($"({Environment.ProcessorCount} cores; loss and audio over a {Window.TotalSeconds:0} s window per step with every call up)");
        heldLine.Should().NotBeNull("at least the first step should hold: " + string.Join(" / ", lines));
        foreach (var err in Directory.GetFiles(work, "*errors.log"))
        {
            TestContext.Out.WriteLine($"SIPp {Path.GetFileName(err)} (first lines):");
            TestContext.Out.WriteLine(string.Join(Environment.NewLine, File.ReadLines(err).Take(25)));
        }

        Directory.Delete(work, true);

        // Figures that are missing make the run inconclusive, not green: it says which and why.
        var missing = new List<string>();
        if (!sippCounted)
        {
            missing.Add("SIPp wrote no statistics (stats.csv), so its call counters were not measured");
        }

        if (notEnded > 0)
        {
            missing.Add($"{notEnded} calls did not end after hangup");
        }

        if (missing.Count > 0)
        {
            Assert.Inconclusive(string.Join("; ", missing));
        }
    }

    /// <summary>
    /// Datagrams the kernel dropped on the UDP sockets bound to <paramref name="ports"/> (their receive buffer was
    /// full), from /proc/net/udp's last column: says whose socket lost what the loss figure counts.
    /// </summary>
    private static long UdpDrops(IReadOnlySet<int> ports)
    {
        long drops = 0;
        foreach (var line in File.ReadLines("/proc/net/udp").Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int port = int.Parse(f[1][(f[1].IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (ports.Contains(port))
            {
                drops += long.Parse(f[^1], CultureInfo.InvariantCulture);
            }
        }

        return drops;
    }

    private static double SippCpu(int pid)
    {
        // /proc/<pid>/stat fields 14 and 15: utime and stime in clock ticks (USER_HZ = 100 on Debian).
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>SIPp's current/successful/failed call counters from its last statistics row, and whether there was one.</summary>
    private static (string Text, bool Counted) SippCounters(string work)
    {
        var path = Path.Combine(work, "stats.csv");
        if (!File.Exists(path))
        {
            return ("no stats.csv yet", false);
        }

        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(fs);
        var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (all.Length < 2)
        {
            return ("stats.csv has no rows yet", false);
        }

        var head = all[0].Split(';');
        var last = all[^1].Split(';');
        string Col(string name) => Array.IndexOf(head, name) is var i and >= 0 && i < last.Length ? last[i] : "?";
        return ($"{Col("CurrentCall")}/{Col("SuccessfulCall(C)")}/{Col("FailedCall(C)")}", true);
    }
}
