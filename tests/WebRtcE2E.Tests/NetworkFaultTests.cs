using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Network;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Tests;

/// <summary>
/// Network failures reproduced on purpose and named: each row applies a fault to the browser's own host (its
/// network namespace, <see cref="NetworkFaults"/>), asserts what a user would see and what the harness's
/// <see cref="CallDiagnosis"/> names, and has its control: the same call with the fault left out, which must be
/// healthy. The faults act on the one namespace every browser phone of the run shares, so these tests never run
/// beside another; after each, no fault rule may be left in the namespace.
/// </summary>
[Category("Network")]
[Category("Browser")]
[Category("External")]
[NonParallelizable]
public sealed class NetworkFaultTests : NetworkScenario
{

    // 20 % loss over ~5 s of 50 packets/s opus (~250 packets): one standard deviation of the measured share is
    // sqrt(0.2 * 0.8 / 250) ≈ 2.5 points, so ±8 points is beyond three of them.
    private const double LossPercent = 20;
    private const double LossTolerance = 0.08;

    // Below the echoed opus stream on the wire (50 packets/s of ~130 bytes with IP, UDP, RTP and SRTP: ~50 kbit/s).
    private const int RateKbit = 24;

    /// <summary>Media to FreeSWITCH's RTP range dropped both ways before the call: answered, silent, "ICE never connected".</summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Media_blocked_both_ways_is_answered_but_silent_and_diagnosed(CancellationToken ct)
    {
        await using var fault = await NetworkFaults.DropUdpAsync(await NamespaceAsync(ct), FreeSwitch, RtpFirst, RtpLast, MediaPath.Both, ct);
        var verdict = await EchoCallAsync("blocked", ct);

        verdict.Heard!.SilentFraction.Should().Be(1, "no media path exists, so the browser plays only silence: {0}", verdict);
        verdict.FreeSwitch!.RtpPacketsIn.Should().Be(0, "FreeSWITCH received no RTP at all: {0}", verdict);
        new[] { "connected", "completed" }.Should().NotContain(verdict.Stats!.IceState, "every ICE check to FreeSWITCH is dropped");
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.IceNeverConnected, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().Be("connected but silent: ICE never connected (media blocked)");
        verdict.Diagnosis.ConnectedButSilent.Should().BeTrue();
        verdict.Should().BeClearedBy(Side.Phone, HangupCause.NormalClearing);
    }

    /// <summary>The control of <see cref="Media_blocked_both_ways_is_answered_but_silent_and_diagnosed"/>: no fault, the echo is heard.</summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Media_blocked_control_without_the_fault_hears_the_echo(CancellationToken ct)
    {
        await NamespaceAsync(ct);
        var verdict = await EchoCallAsync("unblocked", ct);

        verdict.Should().HaveHeardTone(Tone, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5));
        verdict.FreeSwitch!.RtpPacketsIn.Should().BeGreaterThan(50);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.Healthy, "{0}", verdict);
    }

    /// <summary>FreeSWITCH→browser media dropped mid-call: the browser hears nothing, FreeSWITCH still receives; "one-way audio".</summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task One_way_audio_when_media_from_FreeSwitch_is_dropped_mid_call(CancellationToken ct)
    {
        var verdict = await MidCallAsync("oneway", (n, c) => NetworkFaults.DropUdpAsync(n, FreeSwitch, RtpFirst, RtpLast, MediaPath.FromFreeSwitch, c), TimeSpan.FromSeconds(3), ct);

        verdict.Heard!.ToneFraction(Tone, -40).Should().BeLessThan(0.05, "nothing from FreeSWITCH reaches the browser after the drop: {0}", verdict);
        verdict.Diagnosis!.ConnectedButSilent.Should().BeTrue("the browser hears silence: {0}", verdict);
        verdict.Diagnosis.Kind.Should().Be(DiagnosisKind.BrowserReceivesNothing, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().Be("one-way audio: browser receives nothing (FreeSWITCH→browser media blocked)");
        verdict.FreeSwitch!.RtpPacketsIn.Should().BeGreaterThan(verdict.Stats!.PacketsSent / 2, "the browser's own media still reached FreeSWITCH: {0}", verdict);
    }

    /// <summary>
    /// Browser→FreeSWITCH media dropped mid-call: FreeSWITCH's RTP in stops, so its echo brings nothing back either;
    /// the diagnosis blames the way to FreeSWITCH, not the way back.
    /// </summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task One_way_audio_when_media_to_FreeSwitch_is_dropped_mid_call(CancellationToken ct)
    {
        var verdict = await MidCallAsync("oneway-up", (n, c) => NetworkFaults.DropUdpAsync(n, FreeSwitch, RtpFirst, RtpLast, MediaPath.ToFreeSwitch, c), TimeSpan.FromSeconds(3), ct);

        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.FreeSwitchReceivesNothing, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().Be("one-way audio: FreeSWITCH receives nothing (browser→FreeSWITCH media blocked)");
    }

    /// <summary>The control of <see cref="One_way_audio_when_media_from_FreeSwitch_is_dropped_mid_call"/>: the same call, no fault.</summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task One_way_audio_control_without_the_fault_hears_both_ways(CancellationToken ct)
    {
        var verdict = await MidCallAsync("twoway", null, TimeSpan.FromSeconds(3), ct);

        verdict.Heard!.ToneFraction(Tone, -40).Should().BeGreaterThan(0.8, "{0}", verdict);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.Healthy, "{0}", verdict);
    }

    /// <summary>20 % of FreeSWITCH→browser packets lost: getStats' loss within the tolerance, and the diagnosis names it.</summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Packet_loss_of_20_percent_is_measured_within_tolerance_and_diagnosed(CancellationToken ct)
    {
        var verdict = await MidCallAsync("loss", (n, c) => NetworkFaults.LossAsync(n, LossPercent, FreeSwitch, RtpFirst, RtpLast, MediaPath.FromFreeSwitch, c), TimeSpan.FromSeconds(5), ct);

        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.PacketLoss, "{0}", verdict);
        verdict.Diagnosis.LossFraction.Should().BeApproximately(LossPercent / 100, LossTolerance, "getStats' packetsLost over the window: {0}", verdict);
        verdict.Diagnosis.Summary.Should().StartWith("packet loss ").And.Contain("FreeSWITCH→browser");
        await TestContext.Progress.WriteLineAsync($"loss: {LossPercent:0} % applied, {verdict.Diagnosis.LossFraction * 100:0.0} % measured (tolerance ±{LossTolerance * 100:0} points)");
    }

    /// <summary>The control of <see cref="Packet_loss_of_20_percent_is_measured_within_tolerance_and_diagnosed"/>: no loss named.</summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Packet_loss_control_without_the_fault_loses_nothing_worth_naming(CancellationToken ct)
    {
        var verdict = await MidCallAsync("noloss", null, TimeSpan.FromSeconds(5), ct);

        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.Healthy, "{0}", verdict);
        (verdict.Diagnosis.LossFraction ?? 0).Should().BeLessThan(CallDiagnosis.LossWorthNaming);
    }

    /// <summary>
    /// FreeSWITCH→browser squeezed through a 24 kbit/s token bucket (tc tbf) mid-call, below what the echoed opus
    /// needs on the wire: the bucket drops what does not fit, the browser counts those packets lost, the diagnosis
    /// names packet loss on that way. Its control is the loss control (the same call, no fault).
    /// </summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Rate_limit_below_the_media_bitrate_drops_packets_and_is_diagnosed_as_loss(CancellationToken ct)
    {
        var n = await NamespaceAsync(ct);
        var phone = await PhoneAsync(PhoneKind.Browser, "external", "Browser-rate", Tone, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO"), Tone, ct: ct);
        await call.AnsweredAsync(ct: ct);
        await MediaFlowsAsync(call, ct);

        long dropped;
        MediaStats? since;
        await using (var rate = await NetworkFaults.RateAsync(n, RateKbit, MediaPath.FromFreeSwitch, ct))
        {
            since = await call.StatsNowAsync(ct);
            await call.ListenAsync(Settle, [Tone], ct);
            await call.ListenAsync(TimeSpan.FromSeconds(5), [Tone], ct);
            dropped = await rate.DroppedAsync(ct);
        }

        var heard = await call.ListenAsync(TimeSpan.FromMilliseconds(200), [Tone], ct);
        await call.HangupAsync(ct);
        var verdict = await VerdictAsync(phone, call, heard, ct: ct, since: since);

        var lost = verdict.Stats!.PacketsLost - (since?.PacketsLost ?? 0);
        await TestContext.Progress.WriteLineAsync($"rate: {RateKbit} kbit/s FreeSWITCH → browser; the bucket dropped {dropped} packets, the browser counted {lost} lost; diagnosis: {verdict.Diagnosis!.Summary}");
        dropped.Should().BeGreaterThan(50, "24 kbit/s is below the echoed opus stream's rate on the wire: {0}", verdict);
        verdict.Diagnosis.Kind.Should().Be(DiagnosisKind.PacketLoss, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().Contain("FreeSWITCH→browser");
        verdict.Diagnosis.LossFraction.Should().BeGreaterThan(0.2, "{0}", verdict);
        ((double)lost).Should().BeInRange(dropped * 0.7, dropped + 10, "what the browser lost is what the bucket dropped (RTCP and consent checks are dropped too): {0}", verdict);
    }

    /// <summary>
    /// The SIP WebSocket cut mid-call (call to ECHO_MEDIA_TIMEOUT): the browser's call ends at once, FreeSWITCH,
    /// told nothing, ends its leg on MEDIA_TIMEOUT; the diagnosis names the transport.
    /// </summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task WebSocket_cut_mid_call_ends_the_call_and_the_diagnosis_names_the_transport(CancellationToken ct)
    {
        var n = await NamespaceAsync(ct);
        var phone = await PhoneAsync(PhoneKind.Browser, "external", "Browser-wscut", Tone, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO_MEDIA_TIMEOUT"), Tone, ct: ct);
        await call.AnsweredAsync(ct: ct);
        await MediaFlowsAsync(call, ct);

        await using var fault = await NetworkFaults.CutTcpAsync(n, FreeSwitch, Fs.WssUri("external").Port, ct);
        var cutAt = DateTimeOffset.UtcNow;
        var end = await call.EndedAsync(TimeSpan.FromSeconds(5), ct);
        // FreeSWITCH hears of no BYE: its leg ends when the media stops for media_timeout (4 s), within 10 s.
        var record = await Ledger.WaitForHangupAsync(call.CallId, TimeSpan.FromSeconds(10), ct);
        var verdict = await VerdictAsync(phone, call, AudioReportOrNone.None, ct: ct);

        (end.At - cutAt).Should().BeLessThan(TimeSpan.FromSeconds(3), "the browser's call ends when its transport goes: {0}", verdict);
        record.Cause.Should().Be(HangupCause.MediaTimeout, "FreeSWITCH was told nothing and ended its leg when the media stopped: {0}", verdict);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.TransportClosed, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().StartWith("transport closed mid-call: the SIP WebSocket to FreeSWITCH closed");
        verdict.Diagnosis.Evidence.Should().Contain(l => l.StartsWith("FreeSWITCH: hung up MEDIA_TIMEOUT", StringComparison.Ordinal));
    }

    /// <summary>The control of the WebSocket cut: the same call, hung up by the browser, NORMAL_CLEARING.</summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task WebSocket_cut_control_without_the_fault_is_cleared_normally(CancellationToken ct)
    {
        await NamespaceAsync(ct);
        var phone = await PhoneAsync(PhoneKind.Browser, "external", "Browser-wsok", Tone, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO_MEDIA_TIMEOUT"), Tone, ct: ct);
        await call.AnsweredAsync(ct: ct);
        await MediaFlowsAsync(call, ct);
        await call.HangupAsync(ct);
        var verdict = await VerdictAsync(phone, call, AudioReportOrNone.None, ct: ct);

        verdict.Should().BeClearedBy(Side.Phone, HangupCause.NormalClearing);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.Healthy, "{0}", verdict);
    }
}
