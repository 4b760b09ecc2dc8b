using NUnit.Framework.Interfaces;
using WebRtcE2E.Fixtures.Evidence;

namespace WebRtcE2E.Fixtures.Tests.Evidence;

/// <summary>
/// Hands a test's evidence to NUnit: call from [TearDown]. On failure (or with WEBRTC_E2E_KEEP_EVIDENCE=1) every
/// file is attached to the test result, so CI keeps it with the failure; on success the folder is deleted.
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
            TestContext.AddTestAttachment(file, Path.GetFileName(file));
        }

        return kept;
    }
}
