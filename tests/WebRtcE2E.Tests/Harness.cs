using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Browser;
using WebRtcE2E.Fixtures.Phones.Native;

namespace WebRtcE2E.Tests;

/// <summary>What a scenario asks for: a phone of a kind on a profile of the run's FreeSWITCH, and the ledger.</summary>
public static class Harness
{
    private static readonly SemaphoreSlim BrowserGate = new(1, 1);
    private static BrowserHost? browser;

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
            case PhoneKind.Browser:
                var host = await BrowserAsync(target, ct);
                return await host.OpenPhoneAsync(
                    new BrowserPhoneOptions
                    {
                        Name = name,
                        WebSocketUri = target.WssUri(profile),
                        ToneHz = toneHz,
                        // A FreeSWITCH bound to loopback can only reach the browser on loopback.
                        LoopbackIceOnly = target.Kind == TargetKind.Process,
                    },
                    ct);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such phone");
        }
    }

    /// <summary>
    /// One Chromium for the whole run (each phone gets its own context and page), trusting exactly the run's
    /// wss certificate by its SPKI pin. Closed by <see cref="CloseBrowserAsync"/> at the end of the run.
    /// </summary>
    private static async Task<BrowserHost> BrowserAsync(FreeSwitchTarget target, CancellationToken ct)
    {
        await BrowserGate.WaitAsync(ct);
        try
        {
            return browser ??= await BrowserHost.LaunchAsync(
                new BrowserOptions { TrustedSpkiSha256 = target.Certificate is { } c ? [c.SpkiSha256Base64] : [] },
                ct);
        }
        finally
        {
            BrowserGate.Release();
        }
    }

    /// <summary>Closes the run's Chromium, if one was launched.</summary>
    public static async Task CloseBrowserAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
            browser = null;
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
