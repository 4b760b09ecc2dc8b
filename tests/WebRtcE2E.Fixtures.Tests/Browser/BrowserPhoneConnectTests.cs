using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using WebRtcE2E.Fixtures.Phones.Browser;

namespace WebRtcE2E.Fixtures.Tests.Browser;

/// <summary>The browser phone's failures: each fails fast and says what to do, none hangs.</summary>
public sealed class BrowserPhoneConnectTests
{
    [Test]
    [Category("Lab")]
    [Category("Browser")]
    [CancelAfter(60_000)]
    public async Task Wss_url_where_nothing_listens_fails_connect_fast(CancellationToken ct)
    {
        await using var host = await BrowserHost.LaunchAsync(ct: ct);
        var port = FreeLoopbackPort();
        var url = new Uri($"wss://127.0.0.1:{port}");

        var watch = Stopwatch.StartNew();
        var act = () => host.OpenPhoneAsync(new BrowserPhoneOptions { Name = "nobody-home", WebSocketUri = url }, ct);
        var failure = (await act.Should().ThrowAsync<BrowserConnectException>()).Which;
        watch.Stop();

        await TestContext.Out.WriteLineAsync($"failed after {watch.ElapsedMilliseconds} ms: {failure.Message}");
        failure.Failure.Should().Be(ConnectFailure.NothingListens);
        failure.Message.Should().Contain("nothing listens").And.Contain($"127.0.0.1:{port}");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "a closed port must fail fast, not hang");
    }

    [Test]
    [Category("Lab")]
    [Category("Browser")]
    [CancelAfter(60_000)]
    public async Task A_test_failing_midway_leaves_no_browser_process_behind(CancellationToken ct)
    {
        if (!ProcessTree.Supported)
        {
            Assert.Ignore("process tracking reads /proc (Linux only)");
        }

        IReadOnlyList<ProcessTree.Entry> processes = [];
        var failingTest = async () =>
        {
            await using var host = await BrowserHost.LaunchAsync(ct: ct);
            try
            {
                await host.OpenPhoneAsync(new BrowserPhoneOptions { Name = "doomed", WebSocketUri = new Uri($"wss://127.0.0.1:{FreeLoopbackPort()}") }, ct);
            }
            finally
            {
                processes = host.Processes;
            }
        };

        await failingTest.Should().ThrowAsync<BrowserConnectException>();
        await TestContext.Out.WriteLineAsync($"tracked {processes.Count} processes before the failure unwound");
        processes.Should().Contain(p => p.CommandLine.Contains("--type=renderer", StringComparison.Ordinal));
        ProcessTree.Alive(processes).Should().BeEmpty("disposal on the failure path ends Chromium and the Playwright driver");
    }

    [Test]
    [Category("Unit")]
    [Category("Browser")]
    public async Task Missing_chromium_fails_with_a_setup_hint()
    {
        var act = () => BrowserHost.LaunchAsync(new BrowserOptions { ChromiumPath = "/nonexistent/chromium" });
        (await act.Should().ThrowAsync<BrowserSetupException>())
            .WithMessage("*Chromium not found at /nonexistent/chromium*tools/setup.sh*WEBRTC_E2E_CHROMIUM*");
    }

    [Test]
    [Category("Unit")]
    [Category("Browser")]
    public void Missing_bundle_fails_with_a_setup_hint()
    {
        var dir = Directory.CreateTempSubdirectory("webrtc-e2e-assets-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "phone.html"), "<html></html>");
            var act = () => PhoneAssets.Locate(dir.FullName);
            act.Should().Throw<BrowserSetupException>().WithMessage("*dist/jssip.js is missing*tools/setup.sh*npm ci && npm run build*");

            // Both stacks are in every page: the SIP.js bundle alone missing is named too.
            Directory.CreateDirectory(Path.Combine(dir.FullName, "dist"));
            File.WriteAllText(Path.Combine(dir.FullName, "dist", "jssip.js"), "");
            act.Should().Throw<BrowserSetupException>().Which.Message.Should().Contain("dist/sipjs.js is missing").And.NotContain("jssip.js is missing");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    [Category("Unit")]
    [Category("Browser")]
    public void Chromium_switches_pin_the_given_keys_and_keep_host_addresses()
    {
        var args = BrowserHost.ChromiumArguments(new BrowserOptions { TrustedSpkiSha256 = ["AAA=", "BBB="] }, "--webrtc-e2e-host=x");
        args.Should().Contain("--ignore-certificate-errors-spki-list=AAA=,BBB=")
            .And.Contain("--disable-features=WebRtcHideLocalIpsWithMdns")
            .And.Contain("--allow-loopback-in-peer-connection")
            .And.NotContain("--ignore-certificate-errors", "only the pinned keys are trusted, not every certificate");

        BrowserHost.ChromiumArguments(new BrowserOptions { HideLocalIpsWithMdns = true }, "--webrtc-e2e-host=x")
            .Should().NotContain(a => a.Contains("WebRtcHideLocalIpsWithMdns", StringComparison.Ordinal))
            .And.NotContain(a => a.StartsWith("--ignore-certificate-errors-spki-list", StringComparison.Ordinal));
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
