using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Scenarios;

namespace WebRtcE2E.Scenarios.Tests;

/// <summary>
/// What the run's scenario tests share: one FreeSWITCH per scenario file (the user's conf with the overlay) and
/// its browser, started on first use and stopped when the run ends. Nothing configured and no default image:
/// every scenario is Ignored with that reason; a target that cannot start (the conf refused, the image missing):
/// every scenario fails with the cause, once.
/// </summary>
[SetUpFixture]
public sealed class ScenarioRun
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, ScenarioSession> Sessions = [];
    private static readonly Dictionary<string, Exception> Failed = [];
    private static readonly Dictionary<string, string> Unavailable = [];

    /// <summary>The session of <paramref name="file"/>, started on first use.</summary>
    public static async Task<ScenarioSession> SessionAsync(ScenarioFile file, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        await Gate.WaitAsync(ct);
        try
        {
            if (!Sessions.ContainsKey(file.Path) && !Failed.ContainsKey(file.Path) && !Unavailable.ContainsKey(file.Path))
            {
                try
                {
                    var settings = FreeSwitchSettings.FromEnvironment(name => TestContext.Parameters.Get(name));
                    Sessions[file.Path] = await ScenarioSession.StartAsync(file, settings, TestContext.Progress, ct);
                }
                catch (TargetUnavailableException e)
                {
                    Unavailable[file.Path] = e.Message;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Failed[file.Path] = e;
                    throw;
                }
            }
        }
        finally
        {
            Gate.Release();
        }

        if (Failed.TryGetValue(file.Path, out var failure))
        {
            Assert.Fail($"FreeSWITCH with the conf of {file.Path} failed to start (once, for every scenario): {failure.Message}");
        }

        if (Unavailable.TryGetValue(file.Path, out var reason))
        {
            Assert.Ignore(reason);
        }

        return Sessions[file.Path];
    }

    /// <summary>Stops every session's browser and FreeSWITCH, also after failures.</summary>
    [OneTimeTearDown]
    public async Task StopAsync()
    {
        var all = Sessions.Values.Cast<IAsyncDisposable>().ToList();
        Sessions.Clear();
        await WebRtcE2E.Fixtures.AsyncDisposables.DisposeAllAsync(all, "stopping the scenario files' FreeSWITCH failed");
    }
}
