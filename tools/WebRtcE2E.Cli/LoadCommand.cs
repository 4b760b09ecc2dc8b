using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Load;

namespace WebRtcE2E.Cli;

/// <summary>
/// <c>webrtc-e2e load</c>: starts the FreeSWITCH target the suites use (with an RTP range wide enough for the
/// ramp), ramps native calls and then browser calls (one Chromium, one page per call) to the echo step by step
/// with every call's audio verified, stops each ramp at its knee or its bounds, and writes a table and a plot
/// into an evidence folder. The ramp itself is <see cref="LoadRamp"/> in the fixtures library.
/// </summary>
internal static class LoadCommand
{
    /// <summary>The <c>load</c> command.</summary>
    public static Command Create()
    {
        var phone = new Option<string>("--phone") { Description = "Which phones ramp: native, browser (one Chromium) or both, native first", DefaultValueFactory = _ => "both" };
        phone.AcceptOnlyFromAmong("native", "browser", "both");
        var steps = new Option<int[]>("--steps") { Description = "Native calls per step, rising, comma-separated", DefaultValueFactory = _ => [50, 100, 200, 300, 400, 500, 600, 700, 800], CustomParser = ParseSteps };
        var browserSteps = new Option<int[]>("--browser-steps") { Description = "Browser calls per step (one Chromium), rising, comma-separated", DefaultValueFactory = _ => [1, 2, 4, 6, 8, 12, 16, 24], CustomParser = ParseSteps };
        var maxCalls = new Option<int>("--max-calls") { Description = "No native step above this many calls", DefaultValueFactory = _ => 800 };
        var maxBrowserCalls = new Option<int>("--max-browser-calls") { Description = "No browser step above this many calls", DefaultValueFactory = _ => 24 };
        var maxMinutes = new Option<double>("--max-minutes") { Description = "No step of a ramp starts after this many minutes of that ramp", DefaultValueFactory = _ => 3 };
        var window = new Option<TimeSpan>("--window") { Description = "Measurement window per step, with every call up: 3s, 5s", DefaultValueFactory = _ => TimeSpan.FromSeconds(3), CustomParser = CallCommand.ParseDuration };
        var number = new Option<string?>("--number") { Description = "The number dialled (default: the conf's ECHO, 07010002001)" };
        var tone = new Option<double>("--tone") { Description = "The tone (Hz) each phone sends and must hear back", DefaultValueFactory = _ => 440 };
        var evidence = new Option<DirectoryInfo?>("--evidence") { Description = "Folder under which the run's evidence folder is made (default ./webrtc-e2e-evidence)" };

        var command = new Command("load", "Ramp calls through FreeSWITCH (native, then browser phones) step by step with every call's audio verified; stop at the knee; write a table and a plot")
        {
            phone, steps, browserSteps, maxCalls, maxBrowserCalls, maxMinutes, window, number, tone, evidence,
        };
        command.SetAction(async (parse, ct) =>
        {
            var kinds = parse.GetValue(phone) switch
            {
                "native" => new[] { LoadPhoneKind.Native },
                "browser" => [LoadPhoneKind.Browser],
                _ => [LoadPhoneKind.Native, LoadPhoneKind.Browser],
            };
            int nativeMax = parse.GetValue(maxCalls);
            if (nativeMax < 1 || parse.GetValue(maxBrowserCalls) < 1 || parse.GetValue(maxMinutes) is <= 0 or > 60)
            {
                Console.Error.WriteLine("webrtc-e2e load: --max-calls and --max-browser-calls must be at least 1, --max-minutes above 0 and at most 60");
                return 1;
            }

            using var conf = FreeSwitchLoad.ConfFor(Math.Max(nativeMax, parse.GetValue(maxBrowserCalls)));
            WebRtcE2E.Fixtures.Docker.DockerEnvironment.Logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
            FreeSwitchTarget target;
            try
            {
                Console.WriteLine($"starting the FreeSWITCH target (WEBRTC_E2E_FREESWITCH_IMAGE / _BIN / _HOST, else {FreeSwitchSettings.DefaultImage}), RTP ports {conf.RtpRange} ...");
                target = await FreeSwitchTargetBuilder.FromEnvironment().StartAsync(conf.Conf, ct);
            }
            catch (Exception e) when (e is TargetUnavailableException or FreeSwitchTargetException)
            {
                Console.Error.WriteLine($"webrtc-e2e load: {e.Message}");
                return 4;
            }

            var reports = new List<LoadReport>();
            bool failed = false;
            await using (target)
            {
                Console.WriteLine($"FreeSWITCH target: {target.Summary}, ready after {target.ReadyAfter.TotalSeconds:0.0} s");
                var dialled = parse.GetValue(number) ?? target.Conf.Number("ECHO");
                foreach (var kind in kinds)
                {
                    var options = new LoadOptions
                    {
                        Number = dialled,
                        ToneHz = parse.GetValue(tone),
                        Steps = kind == LoadPhoneKind.Native ? parse.GetValue(steps)! : parse.GetValue(browserSteps)!,
                        MaxCalls = kind == LoadPhoneKind.Native ? nativeMax : parse.GetValue(maxBrowserCalls),
                        MaxDuration = TimeSpan.FromMinutes(parse.GetValue(maxMinutes)),
                        Window = parse.GetValue(window),

                        // A page per call takes its time to open; the native phone dials at 50 per second.
                        DialInterval = kind == LoadPhoneKind.Native ? TimeSpan.FromMilliseconds(20) : TimeSpan.Zero,
                    };
                    Console.WriteLine();
                    try
                    {
                        reports.Add(await FreeSwitchLoad.RampAsync(target, kind, options, Console.WriteLine, ct));
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        Console.Error.WriteLine("webrtc-e2e load: interrupted");
                        return 130;
                    }
                    catch (Exception e) when (e is WebRtcE2E.Fixtures.Phones.Browser.BrowserSetupException or ArgumentException)
                    {
                        Console.Error.WriteLine($"webrtc-e2e load: {kind} phones could not start: {e.Message}");
                        return 4;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // The ramps already done keep their evidence; this one is said to have failed, with why.
                        Console.Error.WriteLine($"webrtc-e2e load: the {kind} ramp failed: {e.GetType().Name}: {e.Message}");
                        failed = true;
                    }
                }
            }

            var root = parse.GetValue(evidence)?.FullName ?? Path.Combine(Directory.GetCurrentDirectory(), "webrtc-e2e-evidence");
            var folder = Path.Combine(root, $"{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-load");
            var page = FreeSwitchLoad.WriteEvidence(reports, folder, $"Load through FreeSWITCH ({Environment.ProcessorCount} cores)");
            Console.WriteLine();
            foreach (var r in reports)
            {
                Console.WriteLine(r.Summary());
            }

            Console.WriteLine($"evidence: {page} (table: load.csv, load.md)");
            return !failed && reports.All(r => r.Held > 0) ? 0 : 3;
        });
        return command;
    }

    private static int[] ParseSteps(ArgumentResult result)
    {
        var text = string.Join(",", result.Tokens.Select(t => t.Value));
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new List<int>();
        foreach (var p in parts)
        {
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                result.AddError($"'{p}' in '{text}' is not a call count: give rising positive numbers, e.g. 10,25,50");
                return [];
            }

            values.Add(v);
        }

        if (values.Count == 0 || values.Zip(values.Skip(1), (a, b) => b <= a).Any(x => x))
        {
            result.AddError($"'{text}' is not a rising list of call counts, e.g. 10,25,50");
            return [];
        }

        return [.. values];
    }
}
