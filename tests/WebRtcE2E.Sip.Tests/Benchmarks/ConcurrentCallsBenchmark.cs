using System.Diagnostics;
using System.Globalization;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Native;
using WebRtcE2E.Lab;

namespace WebRtcE2E.Sip.Tests.Benchmarks;

/// <summary>
/// How many simultaneous native calls this machine holds against a SIPp UAS with -rtp_echo on loopback, with
/// under 1% packet loss and the echoed tone heard on every call. Prints a table per step with this process's
/// and SIPp's CPU and SIPp's own counters. A benchmark: it asserts only sanity, never a speed, and is Inconclusive
/// when a figure it prints could not be measured.
/// </summary>
[Category("Benchmark")]
[Category("Lab")]
[Category("Native")]
[Explicit("benchmark: prints figures, run on purpose")]
public class ConcurrentCallsBenchmark
{
    private const double Tone = 440;
    private static readonly int[] Steps = [10, 25, 50, 75, 100, 150, 200];
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
        await using var phone = await NativePhone.CreateAsync(new NativePhoneOptions { Name = "bench", ToneHz = Tone, Codecs = ["PCMU"], AnswerTimeout = TimeSpan.FromSeconds(20) }, ct);

        var total = Stopwatch.StartNew();
        int held = 0, steps = 0, notEnded = 0;
        bool sippCounted = false;
        var lines = new List<string> { "calls | answered | audio ok | loss % | worst call loss % | jitter ms (mean) | our CPU % (of 1 core) | SIPp CPU % | SIPp current/successful/failed" };
        foreach (var n in Steps)
        {
            if (total.Elapsed > Budget)
            {
                lines.Add($"stopped: time budget {Budget.TotalSeconds:0} s spent");
                break;
            }

            var ourCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var sippCpu0 = SippCpu(sipp.Pid);
            var wall = Stopwatch.StartNew();
            var calls = new List<ICall>();
            for (int i = 0; i < n; i++)
            {
                calls.Add(await phone.DialAsync($"sip:bench{i}@127.0.0.1:{sipPort}", ct: ct));
                await Task.Delay(DialInterval, ct);
            }

            var answers = await Task.WhenAll(calls.Select(async c =>
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
            var up = calls.Where((c, i) => answers[i]).ToList();
            foreach (var c in calls.Where((c, i) => !answers[i]).Take(3))
            {
                var ended = ((NativeCall)c).Sip.Ended;
                TestContext.Out.WriteLine($"unanswered {c.CallId}: {(ended.IsCompleted ? ended.Result.ToString() : "still pending")}");
            }

            await Task.WhenAll(up.Select(c => c.Received.ListenAsync(TimeSpan.FromSeconds(0.5), slack: TimeSpan.FromSeconds(10), ct: ct))); // settle
            var before = up.Select(c => (c.Stats!.PacketsReceived, c.Stats.PacketsLost)).ToList();
            var reports = await Task.WhenAll(up.Select(async c =>
            {
                try
                {
                    return await c.Received.ListenAsync(Window, [Tone], TimeSpan.FromSeconds(10), ct: ct);
                }
                catch (TimeoutException e)
                {
                    var ended = ((NativeCall)c).Sip.Ended;
                    TestContext.Out.WriteLine($"call {c.CallId}: {e.Message}; ended: {(ended.IsCompleted ? ended.Result.ToString() : "no")}");
                    return null;
                }
            }));
            var after = up.Select(c => c.Stats!).ToList();
            double cpuOur = (Process.GetCurrentProcess().TotalProcessorTime - ourCpu0).TotalSeconds / wall.Elapsed.TotalSeconds * 100;
            double cpuSipp = (SippCpu(sipp.Pid) - sippCpu0) / wall.Elapsed.TotalSeconds * 100;

            long received = 0, lost = 0;
            double worst = 0;
            for (int i = 0; i < up.Count; i++)
            {
                long r = after[i].PacketsReceived - before[i].PacketsReceived;
                long l = Math.Max(0, after[i].PacketsLost - before[i].PacketsLost);
                received += r;
                lost += l;
                worst = Math.Max(worst, r + l == 0 ? 100 : 100.0 * l / (r + l));
            }

            double lossPct = received + lost == 0 ? 100 : 100.0 * lost / (received + lost);
            int audioOk = reports.Count(r => r is not null && r.ToneLevelDbfs(Tone) > -30 && r.StrongestIsNear(Tone));
            var ends = await Task.WhenAll(calls.Select(async c =>
            {
                await c.HangupAsync(ct);
                try
                {
                    await c.EndedAsync(ct: ct);
                    return true;
                }
                catch (TimeoutException e)
                {
                    // Counted and said below, not hidden: a call still up would load the next step's figures.
                    TestContext.Out.WriteLine($"call {c.CallId} did not end after hangup: {e.Message}");
                    return false;
                }
                finally
                {
                    await c.DisposeAsync();
                }
            }));
            notEnded += ends.Count(ended => !ended);
            var counters = SippCounters(work);
            sippCounted |= counters.Counted;
            steps++;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{n,5} | {up.Count,8} | {audioOk,8} | {lossPct,6:0.00} | {worst,17:0.00} | {(after.Count == 0 ? double.NaN : after.Average(s => s.JitterMs)),16:0.00} | {cpuOur,21:0} | {cpuSipp,10:0} | {counters.Text}"));
            TestContext.Out.WriteLine(lines[^1]);
            bool good = up.Count == n && audioOk == n && lossPct < 1;
            if (!good)
            {
                lines.Add($"step {n} missed the bar (all answered, all hear the echo, loss < 1%): stopping");
                break;
            }

            held = n;
        }

        TestContext.Out.WriteLine(string.Join(Environment.NewLine, lines));
        TestContext.Out.WriteLine($"held: {held} simultaneous native calls with < 1% loss and the echoed tone on every call ({Environment.ProcessorCount} cores)");
        held.Should().BeGreaterThan(0, "at least the first step should hold: " + string.Join(" / ", lines));
        foreach (var err in Directory.GetFiles(work, "*errors.log"))
        {
            TestContext.Out.WriteLine($"SIPp {Path.GetFileName(err)} (first lines):");
            TestContext.Out.WriteLine(string.Join(Environment.NewLine, File.ReadLines(err).Take(25)));
        }

        Directory.Delete(work, true);

        // Figures that are missing make the run inconclusive, not green: it says which and why.
        var missing = new List<string>();
        if (steps == 0)
        {
            missing.Add($"no step ran within the {Budget.TotalSeconds:0} s budget");
        }

        if (!sippCounted)
        {
            missing.Add("SIPp wrote no statistics (stats.csv), so its call counters were not measured");
        }

        if (notEnded > 0)
        {
            missing.Add($"{notEnded} calls did not end after hangup, so later steps ran with them still up");
        }

        if (missing.Count > 0)
        {
            Assert.Inconclusive(string.Join("; ", missing));
        }
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
