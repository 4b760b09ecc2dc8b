using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using WebRtcE2E.Fixtures.Docker;
using WebRtcE2E.Fixtures.Network;

namespace WebRtcE2E.Fixtures.Tests.Network;

/// <summary>
/// The faults on a real namespace of a run network: their rules are in the namespace only, they compose, each
/// removes only its own and verifies it, a rule left behind is reported, and a drop really drops.
/// </summary>
[Category("Lab")]
public sealed partial class NetworkFaultsTests
{
    private static readonly IPAddress Peer = IPAddress.Parse("192.0.2.10");

    [Test]
    [CancelAfter(60_000)]
    public async Task Faults_compose_in_the_namespace_only_and_each_removes_exactly_its_own(CancellationToken ct)
    {
        Assume();
        await using var network = await HarnessNetwork.CreateAsync("faulttest", ct);
        await using var ns = await BrowserNamespace.CreateAsync(network, 250, ct);

        var drop = await NetworkFaults.DropUdpAsync(ns, Peer, 16384, 16583, MediaPath.Both, ct);
        var loss = await NetworkFaults.LossAsync(ns, 20, Peer, 16384, 16583, MediaPath.FromFreeSwitch, ct);
        var cut = await NetworkFaults.CutTcpAsync(ns, Peer, 7443, ct);
        var rules = await NetworkFaults.LeftInAsync(ns, ct);
        rules.Should().HaveCount(5, "both ways of the drop, one way of the loss, both ways of the cut");
        rules.Should().Contain(r => r.Contains("--probability 0.2", StringComparison.Ordinal) && r.Contains("--sport 16384:16583", StringComparison.Ordinal));
        rules.Should().Contain(r => r.Contains("--dport 7443", StringComparison.Ordinal) && r.Contains("--reject-with tcp-reset", StringComparison.Ordinal));
        Run(NetworkFaults.Iptables, "-S").Should().NotContain(NetworkFaults.Tag, "no fault touches this machine's own tables");

        await loss.DisposeAsync();
        (await NetworkFaults.LeftInAsync(ns, ct)).Should().HaveCount(4).And.NotContain(r => r.Contains("statistic", StringComparison.Ordinal));
        await drop.DisposeAsync();
        await cut.DisposeAsync();
        (await NetworkFaults.LeftInAsync(ns, ct)).Should().BeEmpty();
        await drop.DisposeAsync(); // a second dispose does nothing
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task A_rule_left_behind_is_reported_when_the_fault_is_removed(CancellationToken ct)
    {
        Assume();
        await using var network = await HarnessNetwork.CreateAsync("faulttest", ct);
        await using var ns = await BrowserNamespace.CreateAsync(network, 250, ct);

        var fault = await NetworkFaults.DropUdpAsync(ns, Peer, 20000, 20010, MediaPath.ToFreeSwitch, ct);
        var id = Tag().Match((await NetworkFaults.LeftInAsync(ns, ct)).Single()).Value;
        // A second copy of its rule, behind its back: deleting one copy leaves the other.
        Run(BrowserNamespace.Ip, "netns", "exec", ns.Name, NetworkFaults.Iptables, "-A", "OUTPUT", "-p", "udp", "-d", Peer.ToString(), "--dport", "20000:20010", "-m", "comment", "--comment", id, "-j", "DROP");

        var removing = async () => await fault.DisposeAsync();
        (await removing.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("still there").And.Contain(id);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task A_dropped_datagram_does_not_arrive_and_arrives_again_once_the_fault_is_removed(CancellationToken ct)
    {
        Assume();
        await using var network = await HarnessNetwork.CreateAsync("faulttest", ct);
        await using var ns = await BrowserNamespace.CreateAsync(network, 250, ct);
        using var receiver = new UdpClient(new IPEndPoint(network.Gateway, 0));
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        var send = $"echo -n probe > /dev/udp/{network.Gateway}/{port}";

        await using (await NetworkFaults.DropUdpAsync(ns, network.Gateway, port, port, MediaPath.ToFreeSwitch, ct))
        {
            // An OUTPUT drop refuses the local send outright (EPERM): the write error is the drop.
            Run(ns.Wrap("/bin/bash"), "-c", send + " || echo refused").Should().Contain("Operation not permitted");
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromSeconds(1));
            var during = async () => await receiver.ReceiveAsync(bound.Token);
            await during.Should().ThrowAsync<OperationCanceledException>("the datagram is dropped in the namespace");
        }

        Run(ns.Wrap("/bin/bash"), "-c", send);
        using var after = CancellationTokenSource.CreateLinkedTokenSource(ct);
        after.CancelAfter(TimeSpan.FromSeconds(5));
        var got = await receiver.ReceiveAsync(after.Token);
        got.RemoteEndPoint.Address.Should().Be(ns.Address);
    }

    [GeneratedRegex(NetworkFaults.Tag + "[0-9a-f]+")]
    private static partial Regex Tag();

    private static void Assume()
    {
        if (NetworkFaults.Unsupported is { } why)
        {
            Assert.Ignore($"nothing to test here: {why}");
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task A_rate_limit_shapes_only_the_namespace_veth_both_ends_and_is_verified_gone(CancellationToken ct)
    {
        Assume();
        await using var network = await HarnessNetwork.CreateAsync("faulttest", ct);
        await using var ns = await BrowserNamespace.CreateAsync(network, 250, ct);

        var rate = await NetworkFaults.RateAsync(ns, 64, MediaPath.Both, ct);
        rate.Description.Should().Be("limiting the browser's link to 64 kbit/s both ways (tc tbf, 50 ms queue)");
        var left = await NetworkFaults.LeftInAsync(ns, ct);
        left.Should().HaveCount(2).And.Contain(l => l.StartsWith($"tbf on {ns.Interface}: qdisc tbf", StringComparison.Ordinal) && l.Contains("rate 64Kbit", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith($"tbf on {ns.HostInterface}: ", StringComparison.Ordinal));
        var here = Run(NetworkFaults.Tc, "qdisc", "show");
        here.Should().Contain("qdisc tbf").And.Contain($"dev {ns.HostInterface} root", "this machine sees the veth's end on its side shaped")
            .And.NotContain($"dev {ns.Interface} ", "the namespace's own end is not on this machine");
        (await rate.DroppedAsync(ct)).Should().Be(0, "nothing was sent yet");

        await rate.DisposeAsync();
        (await NetworkFaults.LeftInAsync(ns, ct)).Should().BeEmpty();
        await rate.DisposeAsync(); // a second dispose does nothing
        var tooSlow = () => NetworkFaults.RateAsync(ns, 4, MediaPath.Both, ct);
        await tooSlow.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    private static string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit(10_000).Should().BeTrue($"{file} {string.Join(' ', args)} ends");
        p.ExitCode.Should().Be(0, "{0} {1}: {2}", file, string.Join(' ', args), output);
        return output;
    }
}
