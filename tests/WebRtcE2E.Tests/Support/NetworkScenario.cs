using System.Net;
using WebRtcE2E.Fixtures.Network;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Tests;

/// <summary>
/// What every network-fault test shares: the browser's own host (the run's network namespace) that faults act on,
/// FreeSWITCH's address and RTP range, the calls a fault is judged on (an echo call; an echo call with a fault
/// applied mid-call), and the check after each test that no rule of any fault is left in the namespace. Faults act
/// on the one namespace every browser phone of the run shares: a class deriving from this must be [NonParallelizable].
/// </summary>
public abstract class NetworkScenario : Scenario
{
    /// <summary>The tone the browser sends; the echo brings it back.</summary>
    protected const double Tone = 660;

    /// <summary>What the phone still plays of the media from before a fault (jitter buffer, playout, the page's tap).</summary>
    protected static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    private BrowserNamespace? ns;

    /// <summary>No rule of any fault may outlive its test: listed from the namespace itself.</summary>
    [TearDown]
    public async Task NothingLeftAsync()
    {
        if (ns is not null)
        {
            (await NetworkFaults.LeftInAsync(ns)).Should().BeEmpty("every fault removes its rules when its test ends, also when the test fails");
        }
    }

    protected IPAddress FreeSwitch => IPAddress.Parse(Fs.Host);

    protected int RtpFirst => Fs.Port("rtp_start_port");

    protected int RtpLast => Fs.Port("rtp_end_port");

    /// <summary>The browser's namespace: faults need one (a container target); other targets have nothing to inject into.</summary>
    protected async Task<BrowserNamespace> NamespaceAsync(CancellationToken ct)
    {
        if (Fs.Kind != Fixtures.FreeSwitch.TargetKind.Container)
        {
            Assert.Ignore($"network faults act on the browser's own network namespace on the run's Docker network; the target is {Fs.Kind}, not a container");
        }

        if (NetworkFaults.Unsupported is { } why)
        {
            Assert.Fail($"network faults cannot be applied here: {why}");
        }

        var host = await TestRun.BrowserAsync(Fs, ct);
        ns = host.Options.Namespace ?? throw new InvalidOperationException("the run's browser has no network namespace although this machine supports one");
        return ns;
    }

    /// <summary>A JsSIP browser calls the echo, listens 3 s, hangs up.</summary>
    protected async Task<CallVerdict> EchoCallAsync(string name, CancellationToken ct)
    {
        var phone = await PhoneAsync(PhoneKind.Browser, "external", $"Browser-{name}", Tone, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO"), Tone, ct: ct);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(3), [Tone], ct);
        await call.HangupAsync(ct);
        return await VerdictAsync(phone, call, heard, ct: ct);
    }

    /// <summary>
    /// A JsSIP browser calls the echo; once its tone comes back, <paramref name="fault"/> is applied (none for a
    /// control), the counters are taken at that moment, the phone listens for <paramref name="window"/> (after
    /// <see cref="Settle"/>) and hangs up; the verdict is judged on the window (audio) and on the counters since the fault.
    /// </summary>
    protected async Task<CallVerdict> MidCallAsync(string name, Func<BrowserNamespace, CancellationToken, Task<INetworkFault>>? fault, TimeSpan window, CancellationToken ct)
    {
        var n = await NamespaceAsync(ct);
        var phone = await PhoneAsync(PhoneKind.Browser, "external", $"Browser-{name}", Tone, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("ECHO"), Tone, ct: ct);
        await call.AnsweredAsync(ct: ct);
        await MediaFlowsAsync(call, ct);

        await using var applied = fault is null ? null : await fault(n, ct);
        var since = await call.StatsNowAsync(ct);
        // The received audio reaches .NET some 0.4 s behind the wire (jitter buffer, playout, the page's tap):
        // that second still holds what arrived before the fault, so the judged window starts after it.
        await call.ListenAsync(Settle, [Tone], ct);
        var heard = await call.ListenAsync(window, [Tone], ct);
        await call.HangupAsync(ct);
        return await VerdictAsync(phone, call, heard, ct: ct, since: since);
    }

    /// <summary>Before a fault mid-call: the echo is heard, so the fault is what changes it.</summary>
    protected static async Task MediaFlowsAsync(ICall call, CancellationToken ct)
    {
        var first = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [Tone], ct);
        first.ToneFraction(Tone, -40).Should().BeGreaterThan(0.3, "the echo must be heard before the fault is applied: {0}", first.Describe());
    }
}
