using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Tests;

/// <summary>
/// One FreeSWITCH target for the whole test run, shared by every suite (starting one per test would cost
/// seconds each and hide nothing). Started on first use; stopped when the run ends. When none is configured,
/// or it cannot be had, every FreeSWITCH test is Ignored with that exact reason.
/// </summary>
[SetUpFixture]
public sealed class SharedFreeSwitch
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static FreeSwitchTarget? target;
    private static string? unavailable;

    /// <summary>The run's target; Ignores the calling test with the reason when there is none.</summary>
    public static async Task<FreeSwitchTarget> TargetAsync(CancellationToken ct = default)
    {
        await Gate.WaitAsync(ct);
        try
        {
            if (target is null && unavailable is null)
            {
                try
                {
                    var settings = FreeSwitchSettings.FromEnvironment(name => TestContext.Parameters.Get(name));
                    var started = System.Diagnostics.Stopwatch.StartNew();
                    target = await FreeSwitchTarget.StartAsync(settings, ct: ct);
                    await TestContext.Progress.WriteLineAsync($"FreeSWITCH target: {target.Description}, ready after {target.ReadyAfter.TotalSeconds:0.0} s (started in {started.Elapsed.TotalSeconds:0.0} s)");
                }
                catch (TargetUnavailableException e)
                {
                    unavailable = e.Message;
                }
            }
        }
        finally
        {
            Gate.Release();
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
        await Harness.CloseBrowsersAsync();
        if (target is not null)
        {
            await target.DisposeAsync();
            target = null;
        }
    }
}
