using System.Net;
using System.Net.Sockets;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Native;
using WebRtcE2E.Sip.Transactions;

namespace WebRtcE2E.Sip.Tests.Interop;

/// <summary>RFC 3261 §17.1.1.2 timers A and B against a loopback UDP socket that never answers.</summary>
[Category("Unit")]
[Category("Native")]
public class TransactionTimerTests
{
    [Test]
    [CancelAfter(15000)]
    public async Task Unanswered_invite_is_retransmitted_and_times_out_with_408(CancellationToken ct)
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)silent.LocalEndPoint!).Port;
        var timers = new SipTimerOptions { T1 = TimeSpan.FromMilliseconds(50) };
        await using var phone = await NativePhone.CreateAsync(new NativePhoneOptions { Timers = timers }, ct);

        var call = await phone.DialAsync($"sip:nobody@127.0.0.1:{port}", ct: ct);
        var end = await call.EndedAsync(timers.TransactionTimeout + TimeSpan.FromSeconds(3), ct);

        end.SipStatus.Should().Be(408);
        end.By.Should().Be(EndedBy.System, "Timer B is the phone's own timeout, not an answer from the far end");
        var invites = phone.SipTrace.Where(t => t.Direction == TraceDirection.Sent && t.FirstLine.StartsWith("INVITE", StringComparison.Ordinal)).ToList();
        // Timer A doubles from T1 (0, 50, 150, 350, 750, 1550 ms) until Timer B at 64·T1 = 3.2 s: 6 or 7 sends.
        invites.Count.Should().BeInRange(6, 7);
        invites.Select(i => i.Text).Distinct().Should().HaveCount(1, "a retransmission is the same request");
        var gaps = invites.Zip(invites.Skip(1), (a, b) => (b.At - a.At).TotalMilliseconds).ToList();
        gaps[^1].Should().BeGreaterThan(gaps[0] * 4, $"intervals double: {string.Join(", ", gaps.Select(g => g.ToString("0")))} ms");
    }

    [Test]
    [CancelAfter(15000)]
    public async Task Ringing_longer_than_timer_B_still_gets_answered(CancellationToken ct)
    {
        // Timer B (64·T1 = 1.28 s here) stops at the first provisional (RFC 3261 §17.1.1.2): a callee that rings
        // for longer must still be able to answer, and the caller must not invent a 408.
        var timers = new SipTimerOptions { T1 = TimeSpan.FromMilliseconds(20) };
        await using var a = await NativePhone.CreateAsync(new NativePhoneOptions { Name = "A", Timers = timers, AnswerTimeout = TimeSpan.FromSeconds(10) }, ct);
        await using var b = await NativePhone.CreateAsync(new NativePhoneOptions { Name = "B" }, ct);

        var outgoing = await a.DialAsync(b.ContactUri, ct: ct);
        var incoming = await b.NextIncomingCallAsync(TimeSpan.FromSeconds(5), ct);
        var ringFor = timers.TransactionTimeout + TimeSpan.FromSeconds(1); // the scenario itself: ring past Timer B
        await FluentActions.Awaiting(() => outgoing.EndedAsync(ringFor, ct)).Should()
            .ThrowAsync<TimeoutException>("the call must not end while it rings, Timer B or not");
        await incoming.AnswerAsync(ct);
        var answered = await outgoing.AnsweredAsync(TimeSpan.FromSeconds(5), ct);

        answered.Status.Should().Be(200);
        answered.SetupTime.Should().BeGreaterThan(timers.TransactionTimeout);
        await outgoing.HangupAsync(ct);
    }

    [Test]
    [CancelAfter(15000)]
    public async Task Ringing_past_timer_C_ends_with_408(CancellationToken ct)
    {
        var timers = new SipTimerOptions { T1 = TimeSpan.FromMilliseconds(20), ProceedingTimeout = TimeSpan.FromSeconds(2) };
        await using var a = await NativePhone.CreateAsync(new NativePhoneOptions { Name = "A", Timers = timers, AnswerTimeout = TimeSpan.FromSeconds(10) }, ct);
        await using var b = await NativePhone.CreateAsync(new NativePhoneOptions { Name = "B" }, ct);

        var outgoing = await a.DialAsync(b.ContactUri, ct: ct);
        await b.NextIncomingCallAsync(TimeSpan.FromSeconds(5), ct);
        var end = await outgoing.EndedAsync(TimeSpan.FromSeconds(6), ct);

        end.SipStatus.Should().Be(408);
        end.By.Should().Be(EndedBy.System, "Timer C is the caller's own limit on ringing");
    }
}
