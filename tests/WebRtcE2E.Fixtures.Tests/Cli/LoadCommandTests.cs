namespace WebRtcE2E.Fixtures.Tests.Cli;

/// <summary><c>webrtc-e2e load</c>: a wrong option is refused before anything starts (no target, no phone).</summary>
[Category("Unit")]
public sealed class LoadCommandTests
{
    [TestCase("--steps", "50,25", "'50,25' is not a rising list of call counts, e.g. 10,25,50")]
    [TestCase("--steps", "10,x", "'x' in '10,x' is not a call count: give rising positive numbers, e.g. 10,25,50")]
    [TestCase("--browser-steps", "0,1", "'0' in '0,1' is not a call count: give rising positive numbers, e.g. 10,25,50")]
    [TestCase("--phone", "sipp", "sipp")]
    [CancelAfter(30_000)]
    public async Task A_wrong_option_exits_1_saying_what_is_wrong(string option, string value, string message, CancellationToken ct)
    {
        var run = await CliProcess.RunAsync(["load", option, value], Path.GetTempPath(), ct);

        run.ExitCode.Should().Be(1, run.ToString());
        (run.Output + run.Error).Should().Contain(message);
        run.Output.Should().NotContain("starting the FreeSWITCH target", "nothing starts on a wrong option");
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Bounds_out_of_range_exit_1_before_the_target_starts(CancellationToken ct)
    {
        var run = await CliProcess.RunAsync(["load", "--max-minutes", "0"], Path.GetTempPath(), ct);

        run.ExitCode.Should().Be(1, run.ToString());
        run.Error.Should().Contain("--max-minutes above 0 and at most 60");
        run.Output.Should().NotContain("starting the FreeSWITCH target");
    }
}
