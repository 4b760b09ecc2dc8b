using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using WebRtcE2E.Fixtures.Docker;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Phones.Native;

namespace WebRtcE2E.Fixtures.Tests.FreeSwitch;

/// <summary>
/// A run killed mid-call (as a cancelled CI job kills its test host) runs no cleanup code, so its FreeSWITCH
/// container and network stay up; the next run must remove them before it starts its own, and still pass.
/// The killed run is a child process, <c>webrtc-e2e serve</c>: it brings up the target exactly as a test host
/// does (the same fixtures code) and holds it until it is killed.
/// </summary>
[Category("FreeSwitch")]
[Category("Native")]
public sealed partial class KilledRunTests
{
    private static readonly TimeSpan ChildReadyTimeout = TimeSpan.FromSeconds(120);

    [Test]
    [CancelAfter(300_000)]
    public async Task A_run_killed_mid_call_leaves_a_target_that_the_next_run_removes_before_it_starts(CancellationToken ct)
    {
        var settings = FreeSwitchSettings.FromEnvironment(name => TestContext.Parameters.Get(name));
        settings = settings.Image is null ? await FreeSwitchTargetTests.DefaultImageSettingsAsync(ct) : settings;
        var conf = FreeSwitchConf.Load();

        // The first run: a child process that starts the target and holds it.
        using var child = StartServe(settings.Image!);
        var output = await WaitForLineAsync(child, "serving until", ChildReadyTimeout, ct);
        var esl = EventSocketLine().Match(output);
        var sip = SipLine().Match(output);
        var phoneAddress = PhoneAddressLine().Match(output);
        esl.Success.Should().BeTrue($"serve prints its event socket; it printed:\n{output}");
        var leftHost = esl.Groups["host"].Value;

        // Mid-call: a native phone hears its own tone from the first run's echo when the run is killed.
        await using (var phone = await NativePhone.CreateAsync(
            new NativePhoneOptions
            {
                Name = "killed-run",
                LocalAddress = IPAddress.Parse(phoneAddress.Groups["ip"].Value),
                ServerHost = sip.Groups["host"].Value,
                ServerPort = int.Parse(sip.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture),
                ToneHz = 660,
                EndTimeout = TimeSpan.FromSeconds(3),
            },
            ct))
        {
            var call = await phone.DialAsync(conf.Number("ECHO"), ct: ct);
            await call.AnsweredAsync(ct: ct);
            (await call.ListenAsync(TimeSpan.FromSeconds(1), [660], ct)).ToneFraction(660, -30).Should().BeGreaterThan(0.3, "the call through the first run is up and carrying audio when that run is killed");

            child.Kill(entireProcessTree: false); // SIGKILL: no finally, no dispose, no cleanup
            await child.WaitForExitAsync(ct);
        }

        var left = await DockerEnvironment.LeftoversAsync(child.Id, ct);
        TestContext.Out.WriteLine($"the killed run (pid {child.Id}) left: {string.Join("; ", left)}");
        left.Should().Contain(l => l.StartsWith("container ", StringComparison.Ordinal), "a killed run cannot remove its own container (the precondition of this test)")
            .And.Contain(l => l.StartsWith("network ", StringComparison.Ordinal));

        // The next run: starting its target removes the first run's leftovers, then it works.
        await using var next = await ContainerTarget.LaunchAsync(settings, conf, ct);
        (await DockerEnvironment.LeftoversAsync(child.Id, ct)).Should().BeEmpty("the next run removes what the killed run (pid {0}) left before it starts its own", child.Id);
        next.Host.Should().NotBeNull();
        TestContext.Out.WriteLine($"next run: {next.Summary} (the killed run's FreeSWITCH was at {leftHost})");

        await using var nextPhone = await NativePhone.CreateAsync(
            new NativePhoneOptions { Name = "next-run", LocalAddress = next.PhoneAddress, ServerHost = next.SipEndPoint("external").Host, ServerPort = next.SipEndPoint("external").Port, ToneHz = 880 },
            ct);
        var nextCall = await nextPhone.DialAsync(conf.Number("ECHO"), ct: ct);
        await nextCall.AnsweredAsync(ct: ct);
        (await nextCall.ListenAsync(TimeSpan.FromSeconds(1), [880], ct)).ToneFraction(880, -30).Should().BeGreaterThan(0.3, "the next run's echo works");
        await nextCall.HangupAsync(ct);
    }

    private static Process StartServe(string image)
    {
        var cli = Path.Combine(TestContext.CurrentContext.TestDirectory, "webrtc-e2e.dll");
        File.Exists(cli).Should().BeTrue($"the CLI is built next to the tests ({cli})");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(cli);
        start.ArgumentList.Add("serve");
        start.Environment[FreeSwitchSettings.ImageVariable] = image;
        start.Environment.Remove(FreeSwitchSettings.BinaryVariable);
        start.Environment.Remove(FreeSwitchSettings.HostVariable);
        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
    }

    /// <summary>Reads the child's output until a line contains <paramref name="marker"/>; fails with what it printed.</summary>
    private static async Task<string> WaitForLineAsync(Process child, string marker, TimeSpan timeout, CancellationToken ct)
    {
        var seen = new System.Text.StringBuilder();
        var stderr = child.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            while (await child.StandardOutput.ReadLineAsync(cts.Token) is { } line)
            {
                seen.AppendLine(line);
                if (line.Contains(marker, StringComparison.Ordinal))
                {
                    return seen.ToString();
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            child.Kill(entireProcessTree: true);
            Assert.Fail($"webrtc-e2e serve printed no '{marker}' within {timeout.TotalSeconds:0} s; it printed:\n{seen}");
        }

        await child.WaitForExitAsync(ct);
        Assert.Fail($"webrtc-e2e serve exited ({child.ExitCode}) before '{marker}'; it printed:\n{seen}{await stderr}");
        return "";
    }

    [GeneratedRegex(@"^event socket: (?<host>[^\s:]+):(?<port>\d+) ", RegexOptions.Multiline)]
    private static partial Regex EventSocketLine();

    [GeneratedRegex(@"^profile external: \S+\s+sip udp (?<host>[^\s:]+):(?<port>\d+)", RegexOptions.Multiline)]
    private static partial Regex SipLine();

    [GeneratedRegex(@"^phone address \(this machine as FreeSWITCH sees it\): (?<ip>\S+)", RegexOptions.Multiline)]
    private static partial Regex PhoneAddressLine();
}
