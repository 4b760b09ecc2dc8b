using System.Diagnostics;
using WebRtcE2E.Fixtures;
using WebRtcE2E.Fixtures.Docker;
using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Network;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Browser;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Tests;

/// <summary>
/// Two failures beyond one link, reproduced on purpose and named, each with its control. A firewall that lets no
/// UDP out of the browser: with a TURN server over TCP (<see cref="TurnRelay"/>, coturn beside FreeSWITCH) the call
/// works and its selected candidate pair is a relay; with the TURN server removed, ICE never connects. And
/// FreeSWITCH killed mid-call, on a FreeSWITCH of the test's own (killing the run's would break every other test):
/// the browser's call ends, the wait for FreeSWITCH's hangup record fails at once because its event socket closed,
/// and the diagnosis says FreeSWITCH went away.
/// </summary>
[Category("Network")]
[Category("Browser")]
[Category("External")]
[NonParallelizable]
public sealed class RelayAndCrashTests : NetworkScenario
{
    /// <summary>How long after FreeSWITCH is killed its sockets (event socket, SIP WebSocket) must be seen closed.</summary>
    private static readonly TimeSpan GoneWithin = TimeSpan.FromSeconds(3);

    // What a test starts beside the run's own (a FreeSWITCH, a browser, a namespace, a relay, a fault), removed in
    // reverse order after the test, also when it fails; and the calls on them, whose evidence is kept on failure.
    private readonly List<IAsyncDisposable> owned = [];
    private TestCalls? ownCalls;

    /// <summary>On failure, the evidence of the calls made on what the test started; then all of it removed, in reverse order.</summary>
    [TearDown]
    public async Task RemoveWhatTheTestStartedAsync()
    {
        var failed = TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed;
        try
        {
            if (ownCalls is { HasPhones: true } calls && failed)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                NUnitEvidence.Complete(await calls.WriteEvidenceAsync(TestContext.CurrentContext.Test.FullName + "-own", TestContext.CurrentContext.Result.Message, ct: cts.Token));
            }
        }
        finally
        {
            try
            {
                // The phones first: they hold calls on the browser and FreeSWITCH removed below.
                if (ownCalls is not null)
                {
                    await ownCalls.DisposeAsync();
                }
            }
            finally
            {
                ownCalls = null;
                var mine = Enumerable.Reverse(owned).ToList();
                owned.Clear();
                await AsyncDisposables.DisposeAllAsync(mine, "removing what the test started (browser, namespace, fault, relay, FreeSWITCH) failed");
            }
        }
    }

    /// <summary>
    /// All UDP to and from the browser dropped, TURN over TCP offered: the echo is heard, and only because the
    /// media went through the relay (the selected pair's local candidate is relay, over TCP).
    /// </summary>
    [TestCaseSource(nameof(BrowserPhones))]
    [CancelAfter(60_000)]
    public async Task All_UDP_blocked_with_TURN_over_TCP_the_call_works_over_a_relay_candidate(PhoneKind kind, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var n = await NamespaceAsync(ct);
        await using var relay = await TurnRelay.StartAsync(((ContainerTarget)Fs).Network, ct: ct);
        await using var fault = await NetworkFaults.DropAllUdpAsync(n, ct);
        var verdict = await RelayedEchoCallAsync("turn", relay, ct, kind);

        verdict.Should().HaveHeardTone(Tone, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5));
        verdict.Stats!.LocalCandidateType.Should().Be("relay", "no UDP leaves the browser, so only the relay can carry the media: {0}", verdict);
        verdict.Stats.RelayProtocol.Should().Be("tcp", "the browser reaches coturn over TCP: {0}", verdict);
        verdict.FreeSwitch!.RtpPacketsIn.Should().BeGreaterThan(50, "FreeSWITCH received the browser's media through the relay: {0}", verdict);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.Healthy, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().Be("no fault seen: ICE connected, RTP both ways, over a TURN relay (TCP to the relay)" + LossSuffix(verdict));
        verdict.Diagnosis.Evidence.Should().Contain(l => l.StartsWith("ICE: the selected candidate pair is relay", StringComparison.Ordinal));
        verdict.Should().BeClearedBy(Side.Phone, HangupCause.NormalClearing);
        await ReportAsync(verdict, clock);
    }

    /// <summary>
    /// The same over TLS (<c>turns:</c>, coturn's port 5349 with a certificate made for its address): a browser of
    /// its own, in a namespace of its own on the run network, trusting FreeSWITCH's and the relay's certificates
    /// (without the relay's pin the TLS connection is refused and ICE never connects: tried by hand).
    /// </summary>
    [Test]
    [CancelAfter(60_000)]
    public async Task All_UDP_blocked_with_TURN_over_TLS_the_call_works_over_a_relay_candidate(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await NamespaceAsync(ct);
        var network = ((ContainerTarget)Fs).Network;
        var relay = Own(await TurnRelay.StartAsync(network, ct: ct));
        var ns = Own(await BrowserNamespace.CreateAsync(network, 249, ct));
        var host = Own(await BrowserHost.LaunchAsync(new BrowserOptions { TrustedSpkiSha256 = [Fs.Certificate!.SpkiSha256Base64, relay.Certificate.SpkiSha256Base64], Namespace = ns }, ct));
        Own(await NetworkFaults.DropAllUdpAsync(ns, ct));
        ownCalls = new TestCalls(Fs, Ledger);
        var phone = ownCalls.Add(await host.OpenPhoneAsync(
            new BrowserPhoneOptions { Name = "Browser-turns", WebSocketUri = Fs.WssUri("external"), ToneHz = Tone, IceAddresses = [ns.Address], IceServers = [relay.TlsServer] },
            ct));
        var call = ownCalls.Track(phone, await phone.DialAsync(Fs.Conf.Number("ECHO"), ct: ct), Tone);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(3), [Tone], ct);
        await call.HangupAsync(ct);
        var verdict = await ownCalls.VerdictAsync(phone, call, heard, TestContext.CurrentContext.Test.Name, TestContext.Progress, ct: ct);

        verdict.Should().HaveHeardTone(Tone, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5));
        verdict.Stats!.LocalCandidateType.Should().Be("relay", "no UDP leaves the browser, so only the relay can carry the media: {0}", verdict);
        verdict.Stats.RelayProtocol.Should().Be("tls", "the browser reaches coturn over TLS: {0}", verdict);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.Healthy, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().Be("no fault seen: ICE connected, RTP both ways, over a TURN relay (TLS to the relay)" + LossSuffix(verdict));
        await ReportAsync(verdict, clock);
    }

    /// <summary>
    /// The control of the TURN test: the same fault and the same phone (its ICE servers still name the relay), with
    /// coturn removed before the call: nothing can carry the media, so ICE never connects. Its dial → answer is
    /// some 3 s (0.2 s with the relay there): the browser's gathering waits for its TCP connect to the vanished
    /// relay's address to fail (no ARP answer), and JsSIP sends its INVITE only when gathering is complete.
    /// </summary>
    [Test]
    [CancelAfter(60_000)]
    public async Task All_UDP_blocked_with_the_TURN_server_removed_ICE_never_connects(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var n = await NamespaceAsync(ct);
        var relay = await TurnRelay.StartAsync(((ContainerTarget)Fs).Network, ct: ct);
        await relay.DisposeAsync();
        await using var fault = await NetworkFaults.DropAllUdpAsync(n, ct);
        var verdict = await RelayedEchoCallAsync("noturn", relay, ct);

        verdict.Heard!.SilentFraction.Should().Be(1, "no media path exists, so the browser plays only silence: {0}", verdict);
        verdict.FreeSwitch!.RtpPacketsIn.Should().Be(0, "FreeSWITCH received no RTP at all: {0}", verdict);
        new[] { "connected", "completed" }.Should().NotContain(verdict.Stats!.IceState, "no UDP leaves the browser and no relay is there");
        verdict.Stats.LocalCandidateType.Should().BeNull("no candidate pair was ever selected: {0}", verdict);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.IceNeverConnected, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().Be("connected but silent: ICE never connected (media blocked)");
        verdict.Diagnosis.Evidence[0].Should().EndWith("(never connected)");
        verdict.Should().BeClearedBy(Side.Phone, HangupCause.NormalClearing);
        await ReportAsync(verdict, clock);
    }

    /// <summary>
    /// The signature's own control: TURN offered and no fault, the pair is the direct host one (UDP), so a relay pair
    /// above is the fault's doing, not the phone's configuration.
    /// </summary>
    [Test]
    [CancelAfter(60_000)]
    public async Task TURN_offered_without_the_fault_the_call_goes_direct_not_over_the_relay(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await NamespaceAsync(ct);
        await using var relay = await TurnRelay.StartAsync(((ContainerTarget)Fs).Network, ct: ct);
        var verdict = await RelayedEchoCallAsync("direct", relay, ct);

        verdict.Should().HaveHeardTone(Tone, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5));
        verdict.Stats!.LocalCandidateType.Should().Be("host", "the direct UDP path works and ICE prefers host candidates: {0}", verdict);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.Healthy, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().NotContain("relay");
        await ReportAsync(verdict, clock);
    }

    /// <summary>
    /// FreeSWITCH killed (SIGKILL, <c>docker kill</c>) while the browser is in an echo call: the browser's call
    /// ends within a bounded time when its WebSocket closes, waiting for the hangup record fails at once with
    /// "event socket closed" (not a timeout), and the diagnosis says FreeSWITCH went away.
    /// </summary>
    [Test]
    [CancelAfter(90_000)]
    public async Task FreeSwitch_killed_mid_call_ends_the_call_and_the_diagnosis_says_it_went_away(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var own = await OwnFreeSwitchAsync("killed", ct);
        var call = own.Calls.Track(own.Phone, await own.Phone.DialAsync(own.Target.Conf.Number("ECHO"), ct: ct), Tone);
        await call.AnsweredAsync(ct: ct);
        await MediaFlowsAsync(call, ct);

        // docker kill: SIGKILL from outside to the container's PID 1, which is freeswitch itself (the image's
        // entrypoint). A kill -9 from inside the container (docker exec) does nothing to PID 1: the kernel ignores
        // signals to a namespace's init from within it unless it handles them, and SIGKILL cannot be handled.
        var killedAt = DateTimeOffset.UtcNow;
        await DockerEnvironment.KillContainerAsync(own.Target.ContainerId, "KILL", ct);

        var waited = Stopwatch.StartNew();
        var wait = () => own.Ledger.WaitForHangupAsync(call.CallId, TimeSpan.FromSeconds(20), ct);
        (await wait.Should().ThrowAsync<EventSocketClosedException>("FreeSWITCH is gone: no hangup record will ever come"))
            .Which.Message.Should().Contain("no more events will come");
        waited.Elapsed.Should().BeLessThan(GoneWithin, "the wait fails when the event socket closes, not when its 20 s run out");
        var end = await call.EndedAsync(TimeSpan.FromSeconds(10), ct);
        var verdict = CallVerdict.Create(call, end, null, null, own.Phone.Name).WithDiagnosis(new CallObservations(null, own.Phone.Events)
        {
            EventSocketClosedAt = own.Ledger.ClosedAt,
            EventSocketClosedReason = own.Ledger.ClosedReason,
        });

        (own.Ledger.ClosedAt!.Value - killedAt).Should().BeLessThan(GoneWithin, "the event socket closes when FreeSWITCH dies: {0}", verdict);
        (end.At - killedAt).Should().BeLessThan(GoneWithin, "the browser's call ends when its WebSocket to the dead FreeSWITCH closes: {0}", verdict);
        own.Phone.Events.Should().Contain(e => e.Kind == "ua-disconnected" && e.At >= killedAt, "the SIP WebSocket closed");
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.FreeSwitchGone, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().StartWith("FreeSWITCH went away mid-call: its event socket closed ").And.Contain("the SIP WebSocket closed");
        verdict.Diagnosis.Evidence.Should().Contain("FreeSWITCH: no hangup record (no CHANNEL_HANGUP_COMPLETE came before its event socket closed)");
        await ReportAsync(verdict, clock);
    }

    /// <summary>The control of the kill: the same own FreeSWITCH and call, not killed: cleared normally, its event socket open.</summary>
    [Test]
    [CancelAfter(90_000)]
    public async Task FreeSwitch_not_killed_control_the_call_is_cleared_normally(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var own = await OwnFreeSwitchAsync("alive", ct);
        var call = own.Calls.Track(own.Phone, await own.Phone.DialAsync(own.Target.Conf.Number("ECHO"), ct: ct), Tone);
        await call.AnsweredAsync(ct: ct);
        await MediaFlowsAsync(call, ct);
        await call.HangupAsync(ct);
        var verdict = await own.Calls.VerdictAsync(own.Phone, call, null, TestContext.CurrentContext.Test.Name, TestContext.Progress, ct: ct);

        own.Ledger.ClosedAt.Should().BeNull("FreeSWITCH is still running: its event socket stays open");
        verdict.Should().BeClearedBy(Side.Phone, HangupCause.NormalClearing);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.Healthy, "{0}", verdict);
        await ReportAsync(verdict, clock);
    }

    /// <summary>A browser phone (JsSIP unless said) with <paramref name="relay"/> as its ICE server calls the echo, listens 3 s, hangs up.</summary>
    private async Task<CallVerdict> RelayedEchoCallAsync(string name, TurnRelay relay, CancellationToken ct, PhoneKind kind = PhoneKind.Browser)
    {
        var phone = await PhoneAsync(kind, "external", $"{kind}-{name}", Tone, ct: ct, browser: o => o with { IceServers = [relay.TcpServer] });
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO"), Tone, ct: ct);
        var answered = await call.AnsweredAsync(ct: ct);
        // Dial → answer includes gathering every candidate (JsSIP sends its INVITE when gathering is complete).
        await TestContext.Progress.WriteLineAsync($"  dial → answered {answered.SetupTime.TotalSeconds:0.0} s");
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(3), [Tone], ct);
        await call.HangupAsync(ct);
        return await VerdictAsync(phone, call, heard, ct: ct);
    }

    private static string LossSuffix(CallVerdict verdict) =>
        verdict.Diagnosis!.LossFraction is { } g ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", loss {g * 100:0.0} %") : string.Empty;

    private static async Task ReportAsync(CallVerdict verdict, Stopwatch clock)
    {
        await TestContext.Progress.WriteLineAsync($"diagnosis: {verdict.Diagnosis!.Summary}");
        await TestContext.Progress.WriteLineAsync($"  {verdict.Diagnosis}");
        await TestContext.Progress.WriteLineAsync($"  took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Keeps <paramref name="thing"/> to be removed after the test (in reverse order of keeping).</summary>
    private T Own<T>(T thing)
        where T : IAsyncDisposable
    {
        owned.Add(thing);
        return thing;
    }

    /// <summary>
    /// A FreeSWITCH of the test's own, from the run's settings, with everything a browser call on it needs: the
    /// event socket and its ledger, a network namespace on its network for Chromium, a Chromium trusting its
    /// certificate, one JsSIP phone. All of it removed after the test (<see cref="RemoveWhatTheTestStartedAsync"/>):
    /// phone, browser, namespace, event socket, FreeSWITCH.
    /// </summary>
    private async Task<OwnFreeSwitch> OwnFreeSwitchAsync(string name, CancellationToken ct)
    {
        var settings = FreeSwitchSettings.FromEnvironment(n => TestContext.Parameters.Get(n));
        var started = Stopwatch.StartNew();
        var target = Own(await FreeSwitchTarget.StartAsync(settings, ct: ct));
        var container = target as ContainerTarget ?? throw new InvalidOperationException($"killing FreeSWITCH needs a container target; the own target is {target.Kind}");
        await TestContext.Progress.WriteLineAsync($"own FreeSWITCH: {target.Summary}, started in {started.Elapsed.TotalSeconds:0.0} s");

        var esl = Own(await target.EventSocketAsync(ct));
        await esl.SubscribeAsync(["CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE"], ct);
        var ledger = CallLedger.Attach(esl);
        var ns = Own(await BrowserNamespace.CreateAsync(container.Network, 250, ct));
        var pin = target.Certificate?.SpkiSha256Base64;
        var host = Own(await BrowserHost.LaunchAsync(new BrowserOptions { TrustedSpkiSha256 = pin is null ? [] : [pin], Namespace = ns }, ct));
        ownCalls = new TestCalls(target, ledger);
        var phone = ownCalls.Add(await host.OpenPhoneAsync(
            new BrowserPhoneOptions { Name = $"Browser-{name}", WebSocketUri = target.WssUri("external"), ToneHz = Tone, IceAddresses = [ns.Address] },
            ct));
        return new OwnFreeSwitch(container, ledger, phone, ownCalls);
    }

    /// <summary>The test's own FreeSWITCH, its ledger, the browser phone on it and the calls kept for the evidence.</summary>
    private sealed record OwnFreeSwitch(ContainerTarget Target, CallLedger Ledger, BrowserPhone Phone, TestCalls Calls);
}
