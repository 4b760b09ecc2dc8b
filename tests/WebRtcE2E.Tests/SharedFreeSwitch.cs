using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Tests;

/// <summary>
/// One FreeSWITCH target for the whole test run, shared by every suite (starting one per test would cost
/// seconds each and hide nothing). Started on first use; stopped when the run ends. When none is configured and
/// there is no default image, every FreeSWITCH test is Ignored with that exact reason; when one is configured (or
/// the default image exists) and it cannot start, every FreeSWITCH test fails with the cause.
/// </summary>
[SetUpFixture]
public sealed class SharedFreeSwitch
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static FreeSwitchTarget? target;
    private static string? unavailable;
    private static Exception? failedToStart;

    /// <summary>The run's target; Ignores the calling test with the reason when there is none.</summary>
    public static async Task<FreeSwitchTarget> TargetAsync(CancellationToken ct = default)
    {
        await Gate.WaitAsync(ct);
        try
        {
            if (target is null && unavailable is null && failedToStart is null)
            {
                try
                {
                    var settings = FreeSwitchSettings.FromEnvironment(name => TestContext.Parameters.Get(name));
                    var started = System.Diagnostics.Stopwatch.StartNew();
                    target = await FreeSwitchTarget.StartAsync(settings, ct: ct);
                    if (target.Kind == TargetKind.Container && (await WebRtcE2E.Fixtures.Docker.DockerEnvironment.PrepareAsync(ct)).RemovedLeftovers is { Count: > 0 } removed)
                    {
                        await TestContext.Progress.WriteLineAsync($"removed what killed runs left: {string.Join("; ", removed)}");
                    }

                    await TestContext.Progress.WriteLineAsync($"FreeSWITCH target: {target.Summary}, ready after {target.ReadyAfter.TotalSeconds:0.0} s (started in {started.Elapsed.TotalSeconds:0.0} s)");
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
            Gate.Release();
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

    /// <summary>Stops the target when the run ends, also after failures.</summary>
    [OneTimeTearDown]
    public async Task StopAsync()
    {
        try
        {
            await Harness.CloseBrowsersAsync();
        }
        finally
        {
            if (target is not null)
            {
                await target.DisposeAsync();
                target = null;
            }
        }
    }
}
