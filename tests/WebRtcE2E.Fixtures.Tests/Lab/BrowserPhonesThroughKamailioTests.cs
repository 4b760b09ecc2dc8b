using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text.RegularExpressions;
using WebRtcE2E.Fixtures.Docker;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Lab;
using WebRtcE2E.Fixtures.Media;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Browser;

namespace WebRtcE2E.Fixtures.Tests.Lab;

/// <summary>
/// The browser phone proven against a real SIP server from Debian: Kamailio 5.6 over WSS with the run's
/// generated certificate, two browser phones in one Chromium calling each other, once on JsSIP and once on SIP.js
/// (the same page and .NET side, another SIP stack). Needs tools/setup.sh (Chromium, both bundles, the lab
/// image); each test starts and removes its own lab and browser.
/// </summary>
[Category("Lab")]
[Category("Browser")]
public sealed class BrowserPhonesThroughKamailioTests
{
    // Each phone sends its own tone, far from the DTMF frequencies (697-1633 Hz), so who is heard is plain and
    // a digit cannot be mistaken for the other side's tone.
    private const double ToneA = 440;
    private const double ToneB = 2000;

    // What "hears the other's tone" means here: sent at amplitude 0.5 (-9 dBFS), a tone that arrives at least
    // this loud, and within this time of answer.
    private const double HeardAboveDbfs = -20;
    private static readonly TimeSpan HeardWithin = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan ListenWindow = TimeSpan.FromSeconds(2);

    [TestCase(BrowserStack.JsSip)]
    [TestCase(BrowserStack.SipJs, Category = "BrowserSipJs")]
    [CancelAfter(120_000)]
    public async Task Two_browser_phones_call_each_other_through_Kamailio_over_wss(BrowserStack stack, CancellationToken ct)
    {
        await using var lab = await KamailioLab.StartAsync(ct: ct);
        await using var host = await BrowserHost.LaunchAsync(new BrowserOptions { TrustedSpkiSha256 = [lab.Certificate.SpkiSha256Base64] }, ct);
        var a = await host.OpenPhoneAsync(new BrowserPhoneOptions { Name = "A", Stack = stack, ToneHz = ToneA, WebSocketUri = lab.WssUri, LoopbackIceOnly = true }, ct);
        var b = await host.OpenPhoneAsync(new BrowserPhoneOptions { Name = "B", Stack = stack, ToneHz = ToneB, WebSocketUri = lab.WssUri, LoopbackIceOnly = true }, ct);
        var output = TestContext.Out;
        await output.WriteLineAsync($"Kamailio ready {lab.ReadyAfter.TotalMilliseconds:0} ms after start at {lab.WssUri}; Chromium {host.Version}; WebSocket open in {a.ConnectTime.TotalMilliseconds:0} / {b.ConnectTime.TotalMilliseconds:0} ms");
        try
        {
            // Register both over WSS (digest-authenticated by Kamailio).
            var regA = await a.RegisterAsync(lab.Credentials("alice"), ct);
            var regB = await b.RegisterAsync(lab.Credentials("bob"), ct);
            regA.Should().Match<RegistrationResult>(r => r.Registered && r.Status == 200, $"A's REGISTER: {regA}");
            regB.Should().Match<RegistrationResult>(r => r.Registered && r.Status == 200, $"B's REGISTER: {regB}");
            await output.WriteLineAsync($"registered: A {regA.Took.TotalMilliseconds:0} ms, B {regB.Took.TotalMilliseconds:0} ms");

            // A calls B; B answers.
            var callA = await a.DialAsync($"sip:bob@{lab.Domain}", ct: ct);
            var callB = await b.NextIncomingCallAsync(TimeSpan.FromSeconds(10), ct);
            callB.RemoteUri.Should().Contain("alice");
            callB.CallId.Should().Be(callA.CallId, "both phones see the same dialog");
            await callB.AnswerAsync(ct);
            var answered = await callA.AnsweredAsync(ct: ct);
            await output.WriteLineAsync($"answered: setup {answered.SetupTime.TotalMilliseconds:0} ms, status {answered.Status}, Call-ID {callA.CallId}");

            // Each hears the other's tone, not its own.
            var (heardByA, heardByB) = await ListenBothAsync(callA, callB, ct);
            Report(output, "after answer", heardByA, heardByB);
            AssertHears(heardByA, ToneB, ToneA, "A (after answer)");
            AssertHears(heardByB, ToneA, ToneB, "B (after answer)");

            // DTMF from A as RFC 4733 events; B finds the digits in what it hears.
            var watch = Stopwatch.StartNew();
            await callA.SendDtmfAsync("159#", DtmfMethod.Rfc4733, ct);
            var digits = await callB.ReceivedDtmfAsync(4, TimeSpan.FromSeconds(5), ct);
            await output.WriteLineAsync($"DTMF: A sent 159# (RFC 4733), B decoded \"{digits}\" {watch.ElapsedMilliseconds} ms after sending started: " +
                string.Join(", ", ((BrowserCall)callB).Digits.Select(d => $"{d.Digit} at {d.Offset.TotalSeconds:0.00} s for {d.Duration.TotalMilliseconds:0} ms")));
            digits.Should().Be("159#");

            // DTMF from B as SIP INFO (application/dtmf-relay), relayed in-dialog by Kamailio; the stack reports it.
            await callB.SendDtmfAsync("7*", DtmfMethod.SipInfo, ct);
            var info = await callA.ReceivedDtmfAsync(2, TimeSpan.FromSeconds(5), ct);
            await output.WriteLineAsync($"DTMF: B sent 7* (SIP INFO), A received \"{info}\"");
            info.Should().Be("7*");
            a.SipTrace.Should().Contain(t => t.Direction == TraceDirection.Received && t.FirstLine.StartsWith("INFO ", StringComparison.Ordinal));

            // Hold: A holds, both go silent.
            await callA.HoldAsync(ct);
            var (heldA, heldB) = await ListenBothAsync(callA, callB, ct, TimeSpan.FromSeconds(1.5));
            Report(output, "on hold", heldA, heldB);
            AssertSilentAfter(heldA, TimeSpan.FromMilliseconds(500), "A on hold");
            AssertSilentAfter(heldB, TimeSpan.FromMilliseconds(500), "B while A holds");

            // Unhold: the tones come back.
            await callA.UnholdAsync(ct);
            var (backA, backB) = await ListenBothAsync(callA, callB, ct);
            Report(output, "after unhold", backA, backB);
            AssertHears(backA, ToneB, ToneA, "A (after unhold)");
            AssertHears(backB, ToneA, ToneB, "B (after unhold)");

            // A hangs up: A ended it locally, B saw the remote BYE.
            await callA.HangupAsync(ct);
            var endA = await callA.EndedAsync(ct: ct);
            var endB = await callB.EndedAsync(ct: ct);
            await output.WriteLineAsync($"end: A {endA}; B {endB}");
            endA.By.Should().Be(EndedBy.Local);
            endA.ClientCause.Should().Be("Terminated", "JsSIP's cause (SIP.js's page uses JsSIP's words) for a call this side hung up with BYE");
            endB.By.Should().Be(EndedBy.Remote);
            endB.ClientCause.Should().Be("Terminated", "JsSIP's cause for a BYE received");
            endB.SipStatus.Should().BeNull("a confirmed call ended by BYE has no final status");

            // The evidence: stats at the end of the call and every SIP message with its time.
            foreach (var (name, call) in new[] { ("A", callA), ("B", callB) })
            {
                var s = call.Stats;
                s.Should().NotBeNull($"{name}'s getStats snapshot at the end of the call");
                await output.WriteLineAsync($"stats {name}: {s!.Codec}, received {s.PacketsReceived} packets, sent {s.PacketsSent}, lost {s.PacketsLost}, jitter {s.JitterMs:0.0} ms, ICE {s.IceState}, DTLS {s.DtlsState}, pair {s.CandidatePair}");
                s.Codec.Should().NotBeNullOrEmpty();
                s.PacketsReceived.Should().BePositive();
                PairAddresses(s.CandidatePair).Should().OnlyContain(ip => IsThisMachine(ip), $"lab media stays inside this machine (pair {s.CandidatePair})");
            }

            // A took its snapshot before its own BYE; B's comes when the BYE arrives, by which time A has already
            // closed its end of DTLS (close_notify travels ahead of the BYE).
            callA.Stats!.DtlsState.Should().Be("connected");
            callB.Stats!.DtlsState.Should().BeOneOf("connected", "closed");
            foreach (var call in new[] { callA, callB })
            {
                ((BrowserCall)call).Events.Should().Contain(e => e.Kind == "ice" && e.Text == "connected");
            }

            var methodsA = a.SipTrace.Select(t => t.FirstLine).ToList();
            await output.WriteLineAsync($"A's SIP trace ({methodsA.Count} messages): {string.Join(" | ", methodsA)}");
            methodsA.Should().Contain(l => l.StartsWith("REGISTER ", StringComparison.Ordinal))
                .And.Contain(l => l.StartsWith("INVITE ", StringComparison.Ordinal))
                .And.Contain(l => l.StartsWith("BYE ", StringComparison.Ordinal))
                .And.Contain(l => l.StartsWith("SIP/2.0 401", StringComparison.Ordinal), "Kamailio challenges the REGISTER");
            b.SipTrace.Should().Contain(t => t.Direction == TraceDirection.Received && t.FirstLine.StartsWith("BYE ", StringComparison.Ordinal));

            // FreeSWITCH answers a Session-Expires below 120 with 422 Min-SE: 120 (JsSIP's default is 90): JsSIP
            // asks for 120, SIP.js has no session timers and asks for none.
            var invite = a.SipTrace.First(t => t.Direction == TraceDirection.Sent && t.FirstLine.StartsWith("INVITE ", StringComparison.Ordinal)).Text;
            var sessionExpires = Regex.Match(invite, @"^(?:Session-Expires|x)\s*:\s*(\d+)", RegexOptions.Multiline | RegexOptions.IgnoreCase);
            await output.WriteLineAsync($"{stack} INVITE: {(sessionExpires.Success ? $"Session-Expires {sessionExpires.Groups[1].Value}" : "no session timer")}");
            if (stack == BrowserStack.JsSip)
            {
                int.Parse(sessionExpires.Groups[1].Value, CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(120, invite);
            }
            else
            {
                sessionExpires.Success.Should().BeFalse($"SIP.js offers no session timer\n{invite}");
            }
            a.SipTrace.Select(t => t.At).Should().BeInAscendingOrder();
        }
        catch
        {
            await output.WriteLineAsync("Kamailio log:\n" + await lab.LogAsync(CancellationToken.None));
            foreach (var p in new[] { a, b })
            {
                await output.WriteLineAsync($"{p.Name} events:\n  " + string.Join("\n  ", p.Events.Select(e => $"{e.At:HH:mm:ss.fff} {e.Kind}: {e.Text}")));
            }

            throw;
        }
    }

    [TestCase(BrowserStack.JsSip)]
    [TestCase(BrowserStack.SipJs, Category = "BrowserSipJs")]
    [CancelAfter(60_000)]
    public async Task Rejected_and_unroutable_calls_end_with_the_status_and_JsSIP_cause(BrowserStack stack, CancellationToken ct)
    {
        await using var lab = await KamailioLab.StartAsync(ct: ct);
        await using var host = await BrowserHost.LaunchAsync(new BrowserOptions { TrustedSpkiSha256 = [lab.Certificate.SpkiSha256Base64] }, ct);
        var a = await host.OpenPhoneAsync(new BrowserPhoneOptions { Name = "A", Stack = stack, ToneHz = ToneA, WebSocketUri = lab.WssUri, LoopbackIceOnly = true }, ct);
        var b = await host.OpenPhoneAsync(new BrowserPhoneOptions { Name = "B", Stack = stack, ToneHz = ToneB, WebSocketUri = lab.WssUri, LoopbackIceOnly = true }, ct);
        (await a.RegisterAsync(lab.Credentials("alice"), ct)).Registered.Should().BeTrue();
        (await b.RegisterAsync(lab.Credentials("bob"), ct)).Registered.Should().BeTrue();

        // B is busy.
        var busy = await a.DialAsync($"sip:bob@{lab.Domain}", ct: ct);
        var ringing = await b.NextIncomingCallAsync(TimeSpan.FromSeconds(10), ct);
        await ringing.RejectAsync(486, ct);
        var busyEnd = (await busy.Awaiting(c => c.AnsweredAsync(ct: ct)).Should().ThrowAsync<CallEndedException>()).Which.End;
        var rejectEnd = await ringing.EndedAsync(ct: ct);
        await TestContext.Out.WriteLineAsync($"busy: A {busyEnd}; B {rejectEnd}");
        busyEnd.Should().Match<CallEnd>(e => e.By == EndedBy.Remote && e.SipStatus == 486 && e.ClientCause == "Busy", busyEnd.ToString());
        rejectEnd.Should().Match<CallEnd>(e => e.By == EndedBy.Local && e.ClientCause == "Rejected", rejectEnd.ToString());

        // Nobody is registered as carol: Kamailio's lookup fails with 404.
        var nobody = await a.DialAsync($"sip:carol@{lab.Domain}", ct: ct);
        var notFound = (await nobody.Awaiting(c => c.AnsweredAsync(ct: ct)).Should().ThrowAsync<CallEndedException>()).Which.End;
        await TestContext.Out.WriteLineAsync($"unknown user: A {notFound}");
        notFound.Should().Match<CallEnd>(e => e.By == EndedBy.Remote && e.SipStatus == 404 && e.ClientCause == "Not Found", notFound.ToString());
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Unpinned_certificate_makes_connect_fail_fast_saying_it_was_refused(CancellationToken ct)
    {
        await using var lab = await KamailioLab.StartAsync(ct: ct);
        using var other = WssCertificate.CreateSelfSigned([], [lab.Address]);
        await using var host = await BrowserHost.LaunchAsync(new BrowserOptions { TrustedSpkiSha256 = [other.SpkiSha256Base64] }, ct);

        var watch = Stopwatch.StartNew();
        var act = () => host.OpenPhoneAsync(new BrowserPhoneOptions { Name = "wrong-cert", WebSocketUri = lab.WssUri }, ct);
        var failure = (await act.Should().ThrowAsync<BrowserConnectException>()).Which;
        watch.Stop();

        await TestContext.Out.WriteLineAsync($"failed after {watch.ElapsedMilliseconds} ms: {failure.Message}");
        failure.Failure.Should().Be(ConnectFailure.CertificateRefused);
        failure.Message.Should().Contain("the certificate was refused").And.Contain(lab.Certificate.SpkiSha256Base64);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "a refused certificate must fail fast, not hang");
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task Disposing_the_lab_and_the_browser_leaves_no_process_and_no_container(CancellationToken ct)
    {
        if (!ProcessTree.Supported)
        {
            Assert.Ignore("process tracking reads /proc (Linux only)");
        }

        IReadOnlyList<ProcessTree.Entry> processes;
        string containerId;
        var lab = await KamailioLab.StartAsync(ct: ct);
        try
        {
            containerId = lab.ContainerId;
            await using var host = await BrowserHost.LaunchAsync(new BrowserOptions { TrustedSpkiSha256 = [lab.Certificate.SpkiSha256Base64] }, ct);
            var phone = await host.OpenPhoneAsync(new BrowserPhoneOptions { Name = "leak", WebSocketUri = lab.WssUri }, ct);
            (await phone.RegisterAsync(lab.Credentials("leak"), ct)).Registered.Should().BeTrue();
            processes = host.Processes;
        }
        finally
        {
            await lab.DisposeAsync();
        }

        await TestContext.Out.WriteLineAsync($"tracked {processes.Count} processes: {string.Join("; ", processes)}");
        processes.Should().Contain(p => p.CommandLine.Contains("chromium", StringComparison.Ordinal), "the browser process is tracked");
        processes.Should().Contain(p => p.CommandLine.Contains("--type=renderer", StringComparison.Ordinal), "the phone page's renderer is tracked");
        processes.Should().Contain(p => p.CommandLine.Contains("node", StringComparison.Ordinal), "Playwright's driver is tracked");
        ProcessTree.Alive(processes).Should().BeEmpty("the host's disposal ends Chromium, its children and the Playwright driver");
        (await DockerEnvironment.LeftoversAsync(ct)).Should().BeEmpty("the lab's container and network are removed on dispose");
        containerId.Should().NotBeNullOrEmpty();
    }

    // "fd00::2:51714 udp host -> ::1:37994 udp host": the two addresses. Chromium leaves a peer-reflexive
    // candidate's address out of getStats (":35341 udp prflx"); there is nothing to check then.
    private static IEnumerable<IPAddress> PairAddresses(string? pair) =>
        (pair ?? "").Split("->").Select(side => side.Trim().Split(' ')[0])
            .Select(endpoint => endpoint[..Math.Max(0, endpoint.LastIndexOf(':'))])
            .Where(address => address.Length > 0)
            .Select(IPAddress.Parse);

    // Each phone offers only loopback candidates (LoopbackIceOnly); the other learns the sender's real source
    // as a peer-reflexive candidate, which is still an address of this machine, never another host.
    private static bool IsThisMachine(IPAddress ip) =>
        IPAddress.IsLoopback(ip) || NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Any(u => u.Address.Equals(ip));

    private static async Task<(AudioReport A, AudioReport B)> ListenBothAsync(ICall a, ICall b, CancellationToken ct, TimeSpan? window = null)
    {
        var tones = new[] { ToneA, ToneB };
        var listenA = a.ListenAsync(window ?? ListenWindow, tones, ct);
        var listenB = b.ListenAsync(window ?? ListenWindow, tones, ct);
        return (await listenA, await listenB);
    }

    private static void Report(TextWriter output, string stage, AudioReport a, AudioReport b)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stage}: A heard {Describe(a, ToneB)}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stage}: B heard {Describe(b, ToneA)}"));
    }

    private static string Describe(AudioReport r, double expected)
    {
        var first = r.FirstHeard(expected, HeardAboveDbfs);
        var sinceStart = first is { } f ? $"{(f - r.StartOffset).TotalMilliseconds:0} ms into the window" : "never";
        return string.Create(CultureInfo.InvariantCulture, $"{r.Describe()}; {expected:0} Hz first above {HeardAboveDbfs} dBFS {sinceStart}");
    }

    private static void AssertHears(AudioReport report, double expected, double own, string who)
    {
        var first = report.FirstHeard(expected, HeardAboveDbfs);
        first.Should().NotBeNull($"{who} should hear {expected} Hz above {HeardAboveDbfs} dBFS; heard {report.Describe()}");
        (first!.Value - report.StartOffset).Should().BeLessThanOrEqualTo(HeardWithin, $"{who} should hear {expected} Hz within {HeardWithin.TotalSeconds} s; heard {report.Describe()}");
        report.StrongestHz.Should().BeApproximately(expected, 10, $"{who}: the strongest frequency is the other side's tone; heard {report.Describe()}");
        report.ToneLevelDbfs(expected).Should().BeGreaterThan(HeardAboveDbfs, $"{who}: {report.Describe()}");
        report.ToneFraction(own, HeardAboveDbfs).Should().Be(0, $"{who} must not hear its own tone ({own} Hz); heard {report.Describe()}");
    }

    private static void AssertSilentAfter(AudioReport report, TimeSpan settle, string who)
    {
        var late = report.Windows.Where(w => w.Offset - report.StartOffset >= settle).ToList();
        late.Should().NotBeEmpty();
        var loud = late.Where(w => w.RmsDbfs >= report.Options.SilenceBelowDbfs).ToList();
        loud.Should().BeEmpty($"{who}: silent from {settle.TotalMilliseconds:0} ms after the re-INVITE was answered; {loud.Count} of {late.Count} windows were not (loudest {late.Max(w => w.RmsDbfs):0.0} dBFS); {report.Describe()}");
    }
}
