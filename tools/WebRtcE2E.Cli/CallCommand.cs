using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Probe;

namespace WebRtcE2E.Cli;

/// <summary>
/// <c>webrtc-e2e call wss://HOST:PORT NUMBER</c>: one probe call against a live server from one phone, with its
/// progress, its verdict, an evidence folder and an exit code a script can act on. The probe itself is
/// <see cref="CallProbe"/> in the fixtures library; this is only the command line around it.
/// </summary>
internal static class CallCommand
{
    /// <summary>The <c>call</c> command.</summary>
    public static Command Create()
    {
        var server = new Argument<Uri>("server")
        {
            Description = "The server's SIP WebSocket URL: wss://HOST:PORT (or ws://)",
            CustomParser = ParseServer,
        };
        var number = new Argument<string>("number") { Description = "The number (or SIP URI) to dial" };
        var user = new Option<string?>("--user") { Description = "Register as this user first (digest credentials also answer a challenged INVITE)" };
        var password = new Option<string?>("--password") { Description = "The user's password" };
        var domain = new Option<string?>("--domain") { Description = "The registration domain (default: the server's host)" };
        var phone = new Option<string>("--phone") { Description = "The phone that calls: browser (JsSIP in Chromium), browser-sipjs (SIP.js in Chromium) or native (the harness's SIP stack)", DefaultValueFactory = _ => "browser" };
        phone.AcceptOnlyFromAmong("browser", "browser-sipjs", "native");
        var listen = new Option<TimeSpan>("--listen") { Description = "How long to listen after answer: 3s, 1500ms, 2.5", DefaultValueFactory = _ => TimeSpan.FromSeconds(3), CustomParser = ParseDuration };
        var answer = new Option<TimeSpan>("--answer-timeout") { Description = "How long the call may ring before the probe gives up", DefaultValueFactory = _ => TimeSpan.FromSeconds(30), CustomParser = ParseDuration };
        var pin = new Option<string[]>("--pin") { Description = "Trust the server certificate with this base64 SHA-256 SPKI pin (as `webrtc-e2e cert` and `serve` print it)", AllowMultipleArgumentsPerToken = false };
        var cert = new Option<FileInfo?>("--cert") { Description = "Trust the server certificate in this PEM file (its wss.pem, or just its certificate)" };
        var evidence = new Option<DirectoryInfo?>("--evidence") { Description = "Folder under which this call's evidence folder is made (default ./webrtc-e2e-evidence)" };
        var tone = new Option<double?>("--tone") { Description = "A tone (Hz) that must be heard; its level and share are reported" };

        var command = new Command("call", "Probe a live SIP-over-WebSocket server (FreeSWITCH) with one call: progress, verdict, evidence; exit 0 only when answered and audio was heard")
        {
            server, number, user, password, domain, phone, listen, answer, pin, cert, evidence, tone,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(user) is null) != (result.GetValue(password) is null))
            {
                result.AddError("--user and --password go together");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var uri = parse.GetValue(server)!;
            var pins = (parse.GetValue(pin) ?? []).ToList();
            if (parse.GetValue(cert) is { } certFile)
            {
                try
                {
                    var certPin = WssCertificate.SpkiPinOfPemFile(certFile.FullName);
                    Console.WriteLine($"trusting {certFile.FullName}: SPKI pin {certPin}");
                    pins.Add(certPin);
                }
                catch (WssCertificateException e)
                {
                    Console.Error.WriteLine($"webrtc-e2e call: --cert: {e.Message}");
                    return 1;
                }
            }

            if (uri.Scheme == "wss" && pins.Count == 0)
            {
                Console.WriteLine("no --pin or --cert: the system's certificate verification applies");
            }

            var options = new ProbeOptions
            {
                WebSocketUri = uri,
                Number = parse.GetValue(number)!,
                Phone = parse.GetValue(phone) switch { "native" => PhoneKind.Native, "browser-sipjs" => PhoneKind.BrowserSipJs, _ => PhoneKind.Browser },
                Credentials = parse.GetValue(user) is { } u ? new SipCredentials(u, parse.GetValue(password)!, parse.GetValue(domain) ?? uri.Host) : null,
                TrustedSpkiSha256 = pins.Distinct(StringComparer.Ordinal).ToList(),
                Listen = parse.GetValue(listen),
                AnswerTimeout = parse.GetValue(answer),
                ExpectedToneHz = parse.GetValue(tone),
                EvidenceRoot = parse.GetValue(evidence)?.FullName,
            };

            ProbeResult result;
            try
            {
                result = await CallProbe.RunAsync(options, Console.WriteLine, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine("webrtc-e2e call: interrupted");
                return 130;
            }

            Console.WriteLine();
            Console.WriteLine(result.Describe());
            if (result.EvidencePath is { } path)
            {
                Console.WriteLine($"evidence: {path}");
            }

            return result.ExitCode;
        });
        return command;
    }

    private static Uri? ParseServer(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("wss" or "ws"))
        {
            result.AddError($"'{text}' is not a WebSocket URL: give wss://HOST:PORT (or ws://HOST:PORT)");
            return null;
        }

        return uri;
    }

    /// <summary>"3s", "1500ms", "2.5" (seconds), "1m".</summary>
    internal static TimeSpan ParseDuration(ArgumentResult result)
    {
        var text = (result.Tokens.Count > 0 ? result.Tokens[0].Value : "").Trim().ToLowerInvariant();
        var (digits, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0 || value * unit > 3600)
        {
            result.AddError($"'{text}' is not a duration: give e.g. 3s, 1500ms or 2.5 (seconds), at most an hour");
            return default;
        }

        return TimeSpan.FromSeconds(value * unit);
    }
}
