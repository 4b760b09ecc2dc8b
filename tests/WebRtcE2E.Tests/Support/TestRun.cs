using System.Diagnostics;
using WebRtcE2E.Fixtures;
using WebRtcE2E.Fixtures.Docker;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Network;
using WebRtcE2E.Fixtures.Phones.Browser;

namespace WebRtcE2E.Tests;

/// <summary>
/// What the whole test run shares, started on first use and stopped when the run ends: one FreeSWITCH target
/// (starting one per test would cost seconds each and hide nothing) and one Chromium per wss certificate. When no
/// target is configured and there is no default image, every FreeSWITCH test is Ignored with that exact reason;
/// when one is configured (or the default image exists) and it cannot start, every FreeSWITCH test fails with the
/// cause.
/// </summary>
[SetUpFixture]
public sealed class TestRun
{
    private static readonly SemaphoreSlim TargetGate = new(1, 1);
    private static FreeSwitchTarget? target;
    private static string? unavailable;
    private static Exception? failedToStart;

    private static readonly SemaphoreSlim BrowserGate = new(1, 1);

    // The suite's own clock: from the target being ready to the last test's end, and the sum of every test's time
    // (what the same tests take one after another).
    private static Stopwatch? sinceReady;
    private static long testTicks;
    private static int testsTimed;
    private static int failures;
    private static TimeSpan lastTestEnded;
    private static readonly Lock FiguresLock = new();
    private static int running;
    private static int mostAtOnce;
    private static readonly Dictionary<string, BrowserHost> Browsers = [];
    private static readonly List<BrowserNamespace> Namespaces = [];

    /// <summary>
    /// For a container target, a network namespace on its network where Chromium runs as a host of its own (when
    /// this machine allows one: root and iproute2); null for other targets, or where namespaces cannot be made,
    /// which the progress line says.
    /// </summary>
    private static async Task<BrowserNamespace?> NamespaceForAsync(FreeSwitchTarget target, CancellationToken ct)
    {
        if (target is not ContainerTarget container)
        {
            return null;
        }

        if (BrowserNamespace.Unsupported is { } why)
        {
            await TestContext.Progress.WriteLineAsync($"browser: on this machine's own interfaces, not a host of its own ({why})");
            return null;
        }

        if ((await BrowserNamespace.RemoveOrphansAsync(ct)) is { Count: > 0 } removed)
        {
            await TestContext.Progress.WriteLineAsync($"removed what killed runs left: {string.Join("; ", removed)}");
        }

        return await BrowserNamespace.CreateAsync(container.Network, 250, ct);
    }

    /// <summary>The run's target; Ignores the calling test with the reason when there is none.</summary>
    /// <param name="ct">Cancels waiting for (or starting) the target.</param>
    public static async Task<FreeSwitchTarget> TargetAsync(CancellationToken ct = default)
    {
        await TargetGate.WaitAsync(ct);
        try
        {
            if (target is null && unavailable is null && failedToStart is null)
            {
                try
                {
                    var settings = FreeSwitchSettings.FromEnvironment(name => TestContext.Parameters.Get(name));
                    var started = Stopwatch.StartNew();
                    target = await FreeSwitchTarget.StartAsync(settings, ct: ct);
                    if (target.Kind == TargetKind.Container && (await DockerEnvironment.PrepareAsync(ct)).RemovedLeftovers is { Count: > 0 } removed)
                    {
                        await TestContext.Progress.WriteLineAsync($"removed what killed runs left: {string.Join("; ", removed)}");
                    }

                    await TestContext.Progress.WriteLineAsync($"FreeSWITCH target: {target.Summary}, ready after {target.ReadyAfter.TotalSeconds:0.0} s (started in {started.Elapsed.TotalSeconds:0.0} s)");
                    await TestContext.Progress.WriteLineAsync($"FreeSWITCH start: {target.Startup}");
                    sinceReady = Stopwatch.StartNew();
                }
                catch (TargetUnavailableException e)
                {
                    unavailable = e.Message;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Started but never ready (or misconfigured): every later test fails with the same reason at
                    // once, instead of waiting out the ready timeout again.
                    failedToStart = e;
                    throw;
                }
            }
        }
        finally
        {
            TargetGate.Release();
        }

        if (failedToStart is not null)
        {
            Assert.Fail($"the run's FreeSWITCH target failed to start (once, for every test): {failedToStart.Message}");
        }

        if (target is null)
        {
            Assert.Ignore(unavailable!);
        }

        return target!;
    }

    /// <summary>
    /// One Chromium per wss certificate for the whole run (each phone gets its own context and page), trusting
    /// exactly that certificate by its SPKI pin: normally one, for the run's FreeSWITCH; a benchmark that starts its
    /// own target gets its own. Closed with the target when the run ends.
    /// </summary>
    /// <param name="target">The target whose certificate the browser trusts.</param>
    /// <param name="ct">Cancels waiting for (or launching) the browser.</param>
    public static async Task<BrowserHost> BrowserAsync(FreeSwitchTarget target, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var pin = target.Certificate?.SpkiSha256Base64 ?? "";
        await BrowserGate.WaitAsync(ct);
        try
        {
            if (!Browsers.TryGetValue(pin, out var host))
            {
                var ns = await NamespaceForAsync(target, ct);
                try
                {
                    host = await BrowserHost.LaunchAsync(new BrowserOptions { TrustedSpkiSha256 = pin.Length > 0 ? [pin] : [], Namespace = ns }, ct);
                }
                catch
                {
                    if (ns is not null)
                    {
                        await ns.DisposeAsync();
                    }

                    throw;
                }

                if (ns is not null)
                {
                    Namespaces.Add(ns);
                }

                Browsers[pin] = host;
                await TestContext.Progress.WriteLineAsync(ns is null
                    ? $"browser: Chromium {host.Version} on this machine, page at {host.PageUri}"
                    : $"browser: Chromium {host.Version} on a host of its own, network namespace {ns.Name} at {ns.Address} on the run network (its only ICE candidate), page at {host.PageUri}");
            }

            return host;
        }
        finally
        {
            BrowserGate.Release();
        }
    }

    /// <summary>A test began (its set-up is done): counts how many run at once, for the suite's figures.</summary>
    public static void Began()
    {
        var now = Interlocked.Increment(ref running);
        lock (FiguresLock)
        {
            mostAtOnce = Math.Max(mostAtOnce, now);
        }
    }

    /// <summary>Adds one test's own time (set-up to tear-down) to the suite's figures, and counts it when it failed.</summary>
    public static void Timed(TimeSpan took, bool failed)
    {
        Interlocked.Decrement(ref running);

        if (failed)
        {
            Interlocked.Increment(ref failures);
        }

        Interlocked.Add(ref testTicks, took.Ticks);
        Interlocked.Increment(ref testsTimed);
        if (sinceReady is { } clock)
        {
            lock (FiguresLock)
            {
                lastTestEnded = clock.Elapsed;
            }
        }
    }

    /// <summary>
    /// "FreeSWITCH suites: 51 tests in 92.0 s from a ready target, 2 at a time; one after another they take 150.0 s": the
    /// wall-clock time of the suites once the target was ready, beside the sum of the tests' own times.
    /// </summary>
    public static string? SuiteFigures()
    {
        if (sinceReady is null || testsTimed == 0)
        {
            return null;
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"FreeSWITCH suites: {testsTimed} tests in {lastTestEnded.TotalSeconds:0.0} s from a ready target, {Math.Max(1, mostAtOnce)} at a time; one after another they take {TimeSpan.FromTicks(testTicks).TotalSeconds:0.0} s (the sum of their times)");
    }

    /// <summary>Closes every Chromium the run launched, then stops the target; all of them, also after failures.</summary>
    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (SuiteFigures() is { } figures)
        {
            await TestContext.Progress.WriteLineAsync(figures);
        }

        // A test's evidence holds the log lines of its own calls; what happened between them (a profile restart, a
        // WebSocket closed before any call, the load of the run) is only in the whole log, kept when a test failed.
        if (target is not null && Volatile.Read(ref failures) > 0)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                Directory.CreateDirectory(WebRtcE2E.Fixtures.Evidence.EvidenceFolder.Root);
                var path = Path.Combine(WebRtcE2E.Fixtures.Evidence.EvidenceFolder.Root, "freeswitch-run.log");
                await File.WriteAllTextAsync(path, await target.LogAsync(cts.Token), cts.Token);
                await TestContext.Progress.WriteLineAsync($"the whole FreeSWITCH log of the run ({failures} failed): {path}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
            {
                await TestContext.Progress.WriteLineAsync($"the whole FreeSWITCH log of the run could not be kept: {e.Message}");
            }
        }

        // Browsers first: their pages hold websockets to the target; then the namespaces they ran in.
        var processes = Browsers.Values.SelectMany(b => b.Processes).ToList();
        var shared = Browsers.Values.Cast<IAsyncDisposable>().ToList();
        Browsers.Clear();
        shared.AddRange(Namespaces);
        Namespaces.Clear();
        if (target is not null)
        {
            shared.Add(target);
            target = null;
        }

        await AsyncDisposables.DisposeAllAsync(shared, "stopping the run's browsers and FreeSWITCH target failed");

        // Last, the run checks that nothing it started is left: containers and networks (by their owner labels),
        // network namespaces (by name; the Network category's iptables rules and token buckets live in the browser's
        // namespace and on its veth, and go with it; each test checks its own are gone, LeftInAsync), and the
        // processes of its Chromiums (by id and start time). A leftover fails the run, naming what is left.
        using var check = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var left = BrowserNamespace.LeftoversOfThisProcess()
            .Concat(await DockerEnvironment.LeftoversOfThisProcessAsync(check.Token))
            .Concat(ProcessTree.Alive(processes).Select(p => $"process {p}"))
            .ToList();
        if (left.Count > 0)
        {
            throw new InvalidOperationException($"the run left behind what it started: {string.Join("; ", left)} (the next run removes them)");
        }

        await TestContext.Progress.WriteLineAsync($"nothing left: no container, network, network namespace (with its fault rules) or browser process ({processes.Count} seen) of this run remains");
    }
}
