using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Native;

namespace WebRtcE2E.Sip.Tests.Interop;

/// <summary>Two native phones calling each other directly on loopback (A dials B's Contact).</summary>
[Category("Unit")]
[Category("Native")]
public class PhoneToPhoneTests
{
    private const double ToneA = 440;
    private const double ToneB = 880;
    private const double Floor = -30;

    [Test]
    [CancelAfter(30000)]
    public async Task Two_phones_hear_each_other_exchange_dtmf_and_hold(
        [Values("udp", "tcp")] string transport,
        [Values("PCMU", "opus")] string codec,
        CancellationToken ct)
    {
        await using var a = await NativePhone.CreateAsync(new NativePhoneOptions { Name = "A", Transport = transport, ToneHz = ToneA, Codecs = [codec] }, ct);
        await using var b = await NativePhone.CreateAsync(new NativePhoneOptions { Name = "B", Transport = transport, ToneHz = ToneB, Codecs = [codec] }, ct);

        var outgoing = await a.DialAsync(b.ContactUri, ct: ct);
        var incoming = await b.NextIncomingCallAsync(TimeSpan.FromSeconds(5), ct);
        await incoming.AnswerAsync(ct);
        await outgoing.AnsweredAsync(ct: ct);

        var aHears = await outgoing.ListenAsync(TimeSpan.FromSeconds(1), [ToneB], ct);
        var bHears = incoming.ListenAsync(TimeSpan.FromSeconds(1), [ToneA], ct);
        aHears.ToneLevelDbfs(ToneB).Should().BeGreaterThan(Floor, aHears.Describe());
        aHears.StrongestIsNear(ToneB).Should().BeTrue(aHears.Describe());
        var bReport = await bHears;
        bReport.ToneLevelDbfs(ToneA).Should().BeGreaterThan(Floor, bReport.Describe());
        bReport.StrongestIsNear(ToneA).Should().BeTrue(bReport.Describe());
        outgoing.Stats!.Codec.Should().BeEquivalentTo(codec);

        await outgoing.SendDtmfAsync("159#", ct: ct);
        (await incoming.ReceivedDtmfAsync(4, TimeSpan.FromSeconds(3), ct)).Should().Be("159#");
        await incoming.SendDtmfAsync("*0", DtmfMethod.SipInfo, ct);
        (await outgoing.ReceivedDtmfAsync(2, TimeSpan.FromSeconds(3), ct)).Should().Be("*0");

        await outgoing.HoldAsync(ct);
        await outgoing.ListenAsync(TimeSpan.FromSeconds(0.3), ct: ct); // audio already queued or in flight drains
        var held = await outgoing.ListenAsync(TimeSpan.FromSeconds(0.6), [ToneB], ct);
        held.ToneFraction(ToneB, Floor).Should().BeLessThan(0.2, "B stops sending while A holds (a=sendonly → recvonly): " + held.Describe());

        await outgoing.UnholdAsync(ct);
        await outgoing.ListenAsync(TimeSpan.FromSeconds(0.2), ct: ct); // the first frames after unhold may still be silent
        var back = await outgoing.ListenAsync(TimeSpan.FromSeconds(0.6), [ToneB], ct);
        back.ToneLevelDbfs(ToneB).Should().BeGreaterThan(Floor, "unhold restores B's audio: " + back.Describe());

        await outgoing.HangupAsync(ct);
        (await outgoing.EndedAsync(ct: ct)).By.Should().Be(EndedBy.Local);
        var bEnd = await incoming.EndedAsync(ct: ct);
        bEnd.By.Should().Be(EndedBy.Remote);
        bEnd.Q850Cause.Should().Be(16);
        a.SipTrace.Should().Contain(t => t.FirstLine.StartsWith("BYE", StringComparison.Ordinal));
        b.Events.Should().Contain(e => e.Kind == "re-INVITE");
    }
}
