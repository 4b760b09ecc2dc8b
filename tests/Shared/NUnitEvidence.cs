using NUnit.Framework.Interfaces;
using WebRtcE2E.Fixtures.Evidence;

namespace WebRtcE2E.Testing;

/// <summary>
/// Hands a test's evidence to NUnit: call from [TearDown]. On failure (or with WEBRTC_E2E_KEEP_EVIDENCE=1) every
/// file is attached to the test result, so CI keeps it with the failure, and the page to open first (index.html,
/// else the folder) is printed in the test's output; on success the folder is deleted. One source file compiled
/// into every test project that keeps evidence, so that attaching is written once.
/// </summary>
public static class NUnitEvidence
{
    /// <summary>Completes <paramref name="folder"/> for the current test and attaches what is kept.</summary>
    /// <returns>The attached files.</returns>
    public static IReadOnlyList<string> Complete(EvidenceFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var status = TestContext.CurrentContext.Result.Outcome.Status;
        var kept = folder.Complete(testFailed: status is TestStatus.Failed);
        foreach (var file in kept)
        {
            TestContext.AddTestAttachment(file, Path.GetFileName(file) == EvidenceFolder.IndexFileName ? "evidence page: open first" : Path.GetFileName(file));
        }

        if (kept.Count > 0)
        {
            TestContext.Out.WriteLine($"evidence: {(kept.Contains(folder.IndexPath) ? folder.IndexPath : folder.Path)}");
        }

        return kept;
    }
}
