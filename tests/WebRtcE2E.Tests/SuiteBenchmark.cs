using System.Diagnostics;
using System.Globalization;
using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Phones;

namespace WebRtcE2E.Tests;

/// <summary>
/// Figures, not pass/fail: how long a FreeSWITCH target takes to become ready, and how long the trunk call takes
/// per call and per batch on each phone. Run it with
/// <c>dotnet test --filter TestCategory=Benchmark</c> (it is Explicit, so it never runs by accident).
/// </summary>
[Explicit("a benchmark: prints figures, run on purpose")]
[NonParallelizable]
[Category("Benchmark")]
[Category("FreeSwitch")]
public sealed class SuiteBenchmark
{
    private const int CallsPerPhone = 10;

    [Test]
    [CancelAfter(600_000)]
    public async Task Time_to_ready_target_and_per_call_and_per_batch_for_both_phones(CancellationToken ct)
    {
        var settings = FreeSwitchSettings.FromEnvironment(name => TestContext.Parameters.Get(name));
        var startClock = Stopwatch.StartNew();
        FreeSwitchTarget target;
        try
        {
            target = await FreeSwitchTarget.StartAsync(settings, ct: ct);
        }
        catch (TargetUnavailableException e)
        {
            Assert.Inconclusive($"nothing measured: no FreeSWITCH target ({e.Message})");
            throw;
        }

        var startup = startClock.Elapsed;
        await using var _ = target;
        var lines = new List<string>
        {
            $"target: {target.Summary}",
            $"time to first ready target: {startup.TotalSeconds:0.00} s (FreeSWITCH itself: {target.ReadyAfter.TotalSeconds:0.00} s from start to WSS-BIND-URL on every profile)",
        };
        if (target is ContainerTarget container)
        {
            var bare = await BareDockerRunAsync(container.Image, target.Conf, ct);
            lines.Add($"time to ready, same image: harness {startup.TotalSeconds:0.00} s, bare docker run {bare.TotalSeconds:0.00} s ({startup / bare:0.0}x): from the call to WSS-BIND-URL on every WebRTC profile");
        }

        await using var esl = await target.EventSocketAsync(ct);
        await esl.SubscribeAsync(["CHANNEL_HANGUP_COMPLETE"], ct);
        var ledger = CallLedger.Attach(esl);
        var unmeasured = new List<string>();
        foreach (var kind in ScenarioPhones.Kinds)
        {
            IPhone phone;
            var phoneClock = Stopwatch.StartNew();
            try
            {
                phone = await ScenarioPhones.CreateAsync(kind, target, "external", $"{kind}-bench", 440, ct: ct);
            }
            catch (WebRtcE2E.Fixtures.Phones.Browser.BrowserSetupException e)
            {
                lines.Add($"{kind}: not measured ({e.Message})");
                unmeasured.Add($"{kind} phone could not start ({e.Message})");
                continue;
            }

            await using var __ = phone;
            var phoneStart = phoneClock.Elapsed;
            var setups = new List<double>();
            var firstTone = new List<double>();
            var wholeCalls = new List<double>();
            var batch = Stopwatch.StartNew();
            for (int i = 0; i < CallsPerPhone; i++)
            {
                var callClock = Stopwatch.StartNew();
                var call = await phone.DialAsync(target.Conf.Number("TRUNK_WEBRTC_TEST"), ct: ct);
                var answered = await call.AnsweredAsync(ct: ct);
                setups.Add(answered.SetupTime.TotalMilliseconds);
                var heard = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [TestAudio.AnnouncementHz], ct);
                firstTone.Add(heard.FirstHeard(TestAudio.AnnouncementHz, -30)?.TotalMilliseconds ?? double.NaN);
                await call.EndedAsync(TimeSpan.FromSeconds(10), ct);
                (await ledger.WaitForHangupAsync(call.CallId, TimeSpan.FromSeconds(5), ct)).HangupCause.Should().Be("NORMAL_CLEARING");
                wholeCalls.Add(callClock.Elapsed.TotalMilliseconds);
            }

            lines.Add($"{kind}: phone ready in {phoneStart.TotalMilliseconds:0} ms; {CallsPerPhone} trunk calls in {batch.Elapsed.TotalSeconds:0.0} s");
            lines.Add($"{kind}:   INVITE → answered   {Stats(setups)}");
            lines.Add($"{kind}:   answer → 1000 Hz heard {Stats(firstTone)} (the dialplan sleeps 500 ms first)");
            lines.Add($"{kind}:   whole call (3 s announcement) {Stats(wholeCalls)}");
            if (!firstTone.Any(double.IsFinite))
            {
                unmeasured.Add($"{kind} phone never heard {TestAudio.AnnouncementHz:0} Hz, so answer → tone has no value");
            }
        }

        foreach (var line in lines)
        {
            await TestContext.Out.WriteLineAsync(line);
        }

        // A figure missing is not a pass: the run says what it could not measure instead of looking green.
        if (unmeasured.Count > 0)
        {
            Assert.Inconclusive($"not everything was measured: {string.Join("; ", unmeasured)}");
        }
    }

    /// <summary>
    /// The floor for a container target: `docker run` of the same image with everything made beforehand (network,
    /// certificates, conf, passwords), timed from the `docker run` to WSS-BIND-URL on every WebRTC profile.
    /// </summary>
    private static async Task<TimeSpan> BareDockerRunAsync(string image, FreeSwitchConf conf, CancellationToken ct)
    {
        await using var network = await WebRtcE2E.Fixtures.Docker.HarnessNetwork.CreateAsync("bare", ct);
        var ip = network.Address(10);
        using var wss = WssCertificate.CreateSelfSigned(["freeswitch"], [ip]);
        var secrets = FreeSwitchSecrets.Generate();
        using var staged = StagedFiles.Create(conf, secrets, wss, WssCertificate.SharedDtls, new Dictionary<string, string>
        {
            ["bind_ip"] = ip.ToString(),
            ["esl_allow_cidr"] = $"{network.Gateway}/32",
        });
        var name = $"webrtc-e2e-bare-{Guid.NewGuid():N}"[..28];
        List<string> args = ["run", "-d", "--name", name, "--network", network.Name, "--ip", ip.ToString(),
            "-v", $"{staged.ConfDirectory}:{ContainerTarget.ConfDirectory}", "-v", $"{staged.CertsDirectory}:{ContainerTarget.CertsDir}",
            "-v", $"{staged.SoundsDirectory}:{ContainerTarget.SoundsDirectory}", "--entrypoint", "freeswitch"];
        foreach (var label in WebRtcE2E.Fixtures.Docker.DockerEnvironment.Labels)
        {
            args.AddRange(["--label", $"{label.Key}={label.Value}"]);
        }

        args.Add(image);
        args.AddRange(ContainerTarget.Command);
        var clock = Stopwatch.StartNew();
        try
        {
            await DockerAsync(args, ct);
            var readiness = new FreeSwitchReadiness(ip.ToString(), conf.DefaultPort("esl_port"), secrets.EventSocketPassword, conf.WebRtcProfiles.Select(p => p.Name).ToList(), new FreeSwitchOptions { ReadyPollInterval = TimeSpan.FromMilliseconds(50) });
            // From the `docker run` (create, start) to ready, as a person timing `docker run` would: the readiness
            // wait's own figure starts only once `docker run -d` has returned, 0.4-0.5 s later.
            await readiness.WaitAsync(_ => Task.FromResult<string?>(null), token => DockerAsync(["logs", name], token), ct);
            return clock.Elapsed;
        }
        finally
        {
            await DockerAsync(["rm", "-f", name], CancellationToken.None);
        }
    }

    private static async Task<string> DockerAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync(ct);
        var error = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        return p.ExitCode == 0 ? await output : throw new InvalidOperationException($"docker {string.Join(' ', start.ArgumentList)}: exit {p.ExitCode}: {await error}");
    }

    private static string Stats(List<double> ms)
    {
        var ok = ms.Where(double.IsFinite).Order().ToList();
        return ok.Count == 0
            ? "no value"
            : string.Create(CultureInfo.InvariantCulture, $"min {ok[0]:0} ms, median {ok[ok.Count / 2]:0} ms, max {ok[^1]:0} ms ({ok.Count}/{ms.Count} measured)");
    }
}
