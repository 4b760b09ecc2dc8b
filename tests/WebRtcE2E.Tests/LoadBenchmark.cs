using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Load;

namespace WebRtcE2E.Tests;

/// <summary>
/// Load through FreeSWITCH, as <c>webrtc-e2e load</c> runs it: native calls ramped step by step to the knee of
/// this machine, and browser calls in one Chromium, every call's audio verified (its tone heard back from the
/// echo). Each test starts its own target (with an RTP range wide enough for the ramp), prints the table and the
/// summary through TestContext.Progress, and leaves load.html (inline SVG plot), load.md and load.csv in its
/// evidence folder. Figures, not speeds: it asserts that the first step held, that every step was measured
/// (no figure made up), and that the ramp ended at its knee or its bounds.
/// </summary>
[Explicit("benchmark: a load ramp through FreeSWITCH, run on purpose")]
[Category("Load")]
[Category("Benchmark")]
[Category("FreeSwitch")]
public sealed class LoadBenchmark
{
    [Test]
    [Category("Native")]
    [CancelAfter(300_000)]
    public Task Native_calls_through_FreeSWITCH_to_the_knee_with_every_call_verified(CancellationToken ct) =>
        RampAsync(
            LoadPhoneKind.Native,
            new LoadOptions { Steps = [50, 100, 200, 300, 400, 500, 600, 700, 800], MaxCalls = 800, MaxDuration = TimeSpan.FromMinutes(2.5) },
            ct);

    [Test]
    [Category("Browser")]
    [CancelAfter(300_000)]
    public Task Browser_calls_one_Chromium_holds_with_every_call_verified(CancellationToken ct) =>
        RampAsync(
            LoadPhoneKind.Browser,
            new LoadOptions { Steps = [1, 2, 4, 6, 8, 12, 16, 24], MaxCalls = 24, MaxDuration = TimeSpan.FromMinutes(2.5), DialInterval = TimeSpan.Zero },
            ct);

    private static async Task RampAsync(LoadPhoneKind kind, LoadOptions options, CancellationToken ct)
    {
        using var conf = FreeSwitchLoad.ConfFor(options.MaxCalls);
        var settings = FreeSwitchSettings.FromEnvironment(name => TestContext.Parameters.Get(name));
        FreeSwitchTarget target;
        try
        {
            target = await FreeSwitchTarget.StartAsync(settings, conf.Conf, ct);
        }
        catch (TargetUnavailableException e)
        {
            Assert.Inconclusive($"nothing measured: no FreeSWITCH target ({e.Message})");
            throw;
        }

        LoadReport report;
        await using (target)
        {
            TestContext.Progress.WriteLine($"FreeSWITCH target: {target.Summary}, ready after {target.ReadyAfter.TotalSeconds:0.0} s (RTP ports {conf.RtpRange})");
            report = await FreeSwitchLoad.RampAsync(target, kind, options with { Number = target.Conf.Number("ECHO") }, TestContext.Progress.WriteLine, ct);
        }

        var evidence = EvidenceFolder.Create(TestContext.CurrentContext.Test.FullName);
        var page = FreeSwitchLoad.WriteEvidence([report], evidence.Path, $"Load through FreeSWITCH: {kind} ({Environment.ProcessorCount} cores)");
        TestContext.Progress.WriteLine(report.Table());
        TestContext.Progress.WriteLine(report.Summary());
        TestContext.Progress.WriteLine($"evidence: {page}");
        TestContext.AddTestAttachment(page, "load table and plot");

        report.Steps.Should().NotBeEmpty("at least one step runs within the bounds");
        report.Held.Should().BeGreaterThan(0, "the first step should hold: " + report.Table());
        report.Steps.Should().OnlyContain(s => s.SetUp == 0 || !double.IsNaN(s.SetupP95Ms), "every step with calls up has its setup latency measured");
        report.Stopped.Should().NotBeNullOrEmpty();
    }
}
