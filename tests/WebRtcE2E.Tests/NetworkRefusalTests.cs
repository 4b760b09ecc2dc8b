using System.Diagnostics;
using System.Net;
using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Network;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Tests;

/// <summary>
/// Failures a FreeSWITCH deployment's configuration or firewall makes, reproduced on purpose and named, each with
/// its control (the same call without the fault, which must be healthy): no apply-candidate-acl (488 at once), an
/// advertised address the browser cannot reach (rescued by ICE), codecs that do not intersect (488), and a
/// firewall in front of FreeSWITCH's RTP with media_timeout set (MEDIA_TIMEOUT, BYE SIP;cause=804). The conf side
/// is in freeswitch-conf: profile noacl, profile nat with numbers ECHO_UNREACHABLE_RTP_IP and ECHO_PCMU_ONLY,
/// number ECHO_MEDIA_TIMEOUT.
/// </summary>
[Category("Network")]
[Category("Browser")]
[Category("External")]
[NonParallelizable]
public sealed class NetworkRefusalTests : NetworkScenario
{
    /// <summary>What FreeSWITCH advertises on ECHO_UNREACHABLE_RTP_IP (dialplan/public.xml): RFC 5737 TEST-NET-2.</summary>
    private static readonly IPAddress Unreachable = IPAddress.Parse("198.51.100.7");

    private readonly Stopwatch clock = Stopwatch.StartNew();

    /// <summary>
    /// A JsSIP browser on the run's private network (10.213.N.250) calls the echo through profile noacl, which has
    /// no apply-candidate-acl: FreeSWITCH falls back to wan.auto, drops the private candidate and answers 488 at once.
    /// </summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task No_candidate_acl_refuses_a_browser_on_a_private_network_at_once_and_names_it(CancellationToken ct)
    {
        await NamespaceAsync(ct);
        var (verdict, refused, took) = await RefusedCallAsync("noacl", "noacl", "ECHO", null, ct);

        refused.SipStatus.Should().Be(488, "{0}", verdict);
        refused.Q850Cause.Should().Be(88, "Reason: Q.850;cause=88 (INCOMPATIBLE_DESTINATION): {0}", verdict);
        took.Should().BeLessThan(TimeSpan.FromSeconds(2), "FreeSWITCH refuses when the INVITE arrives, before any dialplan: {0}", verdict);
        verdict.FreeSwitch!.HangupCause.Should().Be("INCOMPATIBLE_DESTINATION", "{0}", verdict);
        verdict.FreeSwitch.Profile.Should().Be("noacl");
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.NoUsableCandidate, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().Be("refused: no usable ICE candidate — profile has no apply-candidate-acl, FreeSWITCH dropped the browser's private candidates (INCOMPATIBLE_DESTINATION)");
        verdict.Diagnosis.Evidence.Should().Contain(l => l.StartsWith("FreeSWITCH log: [WARNING]", StringComparison.Ordinal) && l.Contains("NO candidate ACL defined, Defaulting to wan.auto", StringComparison.Ordinal));
        verdict.Diagnosis.Evidence.Should().Contain(l => l.StartsWith("FreeSWITCH log:", StringComparison.Ordinal) && l.Contains("no suitable candidates found", StringComparison.Ordinal));
        verdict.Diagnosis.Evidence.Should().Contain(l => l.StartsWith("browser offered candidates:", StringComparison.Ordinal) && l.Contains(".250:", StringComparison.Ordinal));
        await ReportAsync(verdict);
    }

    /// <summary>The control: the same call through profile external (the article's four apply-candidate-acl lines) is answered and echoed.</summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task No_candidate_acl_control_through_external_is_answered_and_the_echo_heard(CancellationToken ct)
    {
        await NamespaceAsync(ct);
        var verdict = await HealthyEchoAsync("acl", "external", "ECHO", null, ct);

        verdict.FreeSwitch!.Profile.Should().Be("external");
        await ReportAsync(verdict);
    }

    /// <summary>
    /// Profile nat thinks the browser is behind NAT and advertises its external address; ECHO_UNREACHABLE_RTP_IP
    /// makes that 198.51.100.7 for the call (rtp_adv_audio_ip), as a wrong ext-rtp-ip would. What really happens
    /// with FreeSWITCH 1.10.12 and Chromium: the browser's checks to 198.51.100.7 go unanswered, but FreeSWITCH's
    /// own checks reach the browser from its real address, the browser learns it as a peer-reflexive candidate and
    /// ICE connects over it: the call works, rescued, and the diagnosis says so.
    /// </summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Unreachable_advertised_address_is_rescued_by_a_peer_reflexive_candidate_and_named(CancellationToken ct)
    {
        var ns = await NamespaceAsync(ct);
        (await NetworkFaults.HasRouteAsync(ns, Unreachable, ct)).Should().BeFalse("the browser's host must have no route to {0}: its checks end there, nothing leaves this machine", Unreachable);
        var verdict = await EchoOnAsync("unreachable", "nat", "ECHO_UNREACHABLE_RTP_IP", null, ct);

        var answer = verdict.Diagnosis!.Evidence.Should().Contain(l => l.StartsWith("FreeSWITCH's SDP: c=198.51.100.7", StringComparison.Ordinal), "{0}", verdict).Which;
        answer.Should().Contain("198.51.100.7:").And.Contain(" host");
        verdict.Stats!.SelectedPair.Should().NotBeNull("{0}", verdict);
        verdict.Stats.SelectedPair!.Remote.Type.Should().Be("prflx", "ICE connected over a candidate learnt from FreeSWITCH's checks: {0}", verdict);
        verdict.Stats.CandidatePairs.Where(p => p.Remote.Address == "198.51.100.7").Should()
            .NotBeEmpty("the browser tried the advertised address").And
            .OnlyContain(p => p.ResponsesReceived == 0 && p.State != "succeeded", "nothing answers at the advertised address");
        verdict.Should().HaveHeardTone(Tone, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5));
        verdict.Diagnosis.Kind.Should().Be(DiagnosisKind.RescuedByPeerReflexive, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().Be("rescued: FreeSWITCH advertised 198.51.100.7, which the browser cannot reach; ICE connected over a peer-reflexive candidate learnt from FreeSWITCH's checks");
        await ReportAsync(verdict);
    }

    /// <summary>The control: the same profile advertising its right address (ECHO): a host/host pair, healthy.</summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Unreachable_address_control_advertising_the_right_address_connects_host_to_host(CancellationToken ct)
    {
        await NamespaceAsync(ct);
        var verdict = await HealthyEchoAsync("reachable", "nat", "ECHO", null, ct);

        verdict.Stats!.SelectedPair.Should().NotBeNull("{0}", verdict);
        verdict.Stats.SelectedPair!.Remote.Type.Should().Be("host", "{0}", verdict);
        verdict.Stats.SelectedPair.Remote.Address.Should().Be(Fs.Host, "FreeSWITCH advertised its own address: {0}", verdict);
        verdict.Stats.SelectedPair.Local.Type.Should().Be("host");
        await ReportAsync(verdict);
    }

    /// <summary>
    /// The browser offers opus only; ECHO_PCMU_ONLY (profile nat, late negotiation) accepts PCMU only: 488
    /// INCOMPATIBLE_DESTINATION when the dialplan answers, and the diagnosis names both lists.
    /// </summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Codecs_that_do_not_intersect_are_refused_with_488_naming_both_lists(CancellationToken ct)
    {
        await NamespaceAsync(ct);
        var (verdict, refused, took) = await RefusedCallAsync("opus-only", "nat", "ECHO_PCMU_ONLY", ["opus"], ct);

        refused.SipStatus.Should().Be(488, "{0}", verdict);
        refused.Q850Cause.Should().Be(88, "{0}", verdict);
        took.Should().BeLessThan(TimeSpan.FromSeconds(2), "{0}", verdict);
        verdict.FreeSwitch!.HangupCause.Should().Be("INCOMPATIBLE_DESTINATION", "{0}", verdict);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.NoCommonCodec, "{0}", verdict);
        verdict.Diagnosis.Summary.Should().Be("refused: no common codec — the browser offered opus, FreeSWITCH accepts PCMU (INCOMPATIBLE_DESTINATION)");
        verdict.Diagnosis.Evidence.Should().Contain("browser offered: opus").And.Contain("FreeSWITCH accepts: PCMU");
        await ReportAsync(verdict);
    }

    /// <summary>The control: the browser offers opus and PCMU to the same number: answered in PCMU, the echo heard.</summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Codecs_control_that_intersect_are_answered_and_the_echo_heard(CancellationToken ct)
    {
        await NamespaceAsync(ct);
        var verdict = await HealthyEchoAsync("opus-pcmu", "nat", "ECHO_PCMU_ONLY", ["opus", "PCMU"], ct);

        verdict.FreeSwitch!.Codec.Should().Be("PCMU", "{0}", verdict);
        verdict.Stats!.Codec.Should().Be("PCMU", "{0}", verdict);
        await ReportAsync(verdict);
    }

    /// <summary>
    /// UDP to FreeSWITCH's RTP range dropped on the browser's host before the call, to ECHO_MEDIA_TIMEOUT
    /// (media_timeout=4000): answered, silent, ICE never connects, and about 4 s after answer FreeSWITCH ends the
    /// call MEDIA_TIMEOUT with BYE Reason: SIP;cause=804.
    /// </summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Firewall_with_media_timeout_is_answered_silent_and_ended_by_FreeSwitch_with_804(CancellationToken ct)
    {
        await using var fault = await NetworkFaults.DropUdpAsync(await NamespaceAsync(ct), FreeSwitch, RtpFirst, RtpLast, MediaPath.Both, ct);
        var phone = await PhoneAsync(PhoneKind.Browser, "external", "Browser-timeout", Tone, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO_MEDIA_TIMEOUT"), Tone, ct: ct);
        var answered = await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(2), [Tone], ct);
        var end = await call.EndedAsync(TimeSpan.FromSeconds(10), ct);
        var verdict = await VerdictAsync(phone, call, heard, ct: ct);

        verdict.Heard!.SilentFraction.Should().Be(1, "no media path exists: {0}", verdict);
        new[] { "connected", "completed" }.Should().NotContain(verdict.Stats!.IceState, "every ICE check to FreeSWITCH is dropped");
        verdict.FreeSwitch!.HangupCause.Should().Be("MEDIA_TIMEOUT", "{0}", verdict);
        verdict.FreeSwitch.Disposition.Should().Be("send_bye", "{0}", verdict);
        end.By.Should().Be(EndedBy.Remote, "{0}", verdict);
        end.SipReasonCause.Should().Be(804, "FreeSWITCH's BYE carries Reason: SIP;cause=804;text=\"MEDIA_TIMEOUT\": {0}", verdict);
        var after = end.At - answered.At;
        after.Should().BeGreaterThan(TimeSpan.FromSeconds(3.5)).And.BeLessThan(TimeSpan.FromSeconds(7), "media_timeout is 4000 ms from answer: {0}", verdict);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.MediaTimeout, "{0}", verdict);
        verdict.Diagnosis.ConnectedButSilent.Should().BeTrue();
        verdict.Diagnosis.Summary.Should().MatchRegex(@"^connected but silent: ICE never connected, and FreeSWITCH ended it on MEDIA_TIMEOUT after [4-6]\.\d s$");
        verdict.Diagnosis.Evidence.Should().Contain(l => l.StartsWith("FreeSWITCH: hung up MEDIA_TIMEOUT", StringComparison.Ordinal) && l.Contains("cause=804", StringComparison.Ordinal));
        await ReportAsync(verdict);
    }

    /// <summary>The control: the same number without the fault: the echo is heard and the phone clears the call normally.</summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Firewall_control_without_the_fault_hears_the_echo_and_is_cleared_by_the_phone(CancellationToken ct)
    {
        await NamespaceAsync(ct);
        var verdict = await HealthyEchoAsync("no-firewall", "external", "ECHO_MEDIA_TIMEOUT", null, ct);

        verdict.Should().BeClearedBy(Side.Phone, HangupCause.NormalClearing);
        await ReportAsync(verdict);
    }

    /// <summary>A JsSIP browser calls <paramref name="number"/> through <paramref name="profile"/>, listens 3 s, hangs up.</summary>
    private async Task<CallVerdict> EchoOnAsync(string name, string profile, string number, IReadOnlyList<string>? codecs, CancellationToken ct)
    {
        var phone = await PhoneAsync(PhoneKind.Browser, profile, $"Browser-{name}", Tone, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number(number), Tone, codecs is null ? null : new DialOptions { Codecs = codecs }, ct);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(3), [Tone], ct);
        await call.HangupAsync(ct);
        return await VerdictAsync(phone, call, heard, ct: ct);
    }

    /// <summary>A control: the echo call is heard within 1.5 s and nothing is named.</summary>
    private async Task<CallVerdict> HealthyEchoAsync(string name, string profile, string number, IReadOnlyList<string>? codecs, CancellationToken ct)
    {
        var verdict = await EchoOnAsync(name, profile, number, codecs, ct);
        verdict.Should().HaveHeardTone(Tone, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5));
        verdict.FreeSwitch!.RtpPacketsIn.Should().BeGreaterThan(50, "{0}", verdict);
        verdict.Diagnosis!.Kind.Should().Be(DiagnosisKind.Healthy, "{0}", verdict);
        return verdict;
    }

    /// <summary>A JsSIP browser calls and the call must end before answer: the verdict, the phone's end and how long after dialling.</summary>
    private async Task<(CallVerdict Verdict, CallEnd End, TimeSpan Took)> RefusedCallAsync(string name, string profile, string number, IReadOnlyList<string>? codecs, CancellationToken ct)
    {
        var phone = await PhoneAsync(PhoneKind.Browser, profile, $"Browser-{name}", Tone, ct: ct);
        var dialled = DateTimeOffset.UtcNow;
        var call = await DialAsync(phone, Fs.Conf.Number(number), null, codecs is null ? null : new DialOptions { Codecs = codecs }, ct);
        var refused = (await FluentActions.Awaiting(() => call.AnsweredAsync(TimeSpan.FromSeconds(10), ct)).Should().ThrowAsync<CallEndedException>("the call must be refused before answer")).Which.End;
        var verdict = await VerdictAsync(phone, call, AudioReportOrNone.None, ct: ct);
        verdict.FreeSwitch!.WasAnswered.Should().BeFalse("{0}", verdict);
        return (verdict, refused, refused.At - dialled);
    }

    /// <summary>The line the session collects, and how long the test took so far.</summary>
    private async Task ReportAsync(CallVerdict verdict) =>
        await TestContext.Progress.WriteLineAsync($"diagnosis: {verdict.Diagnosis!.Summary} ({clock.Elapsed.TotalSeconds:0.0} s into the test)");
}
