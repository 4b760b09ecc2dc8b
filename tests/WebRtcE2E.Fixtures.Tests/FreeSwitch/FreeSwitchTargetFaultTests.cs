using System.Diagnostics;
using WebRtcE2E.Fixtures.Docker;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.FreeSwitch;

/// <summary>
/// A FreeSWITCH that never becomes ready must fail within its timeout, say what it waited for and show its last
/// log lines, and leave nothing behind. Proven with real containers and processes that are not FreeSWITCH.
/// </summary>
public sealed class FreeSwitchTargetFaultTests
{
    /// <summary>Any local image with a shell will do; the lab image is built by tools/setup.sh.</summary>
    private static string FaultImage => Environment.GetEnvironmentVariable("WEBRTC_E2E_LAB_IMAGE") ?? "webrtc-e2e/lab:bookworm";

    [Test]
    [Category("Unit")]
    public void The_reason_for_no_target_says_what_was_looked_for_and_how_to_get_one()
    {
        var reason = FreeSwitchSettings.NoneConfigured("no Docker engine answers");

        reason.Should().StartWith("no FreeSWITCH target configured, and no Docker engine answers")
            .And.Contain(FreeSwitchSettings.DefaultImage).And.Contain("tools/setup.sh").And.Contain("WEBRTC_E2E_FREESWITCH_SOURCES")
            .And.Contain(FreeSwitchSettings.ImageVariable).And.Contain(FreeSwitchSettings.BinaryVariable).And.Contain(FreeSwitchSettings.HostVariable);
        new FreeSwitchSettings().Kind.Should().BeNull("nothing is configured: the default image decides");
        (new FreeSwitchSettings() with { Binary = "/x", Image = "i" }).Kind.Should().Be(TargetKind.Container, "the image wins over the binary");
    }

    [Test]
    [Category("Lab")]
    [CancelAfter(120_000)]
    public async Task Container_that_never_becomes_ready_fails_within_its_timeout_with_what_it_waited_for_and_its_log(CancellationToken ct)
    {
        var docker = await DockerEnvironment.PrepareAsync(ct);
        docker.Available.Should().BeTrue($"this test needs the Docker engine that tools/setup.sh starts: {docker.Problem}");
        (await DockerEnvironment.ImageExistsAsync(FaultImage, ct)).Should().BeTrue($"{FaultImage} is built by tools/setup.sh");
        var options = new FreeSwitchOptions { ReadyTimeout = TimeSpan.FromSeconds(4) };

        // Prints an error, then stays up without ever opening an event socket.
        const string script = "echo '2026-11-28 10:00:00.000000 [ERR] switch_core.c:2100 something else went wrong'; exec sleep 300";
        var clock = Stopwatch.StartNew();
        var act = () => ContainerTarget.LaunchAsync(FaultImage, "/bin/sh", ["-c", script], FreeSwitchConf.Load(), options, null, ct);

        var failure = (await act.Should().ThrowAsync<FreeSwitchNotReadyException>()).Which;
        clock.Stop();

        TestContext.Out.WriteLine($"failed after {clock.Elapsed.TotalSeconds:0.0} s:\n{failure.Message}");
        failure.Message.Should().Contain("not ready within 4 s")
            .And.Contain("WSS-BIND-URL").And.Contain("external").And.Contain("internal")
            .And.Contain("Last seen: event socket")
            .And.Contain("something else went wrong");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(40), "the ready timeout is 4 s; container start and removal take a few more");
        (await DockerEnvironment.LeftoversAsync(ct)).Should().BeEmpty("a target that failed to start removes its container and network");
    }

    [Test]
    [Category("Unit")] // /bin/false stands for FreeSWITCH: no container, no binary to install
    [CancelAfter(60_000)]
    public async Task Process_that_exits_at_once_fails_fast_saying_it_exited(CancellationToken ct)
    {
        var settings = new FreeSwitchTargetBuilder().WithBinary("/bin/false").WithReadyTimeout(TimeSpan.FromSeconds(30)).Build();
        var clock = Stopwatch.StartNew();

        var act = () => ProcessTarget.LaunchAsync(settings, FreeSwitchConf.Load(), ct);

        var failure = (await act.Should().ThrowAsync<FreeSwitchNotReadyException>()).Which;
        failure.Message.Should().Contain("FreeSWITCH exited before it was ready (exit code 1)").And.Contain("WSS-BIND-URL");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15), "an exited process is noticed at the next probe, not at the 30 s timeout");
    }

    [Test]
    [Category("Lab")]
    [CancelAfter(60_000)]
    public async Task Container_whose_log_refuses_a_webrtc_profile_fails_at_once_with_that_line(CancellationToken ct)
    {
        var docker = await DockerEnvironment.PrepareAsync(ct);
        docker.Available.Should().BeTrue($"this test needs the Docker engine that tools/setup.sh starts: {docker.Problem}");
        var options = new FreeSwitchOptions { ReadyTimeout = TimeSpan.FromSeconds(45) };

        // What FreeSWITCH 1.10.12 logs in its first second for a wss.pem whose key does not match (WORLD notes).
        const string script = "echo '2026-11-28 10:00:00.000000 [ERR] sofia.c:3317 Error Creating SIP UA for profile: internal (sips:mod_sofia@10.0.0.1:7443;transport=wss). Bad WSS.PEM certificate.'; exec sleep 300";
        var clock = Stopwatch.StartNew();
        var act = () => ContainerTarget.LaunchAsync(FaultImage, "/bin/sh", ["-c", script], FreeSwitchConf.Load(), options, null, ct);

        var failure = (await act.Should().ThrowAsync<FreeSwitchNotReadyException>()).Which;
        clock.Stop();

        TestContext.Out.WriteLine($"failed after {clock.Elapsed.TotalSeconds:0.0} s:\n{failure.Message}");
        failure.Message.Should().Contain("refused to start profile internal").And.Contain("Bad WSS.PEM certificate");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "the refusal is in the log at once; the 45 s ready timeout must not be waited out");
        (await DockerEnvironment.LeftoversAsync(ct)).Should().BeEmpty();
    }

    [Test]
    [Category("Lab")]
    [CancelAfter(60_000)]
    public async Task Configured_image_that_is_neither_local_nor_pullable_fails_with_the_pull_error(CancellationToken ct)
    {
        var docker = await DockerEnvironment.PrepareAsync(ct);
        docker.Available.Should().BeTrue($"this test needs the Docker engine that tools/setup.sh starts: {docker.Problem}");
        var settings = new FreeSwitchSettings { Image = "webrtc-e2e/no-such-freeswitch:0" };

        var act = () => FreeSwitchTarget.StartAsync(settings, ct: ct);

        var failure = (await act.Should().ThrowAsync<FreeSwitchTargetException>("a configured image that cannot be had is a failure, not a skip")).Which;
        failure.Should().NotBeOfType<FreeSwitchNotReadyException>();
        failure.Message.Should().Contain("webrtc-e2e/no-such-freeswitch:0").And.Contain("pulling it failed: ");
        TestContext.Out.WriteLine(failure.Message);
        (await DockerEnvironment.LeftoversAsync(ct)).Should().BeEmpty();
    }

    [Test]
    [Category("Unit")]
    public async Task Configured_binary_that_does_not_exist_fails_with_the_cause()
    {
        var act = () => FreeSwitchTarget.StartAsync(new FreeSwitchSettings { Binary = "/nonexistent/freeswitch" });

        (await act.Should().ThrowAsync<FreeSwitchTargetException>())
            .Which.Message.Should().Contain(FreeSwitchSettings.BinaryVariable + "=/nonexistent/freeswitch").And.Contain("no such file");
    }

    [Test]
    [Category("Unit")]
    public async Task Configured_host_without_passwords_fails_with_the_cause()
    {
        var act = () => FreeSwitchTarget.StartAsync(new FreeSwitchSettings { ExternalHost = "127.0.0.1" });

        (await act.Should().ThrowAsync<FreeSwitchTargetException>())
            .Which.Message.Should().Contain(FreeSwitchSettings.EventSocketPasswordVariable);
    }

    [Test]
    [Category("Unit")]
    public void A_refused_webrtc_profile_is_found_in_the_log_and_other_profiles_are_not_counted()
    {
        const string log = """
            2026-11-28 10:00:00.100000 [INFO] sofia.c:3200 Started Profile external [sofia_reg_external]
            2026-11-28 10:00:00.200000 [ERR] sofia.c:3317 Error Creating SIP UA for profile: gateway-only (sip:mod_sofia@10.0.0.1:5090). The likely causes are: Improper sip-ip or ext-sip-ip
            2026-11-28 10:00:00.300000 [ERR] sofia.c:3317 Error Creating SIP UA for profile: internal (sips:mod_sofia@10.0.0.1:7443;transport=wss). Bad WSS.PEM certificate.
            """;

        var refused = FreeSwitchReadiness.RefusedProfile(log, ["external", "internal"]);

        refused.Should().NotBeNull();
        refused!.Value.Profile.Should().Be("internal");
        refused.Value.Line.Should().EndWith("Bad WSS.PEM certificate.");
        FreeSwitchReadiness.RefusedProfile(log, ["external"]).Should().BeNull("gateway-only is not a profile the harness waits for");
    }

    [Test]
    [Category("Unit")]
    public void Version_is_read_from_the_event_socket_answer()
    {
        FreeSwitchReadiness.ParseVersion("FreeSWITCH Version 1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit (git a88d069 2024-08-02 21:02:27Z 64bit)\n")
            .Should().Be("1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit");
    }

    [Test]
    [Category("Unit")]
    public void Only_resources_of_a_gone_owner_on_this_host_are_orphans()
    {
        var me = DockerEnvironment.Labels;
        Dictionary<string, string> With(string key, string value) => new(me) { [key] = value };
        int gone;
        using (var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            exited.WaitForExit();
            gone = exited.Id;
        }

        DockerEnvironment.IsOrphan(me).Should().BeFalse("this process is alive and started when its label says");
        DockerEnvironment.IsOrphan(With(DockerEnvironment.Label, gone.ToString(System.Globalization.CultureInfo.InvariantCulture))).Should().BeTrue("pid {0} has exited", gone);
        DockerEnvironment.IsOrphan(With(DockerEnvironment.StartedLabel, "1000")).Should().BeTrue("a live process that started later than the label says reuses a dead owner's id");
        DockerEnvironment.IsOrphan(new Dictionary<string, string>(With(DockerEnvironment.Label, gone.ToString(System.Globalization.CultureInfo.InvariantCulture))) { [DockerEnvironment.HostLabel] = "another-host" })
            .Should().BeFalse("an owner on another host cannot be judged from here");
        DockerEnvironment.IsOrphan(new Dictionary<string, string> { ["org.testcontainers"] = "true" }).Should().BeFalse("without the owner labels nothing is known");
    }
}
