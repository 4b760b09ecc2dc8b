using System.Diagnostics;
using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.Network;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Browser;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Tests;

/// <summary>
/// Failures that come from the browser's side of the network rather than from a firewall, reproduced on purpose and
/// named: a browser that hides its addresses behind mDNS names (488), a browser that does not trust the wss
/// certificate (never registers), a DTLS handshake that fails (answered, then hung up). Each runs in the run's
/// browser namespace, so an mDNS announcement stays on the run's own network; the browsers a test launches itself
/// are closed by the test, also when it fails, and leave the namespace (the run's) in place. Each has its control.
/// </summary>
[Category("Network")]
[Category("Browser")]
[Category("External")]
[NonParallelizable]
public sealed class BrowserFaultTests : NetworkScenario
{
    // Directory users of these tests, used by no other test (ScenarioPhones.UserFor): the fault's never reaches
    // FreeSWITCH, the control's registers.
    private const int UntrustingUser = 1018;
    private const int TrustingUser = 1019;

    private readonly Stopwatch took = new();

    /// <summary>Runs after the run's target is up (the base set-up): the test's own time.</summary>
    [SetUp]
    public void StartClock() => took.Restart();

    /// <summary>Each test's own time, for the figures of the issue's note.</summary>
    [TearDown]
    public async Task PrintTimeAsync() =>
        await TestContext.Progress.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"took: {TestContext.CurrentContext.Test.Name} {took.Elapsed.TotalSeconds:0.0} s ({TestContext.CurrentContext.Result.Outcome.Status})"));

    /// <summary>
    /// A Chromium that hides host addresses behind mDNS names (its default without a microphone permission) offers
    /// only <c>&lt;uuid&gt;.local</c> candidates: FreeSWITCH drops each as "not an IP address", finds no candidate
    /// left, and refuses the call 488 INCOMPATIBLE_DESTINATION.
    /// </summary>
    [Test]
    [CancelAfter(60_000)]
    public async Task Mdns_candidates_only_are_refused_488_and_diagnosed(CancellationToken ct)
    {
        var ns = await NamespaceAsync(ct);
        var run = await TestRun.BrowserAsync(Fs, ct);
        // Hiding its addresses, Chromium gathers a host candidate only on the default route's address; this one
        // leads nowhere beyond the run's network (see OnLinkDefaultRoute). Removed after the browser is closed.
        await using var route = await OnLinkDefaultRoute.AddAsync(ns, ct);
        // A second Chromium in the run's namespace; BrowserHost never deletes the namespace it is given.
        await using var mdns = await BrowserHost.LaunchAsync(run.Options with { HideLocalIpsWithMdns = true }, ct);
        var phone = Keep(await mdns.OpenPhoneAsync(
            new BrowserPhoneOptions
            {
                Name = "Browser-mdns",
                WebSocketUri = Fs.WssUri("external"),
                ToneHz = Tone,
                IceAddresses = [ns.Address],
                IceMdnsNames = true, // the .local names are the point: let them through the page's filter
            },
            ct));

        var call = await DialAsync(phone, Fs.Conf.Number("ECHO"), Tone, ct: ct);
        var refused = (await FluentActions.Awaiting(() => call.AnsweredAsync(TimeSpan.FromSeconds(10), ct)).Should().ThrowAsync<CallEndedException>()).Which;
        var verdict = await VerdictAsync(phone, call, AudioReportOrNone.None, ct: ct);

        var offer = SdpLines.Body(phone.SipTrace.First(e => e.Direction == TraceDirection.Sent && e.FirstLine.StartsWith("INVITE ", StringComparison.Ordinal)).Text);
        var candidates = SdpLines.Candidates(offer);
        candidates.Should().NotBeEmpty("Chromium gathered host candidates: {0}", offer);
        candidates.Should().OnlyContain(c => SdpLines.IsMdnsName(c.Address), "with mDNS on, Chromium offers no host address: {0}", offer);
        refused.End.SipStatus.Should().Be(488, "{0}", verdict);
        verdict.FreeSwitch!.HangupCause.Should().Be("INCOMPATIBLE_DESTINATION", "{0}", verdict);
        var log = await CallLogAsync(call.CallId, ct);
        log.Should().MatchRegex(@"Drop audio Candidate .* addr: [0-9a-f-]+\.local:\d+ \(not an IP address\)", "FreeSWITCH names why each candidate went");
        log.Should().Contain("no suitable candidates found.");
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.MdnsCandidates, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().Be("refused: the browser offered only mDNS (.local) candidates, which FreeSWITCH cannot resolve");
        verdict.Diagnosis.Evidence[0].Should().Contain(".local");
        await TestContext.Progress.WriteLineAsync($"diagnosis: {verdict.Diagnosis.Summary}");

        await mdns.DisposeAsync();
        File.Exists(Path.Combine("/run/netns", ns.Name)).Should().BeTrue("the mDNS browser was only a guest in the run's namespace");
    }

    /// <summary>The control of <see cref="Mdns_candidates_only_are_refused_488_and_diagnosed"/>: the run's browser (mDNS off) offers its address and is answered.</summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Mdns_control_the_browser_offering_its_address_is_answered_and_hears_the_echo(CancellationToken ct)
    {
        var ns = await NamespaceAsync(ct);
        var phone = await PhoneAsync(PhoneKind.Browser, "external", "Browser-mdns-off", Tone, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO"), Tone, ct: ct);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(3), [Tone], ct);
        await call.HangupAsync(ct);
        var verdict = await VerdictAsync(phone, call, heard, ct: ct);

        var offered = SdpLines.Candidates(SdpLines.Body(phone.SipTrace.First(e => e.Direction == TraceDirection.Sent && e.FirstLine.StartsWith("INVITE ", StringComparison.Ordinal)).Text));
        offered.Should().NotBeEmpty().And.OnlyContain(c => c.Address == ns.Address.ToString(), "the run's browser shows its address");
        verdict.Should().HaveHeardTone(Tone, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5));
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.Healthy, "{0}", verdict);
    }

    /// <summary>
    /// A Chromium that does not trust the wss certificate never registers: its WebSocket is refused in the TLS
    /// handshake, within the registration's bound; the harness names the certificate and its key, and FreeSWITCH
    /// never sees a REGISTER from it.
    /// </summary>
    [Test]
    [CancelAfter(60_000)]
    public async Task Untrusted_wss_certificate_never_registers_and_names_the_certificate(CancellationToken ct)
    {
        var ns = await NamespaceAsync(ct);
        var run = await TestRun.BrowserAsync(Fs, ct);
        var certificate = Fs.Certificate ?? throw new InvalidOperationException("a container target has a wss certificate the run made");
        await using var untrusting = await BrowserHost.LaunchAsync(run.Options with { TrustedSpkiSha256 = [] }, ct);
        var options = PhoneOn(ns, "Browser-untrusting");
        await using var trace = await SipTraceAsync(ct);

        var watch = Stopwatch.StartNew();
        var failure = (await FluentActions.Awaiting(async () =>
        {
            await using var phone = await untrusting.OpenPhoneAsync(options, ct);
            await phone.RegisterAsync(Fs.User(UntrustingUser), ct);
        }).Should().ThrowAsync<BrowserConnectException>()).Which;
        watch.Stop();

        watch.Elapsed.Should().BeLessThanOrEqualTo(options.RegisterTimeout, "a refused certificate fails at once, it does not wait out a timeout: {0}", failure.Message);
        failure.Failure.Should().Be(ConnectFailure.CertificateRefused, failure.Message);
        failure.Message.Should().Contain("the certificate was refused").And.Contain(certificate.SpkiSha256Base64).And.Contain(certificate.Certificate.Subject).And.Contain("no key is pinned");
        var seen = await trace.FromAsync(ns, ct);
        seen.Should().NotContain(e => e.Text.StartsWith("REGISTER ", StringComparison.Ordinal), "nothing of the browser's reached FreeSWITCH's SIP stack");
        await TestContext.Progress.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"diagnosis: never registers: {failure.Message} (after {watch.Elapsed.TotalSeconds:0.0} s)"));
    }

    /// <summary>The control of <see cref="Untrusted_wss_certificate_never_registers_and_names_the_certificate"/>: the run's browser, which pins the certificate, registers.</summary>
    [Test]
    [CancelAfter(60_000)]
    public async Task Untrusted_certificate_control_the_trusting_browser_registers(CancellationToken ct)
    {
        var ns = await NamespaceAsync(ct);
        var run = await TestRun.BrowserAsync(Fs, ct);
        await using var trace = await SipTraceAsync(ct);
        var phone = Keep(await run.OpenPhoneAsync(PhoneOn(ns, "Browser-trusting"), ct));

        var result = await phone.RegisterAsync(Fs.User(TrustingUser), ct);
        var seen = await trace.FromAsync(ns, ct);

        result.Registered.Should().BeTrue($"the browser pins the run's certificate (got {result.Status} {result.ReasonPhrase})");
        seen.Should().Contain(e => e.Text.StartsWith("REGISTER ", StringComparison.Ordinal), "FreeSWITCH's trace shows the REGISTERs of the same namespace: the fault test's check can see one");
        await phone.UnregisterAsync(ct);
    }

    /// <summary>
    /// The DTLS handshake fails after answer: the page alters FreeSWITCH's a=fingerprint before the browser's peer
    /// connection gets it (DialOptions.TamperDtlsFingerprint), so Chromium refuses FreeSWITCH's certificate; FreeSWITCH
    /// logs the handshake failure and hangs up.
    /// </summary>
    [TestCaseSource(nameof(BrowserPhones))]
    [CancelAfter(30_000)]
    public async Task Dtls_handshake_failure_is_answered_then_hung_up_and_diagnosed(PhoneKind kind, CancellationToken ct)
    {
        await NamespaceAsync(ct);
        var phone = await PhoneAsync(kind, "external", $"{kind}-dtls", Tone, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO"), Tone, new DialOptions { TamperDtlsFingerprint = true }, ct);
        var end = await call.EndedAsync(TimeSpan.FromSeconds(10), ct);
        var verdict = await VerdictAsync(phone, call, AudioReportOrNone.None, ct: ct);

        phone.Events.Should().Contain(e => e.Kind == "call-fault" && e.Text.Contains("tampered DTLS fingerprint", StringComparison.Ordinal), "the fault was injected");
        verdict.FreeSwitch!.WasAnswered.Should().BeTrue("FreeSWITCH answers before the media path is secured: {0}", verdict);
        verdict.Should().BeClearedBy(Side.FreeSwitch, HangupCause.DestinationOutOfOrder);
        end.Q850Cause.Should().Be(27, "FreeSWITCH's BYE says why: {0}", end);
        verdict.Stats!.DtlsState.Should().Be("failed", "Chromium refused FreeSWITCH's certificate: {0}", verdict);
        phone.Events.Should().Contain(e => e.Kind == "call-ice" && (e.Text.EndsWith("connected", StringComparison.Ordinal) || e.Text.EndsWith("completed", StringComparison.Ordinal)), "ICE found its path before DTLS failed on it");
        var log = await CallLogAsync(call.CallId, ct);
        log.Should().Contain("Handshake failure").And.Contain("DTLS state from HANDSHAKE to FAIL");
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.DtlsFailed, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().Be("answered, then hung up: DTLS handshake failed (fingerprint mismatch)");
        await TestContext.Progress.WriteLineAsync($"diagnosis: {verdict.Diagnosis.Summary}");
    }

    /// <summary>The control of <see cref="Dtls_handshake_failure_is_answered_then_hung_up_and_diagnosed"/>: the same call untampered, DTLS connects.</summary>
    [TestCaseSource(nameof(BrowserPhones))]
    [CancelAfter(30_000)]
    public async Task Dtls_control_without_tampering_connects_and_hears_the_echo(PhoneKind kind, CancellationToken ct)
    {
        await NamespaceAsync(ct);
        var phone = await PhoneAsync(kind, "external", $"{kind}-dtls-ok", Tone, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO"), Tone, ct: ct);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(3), [Tone], ct);
        await call.HangupAsync(ct);
        var verdict = await VerdictAsync(phone, call, heard, ct: ct);

        verdict.Stats!.DtlsState.Should().Be("connected", "{0}", verdict);
        verdict.Should().HaveHeardTone(Tone, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5));
        verdict.Should().BeClearedBy(Side.Phone, HangupCause.NormalClearing);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.Healthy, "{0}", verdict);
    }

    private BrowserPhoneOptions PhoneOn(BrowserNamespace ns, string name) => new()
    {
        Name = name,
        WebSocketUri = Fs.WssUri("internal"),
        ToneHz = Tone,
        IceAddresses = [ns.Address],
    };

    /// <summary>FreeSWITCH's log lines of the call (its channel's lines and those naming its Call-ID).</summary>
    private async Task<string> CallLogAsync(string callId, CancellationToken ct)
    {
        var log = await Fs.LogAsync(ct);
        return FreeSwitchLogSlice.Cut(log, FreeSwitchLogSlice.UniqueIdsFor(log, callId), [callId]);
    }

    /// <summary>FreeSWITCH's siptrace, on for the test: what its SIP stack received over every transport.</summary>
    private async Task<SipTraceWindow> SipTraceAsync(CancellationToken ct)
    {
        await using var esl = await Fs.EventSocketAsync(ct);
        var from = (await Fs.LogAsync(ct)).Length;
        await esl.ApiAsync("sofia global siptrace on", ct);
        return new SipTraceWindow(this, from);
    }

    private sealed class SipTraceWindow(BrowserFaultTests test, int from) : IAsyncDisposable
    {
        /// <summary>The messages FreeSWITCH received from the namespace's address since the trace was turned on.</summary>
        public async Task<IReadOnlyList<SipTraceEntry>> FromAsync(BrowserNamespace ns, CancellationToken ct)
        {
            var log = await test.Fs.LogAsync(ct);
            return FreeSwitchSipTrace.Parse(log[Math.Min(from, log.Length)..])
                .Where(e => e.Direction == TraceDirection.Received && e.Remote.StartsWith(ns.Address + ":", StringComparison.Ordinal))
                .ToList();
        }

        public async ValueTask DisposeAsync()
        {
            await using var esl = await test.Fs.EventSocketAsync(CancellationToken.None);
            await esl.ApiAsync("sofia global siptrace off", CancellationToken.None);
        }
    }
}
