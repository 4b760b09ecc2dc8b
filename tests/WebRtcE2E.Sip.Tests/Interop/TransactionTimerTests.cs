using System.Net;
using System.Net.Sockets;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Native;
using WebRtcE2E.Sip.Transactions;

namespace WebRtcE2E.Sip.Tests.Interop;

/// <summary>RFC 3261 §17.1.1.2 timers A and B against a loopback UDP socket that never answers.</summary>
[Category("Lab")]
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
}
