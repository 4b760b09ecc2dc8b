using System.Net;
using System.Net.Sockets;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.Cli;

/// <summary>
/// <c>webrtc-e2e call</c> as a user runs it: a child process against a FreeSWITCH started from the image the
/// project builds (freeswitch-conf/, its self-signed wss certificate trusted by pin or by file), on both phones.
/// </summary>
[Category("FreeSwitch")]
public sealed class CallCommandTests
{
    private FreeSwitchTarget? target;
    private string evidenceRoot = "";

    [OneTimeSetUp]
    public async Task StartTargetAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        try
        {
            // Nothing configured: the default image, or Ignored with the reason when it is not there.
            target = await new FreeSwitchTargetBuilder().StartAsync(ct: cts.Token);
        }
        catch (TargetUnavailableException e)
        {
            Assert.Ignore(e.Message);
        }

        evidenceRoot = Directory.CreateTempSubdirectory("webrtc-e2e-call-").FullName;
        await TestContext.Progress.WriteLineAsync($"FreeSWITCH target: {target.Summary}");
    }

    [OneTimeTearDown]
    public async Task StopTargetAsync()
    {
        if (target is not null)
        {
            await target.DisposeAsync();
        }

        if (Directory.Exists(evidenceRoot))
        {
            Directory.Delete(evidenceRoot, recursive: true);
        }
    }

    [Test]
    [Category("Browser")]
    [CancelAfter(120_000)]
    public async Task The_trunk_test_number_is_answered_with_its_tone_on_the_browser_phone(CancellationToken ct) =>
        await TrunkTestNumberAsync("browser", ct);

    [Test]
    [Category("Browser")]
    [Category("BrowserSipJs")]
    [CancelAfter(120_000)]
    public async Task The_trunk_test_number_is_answered_with_its_tone_on_the_SIP_js_browser_phone(CancellationToken ct) =>
        await TrunkTestNumberAsync("browser-sipjs", ct);

    [Test]
    [Category("Native")]
    [CancelAfter(120_000)]
    public async Task The_trunk_test_number_is_answered_with_its_tone_on_the_native_phone(CancellationToken ct) =>
        await TrunkTestNumberAsync("native", ct);

    [Test]
    [Category("Browser")]
    [CancelAfter(120_000)]
    public async Task The_silent_number_is_connected_but_silent_on_the_browser_phone(CancellationToken ct) =>
        await SilentNumberAsync("browser", ct);

    [Test]
    [Category("Native")]
    [CancelAfter(120_000)]
    public async Task The_silent_number_is_connected_but_silent_on_the_native_phone(CancellationToken ct) =>
        await SilentNumberAsync("native", ct);

    [Test]
    [Category("Native")]
    [CancelAfter(60_000)]
    public async Task Without_a_pin_or_a_file_the_self_signed_certificate_is_refused_with_what_to_pass(CancellationToken ct)
    {
        var run = await CallAsync(["call", target!.WssUri("external").ToString(), target.Conf.Number("TRUNK_WEBRTC_TEST"), "--phone", "native"], ct);

        run.ExitCode.Should().Be(4, run.ToString());
        run.Output.Should().Contain("was refused").And.Contain("--pin " + target.Certificate!.SpkiSha256Base64).And.Contain("--cert", run.ToString());
    }

    private async Task TrunkTestNumberAsync(string phone, CancellationToken ct)
    {
        // 07010002000: answer, 1000 Hz for 3 s, hang up. Trusted by pin.
        var run = await CallAsync(
            ["call", target!.WssUri("external").ToString(), target.Conf.Number("TRUNK_WEBRTC_TEST"), "--phone", phone, "--pin", target.Certificate!.SpkiSha256Base64, "--listen", "2.5s", "--tone", "1000"],
            ct);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().Contain("answered: yes, 200", run.ToString())
            .And.MatchRegex(@"heard: strongest (99\d|100\d) Hz at -\d+\.\d dBFS", "the tone heard is printed")
            .And.Contain("result: PASS");
        EvidenceOf(run).Should().Contain(["ladder.html", "console.txt", "stats.json", "verdict.json", $"audio-{phone}.png"]);
        if (phone.StartsWith("browser", StringComparison.Ordinal))
        {
            run.Output.Should().Contain("ICE state connected").And.Contain("DTLS state connected", "the browser's ICE/DTLS summary is printed");
        }
    }

    private async Task SilentNumberAsync(string phone, CancellationToken ct)
    {
        // 07010002004: answered, silence. Trusted by file: the certificate alone, as a client has it.
        var certFile = Path.Combine(evidenceRoot, $"server-{phone}.pem");
        await File.WriteAllTextAsync(certFile, target!.Certificate!.CertificatePem, ct);
        var run = await CallAsync(
            ["call", target.WssUri("external").ToString(), target.Conf.Number("SILENCE"), "--phone", phone, "--cert", certFile],
            ct);

        run.ExitCode.Should().NotBe(0, run.ToString()).And.Be(2);
        run.Output.Should().Contain("connected but silent", run.ToString()).And.Contain("answered: yes");
        EvidenceOf(run).Should().Contain("verdict.json");
    }

    private Task<CliRun> CallAsync(string[] args, CancellationToken ct) =>
        CliProcess.RunAsync([.. args, "--evidence", evidenceRoot], evidenceRoot, ct);

    private static IReadOnlyList<string> EvidenceOf(CliRun run)
    {
        var line = run.Output.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith("evidence: ", StringComparison.Ordinal));
        line.Should().NotBeNull($"the evidence folder is printed\n{run}");
        var dir = line!["evidence: ".Length..];
        Directory.Exists(dir).Should().BeTrue(dir);
        return Directory.GetFiles(dir).Select(Path.GetFileName).ToList()!;
    }
}

/// <summary><c>webrtc-e2e call</c> where nothing listens: no FreeSWITCH, no browser, a refused loopback port.</summary>
[Category("Unit")]
public sealed class CallCommandClosedPortTests
{
    [Test]
    [CancelAfter(30_000)]
    public async Task A_closed_port_fails_within_5_seconds_saying_nothing_listens(CancellationToken ct)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop(); // free, and nobody listens on it now
        }

        var run = await CliProcess.RunAsync(["call", $"wss://127.0.0.1:{port}", "07010002000"], Path.GetTempPath(), ct);

        run.ExitCode.Should().NotBe(0, run.ToString());
        run.Took.Should().BeLessThan(TimeSpan.FromSeconds(5), "a dead address fails fast, before any phone starts");
        run.Output.Should().Contain($"cannot connect to 127.0.0.1:{port}: nothing listens there", run.ToString());
    }
}
