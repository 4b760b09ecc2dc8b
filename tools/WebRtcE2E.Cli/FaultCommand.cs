using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Network;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Browser;

namespace WebRtcE2E.Cli;

/// <summary>
/// <c>webrtc-e2e fault drop-udp</c>: one browser call through the FreeSWITCH target the suites use, under one
/// network fault of the Network category, with its verdict, its diagnosis and an evidence folder; a user reproduces
/// a failure without writing a test. The browser runs on a host of its own (a network namespace on the target's
/// Docker network), which the faults act on; everything is removed at the end, also when interrupted.
/// </summary>
internal static class FaultCommand
{
    /// <summary>A fault as the command line names it: kind, amount (percent or kbit/s) and way.</summary>
    internal sealed record FaultSpec(string Kind, double Amount, MediaPath Path)
    {
        public override string ToString() => Kind switch
        {
            "loss" or "rate" => string.Create(CultureInfo.InvariantCulture, $"{Kind}:{Amount}:{Way(Path)}"),
            "cut-wss" or "none" => Kind,
            _ => $"{Kind}:{Way(Path)}",
        };

        private static string Way(MediaPath p) => p switch { MediaPath.ToFreeSwitch => "to", MediaPath.FromFreeSwitch => "from", _ => "both" };
    }

    /// <summary>The <c>fault</c> command.</summary>
    public static Command Create()
    {
        var fault = new Argument<FaultSpec>("fault")
        {
            Description = "drop-udp[:both|to|from] (FreeSWITCH's RTP range), loss:PERCENT[:from|to|both], rate:KBIT[:from|to|both] (tc tbf), cut-wss (the SIP WebSocket), or none (the control)",
            CustomParser = Parse,
        };
        var before = new Option<bool>("--before-call") { Description = "Apply the fault before dialling (default: once the echo is heard)" };
        var number = new Option<string?>("--number") { Description = "The number dialled (default: the conf's ECHO; cut-wss: ECHO_MEDIA_TIMEOUT)" };
        var profile = new Option<string>("--profile") { Description = "The WebRTC profile the browser calls through", DefaultValueFactory = _ => "external" };
        var window = new Option<TimeSpan>("--window") { Description = "How long to listen under the fault: 5s, 1500ms", DefaultValueFactory = _ => TimeSpan.FromSeconds(5), CustomParser = CallCommand.ParseDuration };
        var tone = new Option<double>("--tone") { Description = "The tone (Hz) the browser sends and the echo brings back", DefaultValueFactory = _ => 660 };
        var stack = new Option<string>("--phone") { Description = "browser (JsSIP) or browser-sipjs (SIP.js)", DefaultValueFactory = _ => "browser" };
        stack.AcceptOnlyFromAmong("browser", "browser-sipjs");
        var evidence = new Option<DirectoryInfo?>("--evidence") { Description = "Folder under which the call's evidence folder is made (default ./webrtc-e2e-evidence)" };

        var command = new Command("fault", "One browser call through the FreeSWITCH target under a network fault (on the browser's own host): verdict, diagnosis, evidence")
        {
            fault, before, number, profile, window, tone, stack, evidence,
        };
        command.SetAction(async (parse, ct) =>
        {
            var spec = parse.GetValue(fault)!;
            if ((NetworkFaults.Unsupported ?? (spec.Kind == "rate" && !File.Exists(NetworkFaults.Tc) ? $"{NetworkFaults.Tc} is not installed" : null)) is { } why)
            {
                Console.Error.WriteLine($"webrtc-e2e fault: faults act on the browser's own network namespace, and none can be made here: {why}");
                return 4;
            }

            WebRtcE2E.Fixtures.Docker.DockerEnvironment.Logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
            FreeSwitchTarget target;
            try
            {
                Console.WriteLine($"starting the FreeSWITCH target (WEBRTC_E2E_FREESWITCH_IMAGE, else {FreeSwitchSettings.DefaultImage}) ...");
                target = await FreeSwitchTargetBuilder.FromEnvironment().StartAsync(ct: ct);
            }
            catch (Exception e) when (e is TargetUnavailableException or FreeSwitchTargetException)
            {
                Console.Error.WriteLine($"webrtc-e2e fault: {e.Message}");
                return 4;
            }

            await using (target)
            {
                Console.WriteLine($"FreeSWITCH target: {target.Summary}, ready after {target.ReadyAfter.TotalSeconds:0.0} s");
                if (target is not ContainerTarget container)
                {
                    Console.Error.WriteLine($"webrtc-e2e fault: the target is {target.Kind}: faults need the browser on the target's own Docker network, so a container target (WEBRTC_E2E_FREESWITCH_IMAGE or the built image)");
                    return 4;
                }

                if (!target.Conf.WebRtcProfiles.Any(p => p.Name == parse.GetValue(profile)))
                {
                    Console.Error.WriteLine($"webrtc-e2e fault: no WebRTC profile '{parse.GetValue(profile)}'; the conf has: {string.Join(", ", target.Conf.WebRtcProfiles.Select(p => p.Name))}");
                    return 1;
                }

                if ((await BrowserNamespace.RemoveOrphansAsync(ct)) is { Count: > 0 } removed)
                {
                    Console.WriteLine($"removed what killed runs left: {string.Join("; ", removed)}");
                }

                await using var ns = await BrowserNamespace.CreateAsync(container.Network, 250, ct);
                await using var host = await BrowserHost.LaunchAsync(new BrowserOptions { TrustedSpkiSha256 = target.Certificate is { } c ? [c.SpkiSha256Base64] : [], Namespace = ns }, ct);
                Console.WriteLine($"browser: Chromium {host.Version} in network namespace {ns.Name} at {ns.Address}");
                var esl = await target.EventSocketAsync(ct);
                await using (esl)
                {
                    await esl.SubscribeAsync(["CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "CUSTOM"], ct);
                    var ledger = CallLedger.Attach(esl);
                    await using var calls = new TestCalls(target, ledger);
                    try
                    {
                        return await RunAsync(calls, host, ns, spec, parse.GetValue(before), parse.GetValue(number), parse.GetValue(profile)!, parse.GetValue(window), parse.GetValue(tone), parse.GetValue(stack) == "browser-sipjs", parse.GetValue(evidence), ct);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        Console.Error.WriteLine("webrtc-e2e fault: interrupted; removing the fault, the browser, its namespace and the target");
                        return 130;
                    }
                }
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(TestCalls calls, BrowserHost host, BrowserNamespace ns, FaultSpec spec, bool before, string? number, string profile, TimeSpan window, double tone, bool sipJs, DirectoryInfo? evidence, CancellationToken ct)
    {
        var fs = calls.Target;
        var phone = calls.Add(await host.OpenPhoneAsync(
            new BrowserPhoneOptions
            {
                Name = "Browser-fault",
                Stack = sipJs ? BrowserStack.SipJs : BrowserStack.JsSip,
                WebSocketUri = fs.WssUri(profile),
                ToneHz = tone,
                IceAddresses = [ns.Address],
            },
            ct));
        var dialled = number ?? fs.Conf.Number(spec.Kind == "cut-wss" ? "ECHO_MEDIA_TIMEOUT" : "ECHO");
        INetworkFault? applied = null;
        try
        {
            if (before)
            {
                applied = await ApplyAsync(spec, ns, fs, profile, ct);
            }

            var call = calls.Track(phone, await phone.DialAsync(dialled, null, ct), tone);
            Console.WriteLine($"dialled {dialled} through {profile}");
            try
            {
                await call.AnsweredAsync(TimeSpan.FromSeconds(30), ct);
                Console.WriteLine("answered");
                if (!before)
                {
                    var first = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [tone], ct);
                    Console.WriteLine($"before the fault: {first.Describe()}");
                    applied = await ApplyAsync(spec, ns, fs, profile, ct);
                }

                var since = before ? null : await call.StatsNowAsync(ct);
                await call.ListenAsync(TimeSpan.FromSeconds(1), [tone], ct);
                var heard = await call.ListenAsync(window, [tone], ct);
                if (applied is RateFault rate)
                {
                    Console.WriteLine($"the token bucket dropped {await rate.DroppedAsync(ct)} packets");
                }

                await call.HangupAsync(ct); // nothing when the call already ended (the fault ended it)

                return await ReportAsync(calls, phone, call, heard, since, spec, evidence, ct);
            }
            catch (CallEndedException e)
            {
                Console.WriteLine($"the call ended: {e.Message}");
                return await ReportAsync(calls, phone, call, null, null, spec, evidence, ct);
            }
        }
        finally
        {
            if (applied is not null)
            {
                await applied.DisposeAsync();
                Console.WriteLine($"removed: {applied.Description}");
            }
        }
    }

    private static async Task<INetworkFault?> ApplyAsync(FaultSpec spec, BrowserNamespace ns, FreeSwitchTarget fs, string profile, CancellationToken ct)
    {
        var address = IPAddress.Parse(fs.Host);
        INetworkFault? fault = spec.Kind switch
        {
            "drop-udp" => await NetworkFaults.DropUdpAsync(ns, address, fs.Port("rtp_start_port"), fs.Port("rtp_end_port"), spec.Path, ct),
            "loss" => await NetworkFaults.LossAsync(ns, spec.Amount, address, fs.Port("rtp_start_port"), fs.Port("rtp_end_port"), spec.Path, ct),
            "rate" => await NetworkFaults.RateAsync(ns, (int)spec.Amount, spec.Path, ct),
            "cut-wss" => await NetworkFaults.CutTcpAsync(ns, address, fs.WssUri(profile).Port, ct),
            _ => null,
        };
        Console.WriteLine(fault is null ? "no fault (the control)" : $"applied: {fault.Description}");
        return fault;
    }

    private static async Task<int> ReportAsync(TestCalls calls, IPhone phone, ICall call, WebRtcE2E.Fixtures.Media.AudioReport? heard, MediaStats? since, FaultSpec spec, DirectoryInfo? evidence, CancellationToken ct)
    {
        var verdict = await calls.VerdictAsync(phone, call, heard, $"fault {spec}", Console.Out, TimeSpan.FromSeconds(15), since, ct);
        var root = evidence?.FullName ?? Path.Combine(Directory.GetCurrentDirectory(), "webrtc-e2e-evidence");
        Environment.SetEnvironmentVariable(EvidenceFolder.RootVariable, root);
        var folder = await calls.WriteEvidenceAsync($"{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-fault-{spec.Kind}", null, verdict.Diagnosis?.ToString(), ct: ct);
        Console.WriteLine();
        Console.WriteLine(verdict.Describe());
        Console.WriteLine($"diagnosis: {verdict.Diagnosis}");
        Console.WriteLine($"evidence: {folder.IndexPath}");
        return 0;
    }

    /// <summary>Parses "drop-udp", "drop-udp:to", "loss:20", "loss:20:both", "rate:24:from", "cut-wss", "none".</summary>
    internal static FaultSpec Parse(ArgumentResult result)
    {
        var text = (result.Tokens.Count > 0 ? result.Tokens[0].Value : "").Trim().ToLowerInvariant();
        var parts = text.Split(':');
        const string Expected = "give drop-udp[:both|to|from], loss:PERCENT[:from|to|both], rate:KBIT[:from|to|both], cut-wss or none";
        MediaPath? Way(string? s, MediaPath fallback) => s switch
        {
            null => fallback,
            "both" => MediaPath.Both,
            "to" => MediaPath.ToFreeSwitch,
            "from" => MediaPath.FromFreeSwitch,
            _ => null,
        };

        FaultSpec? spec = parts[0] switch
        {
            "none" or "cut-wss" when parts.Length == 1 => new FaultSpec(parts[0], 0, MediaPath.Both),
            "drop-udp" when parts.Length <= 2 && Way(parts.ElementAtOrDefault(1), MediaPath.Both) is { } w => new FaultSpec("drop-udp", 0, w),
            "loss" when parts.Length is 2 or 3 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var pct) && pct is > 0 and < 100
                && Way(parts.ElementAtOrDefault(2), MediaPath.FromFreeSwitch) is { } w => new FaultSpec("loss", pct, w),
            "rate" when parts.Length is 2 or 3 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kbit) && kbit >= 8
                && Way(parts.ElementAtOrDefault(2), MediaPath.FromFreeSwitch) is { } w => new FaultSpec("rate", kbit, w),
            _ => null,
        };
        if (spec is null)
        {
            result.AddError($"'{text}' is not a fault: {Expected} (a loss is more than 0 and less than 100 %, a rate at least 8 kbit/s)");
            return new FaultSpec("none", 0, MediaPath.Both);
        }

        return spec;
    }
}
