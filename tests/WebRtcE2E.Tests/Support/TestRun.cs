using System.Diagnostics;
using WebRtcE2E.Fixtures;
using WebRtcE2E.Fixtures.Docker;
using WebRtcE2E.Fixtures.FreeSwitch;
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
    private static readonly Dictionary<string, BrowserHost> Browsers = [];

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
                host = await BrowserHost.LaunchAsync(new BrowserOptions { TrustedSpkiSha256 = pin.Length > 0 ? [pin] : [] }, ct);
                Browsers[pin] = host;
            }

            return host;
        }
        finally
        {
            BrowserGate.Release();
        }
    }

    /// <summary>Closes every Chromium the run launched, then stops the target; all of them, also after failures.</summary>
    [OneTimeTearDown]
    public async Task StopAsync()
    {
        // Browsers first: their pages hold websockets to the target.
        var shared = Browsers.Values.Cast<IAsyncDisposable>().ToList();
        Browsers.Clear();
        if (target is not null)
        {
            shared.Add(target);
            target = null;
        }

        await AsyncDisposables.DisposeAllAsync(shared, "stopping the run's browsers and FreeSWITCH target failed");
    }
}
