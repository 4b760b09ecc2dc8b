using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Tests;

/// <summary>The internal profile: users register with the run's passwords, and every INVITE must authenticate.</summary>
[Category("Internal")]
public sealed class RegistrationTests : Scenario
{
    /// <summary>Users are spread so no two tests share one (registrations of one user would collide).</summary>
    private static int UserFor(PhoneKind kind, int slot) => ScenarioPhones.UserFor(kind, 1000, 1002, 1010) + slot;

    [TestCaseSource(nameof(Phones))]
    [CancelAfter(60_000)]
    public async Task Right_password_registers_and_FreeSwitch_lists_the_user(PhoneKind kind, CancellationToken ct)
    {
        var user = Fs.User(UserFor(kind, 0));
        var phone = await PhoneAsync(kind, "internal", $"{kind}-{user.User}", 440, ct: ct);

        var result = await phone.RegisterAsync(user, ct);
        await Ledger.WaitForSofiaEventAsync(user.User, ct: ct); // throws, saying what it saw, if FreeSWITCH never reports it
        await using var esl = await Fs.EventSocketAsync(ct);
        var regs = SofiaRegistrations.Parse(await esl.ApiAsync("sofia status profile internal reg", ct));

        result.Registered.Should().BeTrue($"{user.User} has the run's password (got {result.Status} {result.ReasonPhrase})");
        result.Status.Should().Be(200);
        var registerAnswers = phone.SipTrace.Where(t => t.Direction == TraceDirection.Received && t.Text.Contains("REGISTER", StringComparison.Ordinal) && t.FirstLine.StartsWith("SIP/2.0", StringComparison.Ordinal))
            .Select(t => t.FirstLine.Split(' ')[1]).ToList();
        registerAnswers.Should().StartWith(["401", "200"], "FreeSWITCH challenges the first REGISTER, then accepts the digest");
        regs.Should().Contain(r => r.User != null && r.User.StartsWith(user.User + "@", StringComparison.Ordinal), "FreeSWITCH lists the registration");
        await phone.UnregisterAsync(ct);
    }

    [TestCaseSource(nameof(Phones))]
    [CancelAfter(60_000)]
    public async Task Wrong_password_is_refused(PhoneKind kind, CancellationToken ct)
    {
        var user = Fs.User(UserFor(kind, 1)) with { Password = "not-the-run-password" };
        var phone = await PhoneAsync(kind, "internal", $"{kind}-{user.User}", 440, ct: ct);

        var result = await phone.RegisterAsync(user, ct);

        result.Registered.Should().BeFalse();
        result.Status.Should().BeOneOf([401, 403, 407], "FreeSWITCH refuses a wrong digest (403 Forbidden once the challenge was answered wrongly)");
        TestContext.Out.WriteLine($"{kind}: wrong password → {result.Status} {result.ReasonPhrase} ({result.Cause})");
    }

    [TestCaseSource(nameof(Phones))]
    [CancelAfter(60_000)]
    public async Task Unauthenticated_invite_on_internal_gets_407(PhoneKind kind, CancellationToken ct)
    {
        // A phone that never registered has no credentials to answer the challenge with.
        var phone = await PhoneAsync(kind, "internal", $"{kind}-anonymous", 440, ct: ct);

        var call = await DialAsync(phone, Fs.Conf.Number("TRUNK_WEBRTC_TEST"), null, ct: ct);
        var refused = await FluentActions.Awaiting(() => call.AnsweredAsync(TimeSpan.FromSeconds(10), ct)).Should().ThrowAsync<CallEndedException>();

        refused.Which.End.SipStatus.Should().Be(407, "auth-calls is true on internal: FreeSWITCH challenges every INVITE");
    }
}
