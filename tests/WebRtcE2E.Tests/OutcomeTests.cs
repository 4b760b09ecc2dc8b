using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Tests;

/// <summary>
/// The numbers with one known outcome each: the SIP status and Reason the phone gets, and the cause FreeSWITCH
/// records, as freeswitch-conf/README.md documents them (mod_sofia.c hangup_cause_to_sip).
/// </summary>
[Category("External")]
public sealed class OutcomeTests : Scenario
{
    public static IEnumerable<TestCaseData> Outcomes() =>
        from kind in ScenarioPhones.Kinds
        from o in new[]
        {
            ("BUSY", 486, 17, HangupCause.UserBusy),
            ("REJECTED", 603, 21, HangupCause.CallRejected),
            ("UNALLOCATED", 404, 1, HangupCause.UnallocatedNumber),
            ("NO_ANSWER", 480, 19, HangupCause.NoAnswer),
        }
        select new TestCaseData(kind, o.Item1, o.Item2, o.Item3, o.Item4).SetArgDisplayNames(kind.ToString(), o.Item1).SetCategory(kind.ToString());

    [TestCaseSource(nameof(Outcomes))]
    [CancelAfter(60_000)]
    public async Task Outcome_number_ends_with_its_documented_status_reason_and_cause(PhoneKind kind, string extension, int status, int q850, HangupCause cause, CancellationToken ct)
    {
        var phone = await PhoneAsync(kind, "external", $"{kind}-caller", 440, ct: ct);

        var call = await DialAsync(phone, Fs.Conf.Number(extension), null, ct: ct);
        var notAnswered = await FluentActions.Awaiting(() => call.AnsweredAsync(TimeSpan.FromSeconds(15), ct)).Should().ThrowAsync<CallEndedException>();
        var verdict = await VerdictAsync(phone, call, AudioReportOrNone.None, ct: ct);

        TestContext.Out.WriteLine(notAnswered.Which.Message);
        verdict.Should().HaveEndedWith(status).And.BeClearedBy(Side.FreeSwitch, cause);
        verdict.PhoneEnd.Q850Cause.Should().Be(q850, $"FreeSWITCH sends Reason: Q.850;cause={q850} with the {status}");
        verdict.FreeSwitch!.Disposition.Should().Be("send_refuse");
    }
}
