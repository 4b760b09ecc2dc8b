using System.Diagnostics;
using WebRtcE2E.Fixtures.Docker;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.FreeSwitch;

/// <summary>
/// Each target kind starts FreeSWITCH with freeswitch-conf/ and is ready for WebRTC, where that kind is
/// configured; where it is not, the test is Ignored with the exact reason, never passed.
/// </summary>
[Category("FreeSwitch")]
public sealed class FreeSwitchTargetTests
{
    private static FreeSwitchSettings Settings => FreeSwitchSettings.FromEnvironment(name => TestContext.Parameters.Get(name));

    [Test]
    [CancelAfter(180_000)]
    public async Task Container_target_is_ready_on_7444_and_7443_and_leaves_no_container(CancellationToken ct)
    {
        var settings = Settings;
        if (settings.Image is null)
        {
            Assert.Ignore($"{FreeSwitchSettings.ImageVariable} is not set, so there is no FreeSWITCH image to start (FreeSWITCH cannot be installed or pulled on this machine; see README, FreeSWITCH targets)");
        }

        string containerId;
        await using (var target = await Start(() => ContainerTarget.LaunchAsync(settings, FreeSwitchConf.Load(), ct)))
        {
            await AssertReadyForWebRtc(target, ct);
            target.WssUri("external").Port.Should().Be(7444, "the article's wss-binding");
            target.WssUri("internal").Port.Should().Be(7443);
            containerId = target.ContainerId;
            TestContext.Out.WriteLine($"{target}");
        }

        (await DockerEnvironment.LeftoversAsync(ct)).Should().BeEmpty("the harness removes the container {0} and its network", containerId);
    }

    [Test]
    [CancelAfter(180_000)]
    public async Task Process_target_is_ready_on_free_ports_and_its_process_is_gone_after(CancellationToken ct)
    {
        var settings = Settings;
        if (settings.Binary is null)
        {
            Assert.Ignore($"{FreeSwitchSettings.BinaryVariable} is not set, so there is no local freeswitch binary to start (see README, FreeSWITCH targets)");
        }

        int pid;
        await using (var target = await Start(() => ProcessTarget.LaunchAsync(settings, FreeSwitchConf.Load(), ct)))
        {
            await AssertReadyForWebRtc(target, ct);
            pid = target.ProcessId;
            target.WssUri("external").Host.Should().Be("127.0.0.1");
            TestContext.Out.WriteLine($"{target}, ready after {target.ReadyAfter.TotalSeconds:0.0} s");
        }

        ProcessIsGone(pid).Should().BeTrue($"freeswitch pid {pid} was started by the harness and must be stopped by it");
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task External_target_is_ready_and_answers_on_its_event_socket(CancellationToken ct)
    {
        var settings = Settings;
        if (settings.ExternalHost is null)
        {
            Assert.Ignore($"{FreeSwitchSettings.HostVariable} is not set, so there is no running FreeSWITCH to reach (see README, FreeSWITCH targets)");
        }

        await using var target = await Start(() => ExternalTarget.ConnectAsync(settings, FreeSwitchConf.Load(), ct));
        await AssertReadyForWebRtc(target, ct);
    }

    private static async Task<T> Start<T>(Func<Task<T>> start)
    {
        try
        {
            return await start();
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
        TestContext.Out.WriteLine($"{target.Description}: ready after {target.ReadyAfter.TotalSeconds:0.0} s; {string.Join("; ", target.WssBindUrls.Select(u => $"{u.Key} {u.Value}"))}");
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
