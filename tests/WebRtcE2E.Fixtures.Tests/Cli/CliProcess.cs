using System.Diagnostics;

namespace WebRtcE2E.Fixtures.Tests.Cli;

/// <summary>What a finished <c>webrtc-e2e</c> child printed, and how long it took.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error, TimeSpan Took)
{
    /// <summary>Everything it printed, for failure messages.</summary>
    public override string ToString() => $"exit {ExitCode} after {Took.TotalSeconds:0.0} s\n--- stdout ---\n{Output}--- stderr ---\n{Error}";
}

/// <summary>Runs the CLI built next to the tests as a child process, as a user would, and never leaves it running.</summary>
public static class CliProcess
{
    /// <summary>Runs <c>dotnet webrtc-e2e.dll ARGS</c> in <paramref name="workingDirectory"/> until it exits; kills it when <paramref name="ct"/> ends first.</summary>
    public static async Task<CliRun> RunAsync(IEnumerable<string> args, string workingDirectory, CancellationToken ct)
    {
        var cli = Path.Combine(TestContext.CurrentContext.TestDirectory, "webrtc-e2e.dll");
        File.Exists(cli).Should().BeTrue($"the CLI is built next to the tests ({cli})");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(cli);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        var clock = Stopwatch.StartNew();
        using var child = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        try
        {
            var stdout = child.StandardOutput.ReadToEndAsync(ct);
            var stderr = child.StandardError.ReadToEndAsync(ct);
            await child.WaitForExitAsync(ct);
            var run = new CliRun(child.ExitCode, await stdout, await stderr, clock.Elapsed);
            await TestContext.Out.WriteLineAsync($"webrtc-e2e {string.Join(' ', args)}\n{run}");
            return run;
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }
    }
}
