using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Native;

namespace WebRtcE2E.Tests;

/// <summary>What a scenario asks for: a phone of a kind on a profile of the run's FreeSWITCH, and the ledger.</summary>
public static class Harness
{
    /// <summary>Every phone kind, for [TestCaseSource].</summary>
    public static IEnumerable<PhoneKind> Phones => [PhoneKind.Browser, PhoneKind.Native];

    /// <summary>A phone of <paramref name="kind"/> pointed at <paramref name="profile"/> of <paramref name="target"/>.</summary>
    public static async Task<IPhone> PhoneAsync(PhoneKind kind, FreeSwitchTarget target, string profile, string name, double toneHz, IReadOnlyList<string>? codecs = null, CancellationToken ct = default)
    {
        switch (kind)
        {
            case PhoneKind.Native:
                var sip = target.SipEndPoint(profile);
                return await NativePhone.CreateAsync(
                    new NativePhoneOptions
                    {
                        Name = name,
                        Transport = "udp",
                        LocalAddress = target.PhoneAddress,
                        ServerHost = sip.Host,
                        ServerPort = sip.Port,
                        ToneHz = toneHz,
                        Codecs = codecs ?? ["PCMU", "PCMA"],
                    },
                    ct);
            default:
                Assert.Ignore($"the {kind} phone is not in this build yet");
                throw new InvalidOperationException();
        }
    }

    /// <summary>An event socket subscribed to channel, DTMF and registration events, feeding a ledger.</summary>
    public static async Task<(EventSocketClient Esl, CallLedger Ledger)> LedgerAsync(FreeSwitchTarget target, CancellationToken ct = default)
    {
        var esl = await target.EventSocketAsync(ct);
        await esl.SubscribeAsync(["CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "DTMF", "CUSTOM", "sofia::register", "sofia::unregister"], ct);
        return (esl, CallLedger.Attach(esl));
    }
}
