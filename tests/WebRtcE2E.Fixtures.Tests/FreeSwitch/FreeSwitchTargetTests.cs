using System.Diagnostics;
using WebRtcE2E.Fixtures.Docker;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.FreeSwitch;

/// <summary>
/// Each target kind starts FreeSWITCH with freeswitch-conf/ and is ready for WebRTC. What each needs comes from
/// the settings, or else from the image tools/setup.sh builds: the Container kind runs it, the Process kind runs
/// its binary taken out of it (with its libraries), the External kind reaches a server started from it. Only when
/// nothing is configured and that image does not exist is a test Ignored, with the exact reason.
/// </summary>
[Category("FreeSwitch")]
public sealed class FreeSwitchTargetTests
{
    private static FreeSwitchSettings Settings => FreeSwitchSettings.FromEnvironment(name => TestContext.Parameters.Get(name));

    [Test]
    [CancelAfter(180_000)]
    public async Task Container_target_is_ready_on_7444_and_7443_and_leaves_no_container(CancellationToken ct)
    {
        var settings = Settings.Image is null ? await DefaultImageSettingsAsync(ct) : Settings;

        string containerId;
        await using (var target = await ContainerTarget.LaunchAsync(settings, FreeSwitchConf.Load(), ct))
        {
            await AssertReadyForWebRtc(target, ct);
            target.WssUri("external").Port.Should().Be(7444, "the article's wss-binding");
            target.WssUri("internal").Port.Should().Be(7443);
            containerId = target.ContainerId;
            if (settings.Image == FreeSwitchSettings.DefaultImage)
            {
                target.Version.Should().StartWith(FreeSwitchSettings.DefaultVersion + "-", "the default image is built from the {0} tag", FreeSwitchSettings.DefaultVersion);
            }
        }

        (await DockerEnvironment.LeftoversAsync(ct)).Should().BeEmpty("the harness removes the container {0} and its network", containerId);
    }

    [Test]
    [CancelAfter(180_000)]
    public async Task Process_target_is_ready_on_free_ports_and_its_process_is_gone_after(CancellationToken ct)
    {
        using var fromImage = Settings.Binary is null ? await ImageBinary.ExportAsync((await DefaultImageSettingsAsync(ct)).Image!, ct) : null;
        var settings = fromImage?.Settings(Settings.Options) ?? Settings;
        TestContext.Out.WriteLine(fromImage is null ? $"binary: {settings.Binary}" : $"binary: freeswitch of {fromImage.Image}, taken out with its libraries into {fromImage.Root}");

        int pid;
        await using (var target = await ProcessTarget.LaunchAsync(settings, FreeSwitchConf.Load(), ct))
        {
            await AssertReadyForWebRtc(target, ct);
            pid = target.ProcessId;
            target.WssUri("external").Host.Should().Be("127.0.0.1");
        }

        ProcessIsGone(pid).Should().BeTrue($"freeswitch pid {pid} was started by the harness and must be stopped by it");
    }

    [Test]
    [CancelAfter(180_000)]
    public async Task External_target_is_ready_and_answers_on_its_event_socket(CancellationToken ct)
    {
        var settings = Settings;
        ContainerTarget? server = null;
        if (settings.ExternalHost is null)
        {
            // A server the External target did not start: a container of the image, with passwords set by hand
            // as an administrator would (one for the event socket, one for users 1000-1019).
            var image = (await DefaultImageSettingsAsync(ct)).Image!;
            var secrets = FreeSwitchSecrets.Uniform("esl-" + Guid.NewGuid().ToString("N")[..12], "user-" + Guid.NewGuid().ToString("N")[..12]);
            server = await ContainerTarget.LaunchAsync(image, "freeswitch", ContainerTarget.Command, FreeSwitchConf.Load(), new FreeSwitchOptions(), secrets, ct);
            settings = new FreeSwitchTargetBuilder(settings).WithExternalHost(server.Host, secrets.EventSocketPassword, secrets.PasswordOf("1000")).Build();
            TestContext.Out.WriteLine($"server for the External target: {server.Summary}");
        }

        await using var _ = server;
        await using var target = await ExternalTarget.ConnectAsync(settings, FreeSwitchConf.Load(), ct);
        await AssertReadyForWebRtc(target, ct);
        target.Kind.Should().Be(TargetKind.External);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task A_wss_pem_whose_key_does_not_match_fails_the_target_at_once_with_freeswitchs_own_reason(CancellationToken ct)
    {
        var image = Settings.Image ?? (await DefaultImageSettingsAsync(ct)).Image!;
        // The run's wss certificate with another certificate's key (the DTLS one): what a wrong
        // `cat fullchain.pem privkey.pem > wss.pem` gives. Then FreeSWITCH as the harness starts it.
        var script = $"cd {ContainerTarget.CertsDir} && awk '/BEGIN CERTIFICATE/,/END CERTIFICATE/' wss.pem > c.pem && awk '/BEGIN .*PRIVATE KEY/,/END .*PRIVATE KEY/' dtls-srtp.pem > k.pem && cat c.pem k.pem > wss.pem && rm c.pem k.pem && exec {Settings.ImageBinary} \"$@\"";
        var options = new FreeSwitchOptions { ReadyTimeout = TimeSpan.FromSeconds(60) };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var act = () => ContainerTarget.LaunchAsync(image, "/bin/sh", ["-c", script, "freeswitch", .. ContainerTarget.Command], FreeSwitchConf.Load(), options, null, ct);

        var failure = (await act.Should().ThrowAsync<FreeSwitchNotReadyException>()).Which;
        clock.Stop();
        TestContext.Out.WriteLine($"failed after {clock.Elapsed.TotalSeconds:0.0} s:\n{failure.Message}");
        failure.Message.Should().Contain("refused to start profile").And.Contain("Bad WSS.PEM certificate");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "FreeSWITCH logs the refusal in its first second; the 60 s ready timeout must not be waited out");
        (await DockerEnvironment.LeftoversAsync(ct)).Should().BeEmpty();
    }

    /// <summary>The default image's settings; Ignored (nothing configured) when it does not exist.</summary>
    internal static async Task<FreeSwitchSettings> DefaultImageSettingsAsync(CancellationToken ct)
    {
        try
        {
            return await FreeSwitchTarget.DefaultSettingsAsync(new FreeSwitchSettings { Options = Settings.Options }, ct);
        }
        catch (TargetUnavailableException e)
        {
            Assert.Ignore(e.Message);
            throw; // unreachable: Ignore throws
        }
    }

    private static async Task AssertReadyForWebRtc(FreeSwitchTarget target, CancellationToken ct)
    {
        target.WssBindUrls.Keys.Should().Contain(["external", "internal"]);
        target.WssBindUrls["external"].Should().Contain($":{target.WssUri("external").Port}").And.Contain("transport=wss");
        target.WssBindUrls["internal"].Should().Contain($":{target.WssUri("internal").Port}");

        await using var esl = await target.EventSocketAsync(ct);
        var status = await esl.ApiAsync("status", ct);
        status.Should().Contain("is ready");
        target.Version.Should().MatchRegex(@"^\d+\.\d+\.\d+", "readiness reads FreeSWITCH's version from its event socket");
        TestContext.Out.WriteLine($"{target.Summary}: ready after {target.ReadyAfter.TotalSeconds:0.0} s; {string.Join("; ", target.WssBindUrls.Select(u => $"{u.Key} {u.Value}"))}");
    }

    private static bool ProcessIsGone(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
