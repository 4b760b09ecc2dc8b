using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Browser;
using WebRtcE2E.Fixtures.Phones.Native;

namespace WebRtcE2E.Tests;

/// <summary>
/// The phones a scenario runs on: every kind, the directory user each test takes per kind, and how a phone of a
/// kind is made against a profile of a target (browser phones open a page in the run's Chromium for that target).
/// </summary>
public static class ScenarioPhones
{
    /// <summary>Every phone kind, for [TestCaseSource].</summary>
    public static IEnumerable<PhoneKind> Kinds => [PhoneKind.Browser, PhoneKind.BrowserSipJs, PhoneKind.Native];

    /// <summary>The browser phone kinds (JsSIP, SIP.js): the same page and .NET side, another SIP stack.</summary>
    public static IEnumerable<PhoneKind> BrowserKinds => [PhoneKind.Browser, PhoneKind.BrowserSipJs];

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
    /// <param name="kind">Which phone.</param>
    /// <param name="target">The FreeSWITCH it registers to and calls through.</param>
    /// <param name="profile">The SIP profile (internal, external …) it is pointed at.</param>
    /// <param name="name">Its name in logs and evidence.</param>
    /// <param name="toneHz">The tone it sends when a call is up.</param>
    /// <param name="codecs">The native phone's codecs in order of preference (default PCMU, PCMA); browsers offer their own.</param>
    /// <param name="ct">Cancels the start.</param>
    /// <param name="browser">Changes a browser phone's options before it opens (ICE servers …); ignored for the native phone.</param>
    public static async Task<IPhone> CreateAsync(PhoneKind kind, FreeSwitchTarget target, string profile, string name, double toneHz, IReadOnlyList<string>? codecs = null, CancellationToken ct = default, Func<BrowserPhoneOptions, BrowserPhoneOptions>? browser = null)
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
                var host = await TestRun.BrowserAsync(target, ct);
                var options = new BrowserPhoneOptions
                {
                    Name = name,
                    Stack = kind == PhoneKind.BrowserSipJs ? BrowserStack.SipJs : BrowserStack.JsSip,
                    WebSocketUri = target.WssUri(profile),
                    ToneHz = toneHz,
                    // One candidate, so FreeSWITCH never switches media between addresses mid-call
                    // (BrowserPhoneOptions.IceAddresses): the browser's own host on the run network when it
                    // runs in a namespace, else the address FreeSWITCH sees this machine at (loopback for a
                    // process). A server elsewhere gets every candidate, as a user's browser would offer it.
                    IceAddresses = host.Options.Namespace is { } ns ? [ns.Address] : target.Kind == TargetKind.External ? [] : [target.PhoneAddress],
                };
                return await host.OpenPhoneAsync(browser is null ? options : browser(options), ct);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such phone");
        }
    }
}
