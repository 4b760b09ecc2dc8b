using System.Diagnostics;
using WebRtcE2E.Fixtures.Docker;
using WebRtcE2E.Fixtures.Network;

namespace WebRtcE2E.Fixtures.Tests.Network;

/// <summary>The browser's own host on a run network: made, reachable, removed; and what a killed run left, removed.</summary>
[Category("Lab")]
public sealed class BrowserNamespaceTests
{
    [Test]
    [CancelAfter(60_000)]
    public async Task Namespace_sits_on_the_run_network_at_its_address_and_is_gone_after_dispose(CancellationToken ct)
    {
        Assume();
        await using var network = await HarnessNetwork.CreateAsync("nstest", ct);
        string name;
        await using (var ns = await BrowserNamespace.CreateAsync(network, 250, ct))
        {
            name = ns.Name;
            BrowserNamespace.LeftoversOfThisProcess().Should().Contain($"network namespace {name}", "what a run checks last sees it while it exists");
            (await DockerEnvironment.LeftoversOfThisProcessAsync(ct)).Should().Contain($"network {network.Name}");
            ns.Address.ToString().Should().Be(network.Address(250).ToString());
            ns.Gateway.Should().Be(network.Gateway);
            NamespaceNames().Should().Contain(name);

            // Inside, the one interface has the address; the host is reachable on the bridge; there is no default route.
            var inside = Run(ns.Wrap("/usr/sbin/ip"), "-4", "-o", "addr");
            inside.Should().Contain($"{ns.Address}/24").And.Contain("127.0.0.1/8");
            Run(ns.Wrap("/usr/sbin/ip"), "route").Should().NotContain("default", "nothing leaves the run network");
            using var listener = new System.Net.Sockets.TcpListener(network.Gateway, 0);
            listener.Start();
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            var accepted = listener.AcceptTcpClientAsync(ct);
            Run(ns.Wrap("/bin/bash"), "-c", $"echo hello > /dev/tcp/{network.Gateway}/{port} && echo connected").Should().Contain("connected");
            using var client = await accepted;
        }

        NamespaceNames().Should().NotContain(name, "dispose deletes the namespace and its veth");
        BrowserNamespace.LeftoversOfThisProcess().Should().NotContain($"network namespace {name}");
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Namespace_of_a_run_that_is_gone_is_removed_by_the_next(CancellationToken ct)
    {
        Assume();
        // A process id that cannot be running (above pid_max), as a killed run's namespace would carry.
        var leftover = $"{BrowserNamespace.Prefix}4194999-1700000000000-dead01";
        Run(BrowserNamespace.Ip, "netns", "add", leftover);
        try
        {
            var removed = await BrowserNamespace.RemoveOrphansAsync(ct);
            removed.Should().Contain(r => r.Contains(leftover, StringComparison.Ordinal));
            NamespaceNames().Should().NotContain(leftover);
        }
        finally
        {
            if (NamespaceNames().Contains(leftover))
            {
                Run(BrowserNamespace.Ip, "netns", "delete", leftover);
            }
        }
    }

    private static void Assume()
    {
        if (BrowserNamespace.Unsupported is { } why)
        {
            Assert.Ignore($"nothing to test here: {why}");
        }
    }

    private static IReadOnlyList<string> NamespaceNames() =>
        Directory.Exists("/run/netns") ? Directory.EnumerateFiles("/run/netns").Select(Path.GetFileName).OfType<string>().ToList() : [];

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
        return output;
    }
}
