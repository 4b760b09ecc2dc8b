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
    private static readonly Dictionary<string, BrowserHost> Browsers = [];

    /// <summary>Every phone kind, for [TestCaseSource].</summary>
    public static IEnumerable<PhoneKind> Phones => [PhoneKind.Browser, PhoneKind.BrowserSipJs, PhoneKind.Native];

    /// <summary>The browser phone kinds (JsSIP, SIP.js): the same page and .NET side, another SIP stack.</summary>
    public static IEnumerable<PhoneKind> BrowserPhones => [PhoneKind.Browser, PhoneKind.BrowserSipJs];

    /// <summary>Whether <paramref name="kind"/> is a browser phone (of either SIP stack).</summary>
    public static bool IsBrowser(PhoneKind kind) => kind is PhoneKind.Browser or PhoneKind.BrowserSipJs;

    /// <summary>
    /// The directory user (1000-1019) a test uses on a phone kind, so that no two tests or kinds share one (two
    /// registrations of one user would collide): each test names its user per kind.
    /// </summary>
    public static int UserFor(PhoneKind kind, int jsSip, int sipJs, int native) => kind switch
    {
        PhoneKind.Browser => jsSip,
        PhoneKind.BrowserSipJs => sipJs,
        PhoneKind.Native => native,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such phone"),
    };

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
            case PhoneKind.Browser or PhoneKind.BrowserSipJs:
                var host = await BrowserAsync(target, ct);
                return await host.OpenPhoneAsync(
                    new BrowserPhoneOptions
                    {
                        Name = name,
                        Stack = kind == PhoneKind.BrowserSipJs ? BrowserStack.SipJs : BrowserStack.JsSip,
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
    /// One Chromium per wss certificate for the whole run (each phone gets its own context and page), trusting
    /// exactly that certificate by its SPKI pin: normally one, for the run's shared FreeSWITCH; a benchmark that
    /// starts its own target gets its own. Closed by <see cref="CloseBrowsersAsync"/> at the end of the run.
    /// </summary>
    private static async Task<BrowserHost> BrowserAsync(FreeSwitchTarget target, CancellationToken ct)
    {
        var pin = target.Certificate?.SpkiSha256Base64 ?? "";
        await BrowserGate.WaitAsync(ct);
        try
        {
            if (!Browsers.TryGetValue(pin, out var host))
            {
                host = await BrowserHost.LaunchAsync(new BrowserOptions { TrustedSpkiSha256 = pin.Length > 0 ? [pin] : [] }, ct);
                Browsers[pin] = host;
            }

            return host;
        }
        finally
        {
            BrowserGate.Release();
        }
    }

    /// <summary>Closes every Chromium the run launched.</summary>
    public static async Task CloseBrowsersAsync()
    {
        var hosts = Browsers.Values.ToList();
        Browsers.Clear();
        await DisposeAllAsync(hosts);
    }

    /// <summary>Disposes every item even when some throw; then throws what they threw.</summary>
    public static async Task DisposeAllAsync(IEnumerable<IAsyncDisposable> items)
    {
        var errors = new List<Exception>();
        foreach (var item in items)
        {
            try
            {
                await item.DisposeAsync();
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }

        if (errors.Count > 0)
        {
            throw new AggregateException("disposing the harness's resources failed", errors);
        }
    }

    /// <summary>An event socket subscribed to channel, DTMF and registration events, feeding a ledger.</summary>
    public static async Task<(EventSocketClient Esl, CallLedger Ledger)> LedgerAsync(FreeSwitchTarget target, CancellationToken ct = default)
    {
        var esl = await target.EventSocketAsync(ct);
        try
        {
            await esl.SubscribeAsync(["CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "DTMF", "CUSTOM", "sofia::register", "sofia::unregister"], ct);
            return (esl, CallLedger.Attach(esl));
        }
        catch
        {
            await esl.DisposeAsync();
            throw;
        }
    }
}
