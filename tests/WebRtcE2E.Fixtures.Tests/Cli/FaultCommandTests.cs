using WebRtcE2E.Fixtures.Network;

namespace WebRtcE2E.Fixtures.Tests.Cli;

/// <summary><c>webrtc-e2e fault</c>: a fault it does not know is refused before anything starts.</summary>
[Category("Unit")]
public sealed class FaultCommandTests
{
    [TestCase("loss:abc")]
    [TestCase("loss:100")]
    [TestCase("rate:4")]
    [TestCase("drop-udp:sideways")]
    [TestCase("unplug")]
    [CancelAfter(30_000)]
    public async Task A_fault_it_does_not_know_exits_1_saying_what_it_takes(string fault, CancellationToken ct)
    {
        var run = await CliProcess.RunAsync(["fault", fault], Path.GetTempPath(), ct);

        run.ExitCode.Should().Be(1, run.ToString());
        (run.Output + run.Error).Should().Contain($"'{fault}' is not a fault: give drop-udp[:both|to|from], loss:PERCENT[:from|to|both], rate:KBIT[:from|to|both], cut-wss or none");
        run.Output.Should().NotContain("starting the FreeSWITCH target", "nothing starts on a wrong fault");
    }
}

/// <summary>
/// <c>webrtc-e2e fault</c> against the built image: one browser call on its own host with FreeSWITCH→browser media
/// dropped once the echo is heard; the command prints the diagnosis, writes the evidence, and leaves nothing.
/// </summary>
[Category("FreeSwitch")]
[Category("Network")]
[Category("Browser")]
public sealed class FaultCommandCallTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task One_call_under_a_dropped_way_is_diagnosed_one_way_with_its_evidence_and_nothing_left(CancellationToken ct)
    {
        if (NetworkFaults.Unsupported is { } why)
        {
            Assert.Fail($"network faults cannot be applied here: {why}");
        }

        var dir = Directory.CreateTempSubdirectory("webrtc-e2e-fault-cli-");
        try
        {
            var run = await CliProcess.RunAsync(["fault", "drop-udp:from", "--window", "3s", "--evidence", dir.FullName], dir.FullName, ct);
            if (run.ExitCode == 4 && run.Error.Contains("no FreeSWITCH target configured", StringComparison.Ordinal))
            {
                Assert.Ignore($"no FreeSWITCH target here: {run.Error.Trim()}");
            }

            run.ExitCode.Should().Be(0, run.ToString());
            run.Output.Should().Contain("applied: dropping UDP FreeSWITCH → browser")
                .And.Contain("diagnosis: one-way audio: browser receives nothing (FreeSWITCH→browser media blocked)")
                .And.Contain("removed: dropping UDP FreeSWITCH → browser");
            var index = run.Output.Split('\n').Single(l => l.StartsWith("evidence: ", StringComparison.Ordinal))["evidence: ".Length..].Trim();
            File.Exists(index).Should().BeTrue(run.ToString());
            (await File.ReadAllTextAsync(index, ct)).Should().Contain("one-way audio");
            var ns = run.Output.Split('\n').Single(l => l.StartsWith("browser: ", StringComparison.Ordinal)).Split(' ').Single(w => w.StartsWith(BrowserNamespace.Prefix, StringComparison.Ordinal));
            File.Exists(Path.Combine("/run/netns", ns)).Should().BeFalse("the command deletes the browser's namespace (and its rules) when it ends");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
