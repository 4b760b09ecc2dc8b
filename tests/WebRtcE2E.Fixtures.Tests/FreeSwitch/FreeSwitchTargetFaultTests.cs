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
    public async Task No_target_configured_is_unavailable_with_the_exact_reason()
    {
        var act = () => FreeSwitchTarget.StartAsync(new FreeSwitchSettings());

        (await act.Should().ThrowAsync<TargetUnavailableException>())
            .Which.Message.Should().Contain(FreeSwitchSettings.ImageVariable).And.Contain(FreeSwitchSettings.BinaryVariable).And.Contain(FreeSwitchSettings.HostVariable);
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

        // Prints what a broken FreeSWITCH prints, then stays up without ever opening an event socket.
        const string script = "echo '2026-11-28 10:00:00.000000 [ERR] sofia.c:3412 Error Creating SIP UA for profile: external (sips:mod_sofia@10.0.0.1:7444;transport=wss). Bad WSS.PEM certificate.'; exec sleep 300";
        var clock = Stopwatch.StartNew();
        var act = () => ContainerTarget.LaunchAsync(FaultImage, "/bin/sh", ["-c", script], FreeSwitchConf.Load(), options, ct);

        var failure = (await act.Should().ThrowAsync<FreeSwitchNotReadyException>()).Which;
        clock.Stop();

        TestContext.Out.WriteLine($"failed after {clock.Elapsed.TotalSeconds:0.0} s:\n{failure.Message}");
        failure.Message.Should().Contain("not ready within 4 s")
            .And.Contain("WSS-BIND-URL").And.Contain("external").And.Contain("internal")
            .And.Contain("Last seen: event socket")
            .And.Contain("Error Creating SIP UA for profile: external");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(40), "the ready timeout is 4 s; container start and removal take a few more");
        (await DockerEnvironment.LeftoversAsync(ct)).Should().BeEmpty("a target that failed to start removes its container and network");
    }

    [Test]
    [Category("Lab")]
    [CancelAfter(60_000)]
    public async Task Process_that_exits_at_once_fails_fast_saying_it_exited(CancellationToken ct)
    {
        var settings = new FreeSwitchSettings { Binary = "/bin/false", Options = new FreeSwitchOptions { ReadyTimeout = TimeSpan.FromSeconds(30) } };
        var clock = Stopwatch.StartNew();

        var act = () => ProcessTarget.LaunchAsync(settings, FreeSwitchConf.Load(), ct);

        var failure = (await act.Should().ThrowAsync<FreeSwitchNotReadyException>()).Which;
        failure.Message.Should().Contain("FreeSWITCH exited before it was ready (exit code 1)").And.Contain("WSS-BIND-URL");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15), "an exited process is noticed at the next probe, not at the 30 s timeout");
    }

    [Test]
    [Category("Lab")]
    [CancelAfter(60_000)]
    public async Task Image_that_is_not_present_locally_is_unavailable_not_pulled(CancellationToken ct)
    {
        var docker = await DockerEnvironment.PrepareAsync(ct);
        docker.Available.Should().BeTrue($"this test needs the Docker engine that tools/setup.sh starts: {docker.Problem}");
        var settings = new FreeSwitchSettings { Image = "webrtc-e2e/no-such-freeswitch:0" };

        var act = () => ContainerTarget.LaunchAsync(settings, FreeSwitchConf.Load(), ct);

        (await act.Should().ThrowAsync<TargetUnavailableException>()).Which.Message.Should().Contain("not present in the local Docker engine");
        (await DockerEnvironment.LeftoversAsync(ct)).Should().BeEmpty();
    }
}
