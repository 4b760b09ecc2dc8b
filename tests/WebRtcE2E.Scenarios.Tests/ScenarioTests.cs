using NUnit.Framework.Interfaces;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.Scenarios;

namespace WebRtcE2E.Scenarios.Tests;

/// <summary>
/// Every scenario of the run's scenario file (see <see cref="ScenarioSource"/>) as its own test, named after
/// it: the same verdicts as the suites (<see cref="ScenarioRunner"/>) and, when it fails, the same evidence folder,
/// plus overlay.txt (what the harness changed in the conf).
/// </summary>
public sealed class ScenarioTests
{
    private EvidenceFolder? evidence;

    /// <summary>Runs one scenario.</summary>
    [TestCaseSource(typeof(ScenarioSource), nameof(ScenarioSource.Cases))]
    [CancelAfter(150_000)]
    public async Task Scenario(ScenarioCase scenario, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.File.Length == 0)
        {
            Assert.Ignore($"no scenario file: set {ScenarioFile.PathVariable}, or put {ScenarioFile.DefaultFileName} at the root of the repository");
        }

        if (scenario.Error is not null)
        {
            Assert.Fail(scenario.Error);
        }

        // The file as the run's session read it: its ${VARIABLE:-random} values are the ones FreeSWITCH was given.
        var session = await ScenarioRun.SessionAsync(ScenarioFileReader.Read(scenario.File), ct);
        var file = session.File;
        var spec = file.Scenarios.Single(s => s.Name == scenario.Name);
        var outcome = await ScenarioRunner.RunAsync(session, spec, scenario.Name, TestContext.Progress, async (calls, result) =>
        {
            if (!result.Passed || EvidenceFolder.KeepAlways)
            {
                evidence = await calls.WriteEvidenceAsync(
                    TestContext.CurrentContext.Test.FullName,
                    result.Passed ? null : result.Message(file.Path),
                    extraFiles: new Dictionary<string, string> { ["overlay.txt"] = string.Join("\n", session.Changes) + "\n" },
                    ct: CancellationToken.None);
            }
        }, ct);

        if (!outcome.Passed)
        {
            Assert.Fail(outcome.Message(file.Path));
        }
    }

    /// <summary>Attaches the evidence (kept on failure, or always with WEBRTC_E2E_KEEP_EVIDENCE=1).</summary>
    [TearDown]
    public void AttachEvidence()
    {
        if (evidence is not null)
        {
            NUnitEvidence.Complete(evidence);
            evidence = null;
        }
    }
}
