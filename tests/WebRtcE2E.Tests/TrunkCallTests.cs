using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Phones;

namespace WebRtcE2E.Tests;

/// <summary>The article's trunk call: 07010002000 on the external profile answers, plays the announcement, hangs up.</summary>
[Category("FreeSwitch")]
public sealed class TrunkCallTests
{
    [TestCaseSource(typeof(Harness), nameof(Harness.Phones))]
    [CancelAfter(60_000)]
    public async Task Trunk_call_hears_the_announcement_and_both_sides_see_normal_clearing(PhoneKind kind, CancellationToken ct)
    {
        var fs = await SharedFreeSwitch.TargetAsync(ct);
        var (esl, ledger) = await Harness.LedgerAsync(fs, ct);
        await using var _ = esl;
        await using var phone = await Harness.PhoneAsync(kind, fs, "external", "caller", 440, ct: ct);

        var call = await phone.DialAsync(fs.Conf.Number("TRUNK_WEBRTC_TEST"), ct: ct);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [TestAudio.AnnouncementHz], ct);
        var end = await call.EndedAsync(TimeSpan.FromSeconds(10), ct);
        var record = await ledger.WaitForHangupAsync(call.CallId, TimeSpan.FromSeconds(5), ct);

        TestContext.Out.WriteLine($"{kind}: heard {heard.Describe()}; {end}; FreeSWITCH: {record.Describe()}");
        heard.FirstHeard(TestAudio.AnnouncementHz, -30).Should().NotBeNull().And.BeLessThan(TimeSpan.FromSeconds(1.5));
        end.By.Should().Be(EndedBy.Remote);
        end.Q850Cause.Should().Be(16);
        record.HangupCause.Should().Be("NORMAL_CLEARING");
        record.Disposition.Should().Be("send_bye");
    }
}
