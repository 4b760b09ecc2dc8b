using System.CommandLine;
using System.Net;
using WebRtcE2E.Fixtures.FreeSwitch;

// webrtc-e2e: the harness's tools for people. `cert` makes what a FreeSWITCH needs for wss: either a
// self-signed wss.pem with subjectAltNames (tests, staging) or the article's Let's Encrypt wss.pem, checked.
var outDir = new Option<DirectoryInfo>("--out") { Description = "Folder to write wss.pem and dtls-srtp.pem into (FreeSWITCH's tls-cert-dir)", Required = true };
var names = new Option<string[]>("--name") { Description = "DNS name for the subjectAltName (repeatable)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => ["localhost"] };
var ips = new Option<string[]>("--ip") { Description = "IP address for the subjectAltName (repeatable)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => ["127.0.0.1"] };
var days = new Option<int>("--days") { Description = "Days of validity", DefaultValueFactory = _ => 30 };
var live = new Option<DirectoryInfo?>("--letsencrypt") { Description = "A Let's Encrypt live folder (fullchain.pem + privkey.pem) to build wss.pem from instead" };

var cert = new Command("cert", "Write wss.pem (+ dtls-srtp.pem) for FreeSWITCH's tls-cert-dir and print the SPKI pin browsers use")
{
    outDir, names, ips, days, live,
};
cert.SetAction(parse =>
{
    var dir = parse.GetValue(outDir)!;
    dir.Create();
    try
    {
        using var wss = parse.GetValue(live) is { } le
            ? WssCertificate.FromLetsEncrypt(Path.Combine(le.FullName, "fullchain.pem"), Path.Combine(le.FullName, "privkey.pem"))
            : WssCertificate.CreateSelfSigned(parse.GetValue(names)!, parse.GetValue(ips)!.Select(IPAddress.Parse), TimeSpan.FromDays(parse.GetValue(days)));
        var wssPath = Path.Combine(dir.FullName, "wss.pem");
        wss.WriteWssPem(wssPath);
        Console.WriteLine($"wrote {wssPath}: {wss.Certificate.Subject}, valid until {wss.Certificate.NotAfter:yyyy-MM-dd}, SAN {string.Join(", ", wss.SubjectAlternativeNames)}");
        Console.WriteLine($"SPKI pin (Chromium --ignore-certificate-errors-spki-list): {wss.SpkiSha256Base64}");

        var dtlsPath = Path.Combine(dir.FullName, "dtls-srtp.pem");
        if (!File.Exists(dtlsPath))
        {
            using var dtls = WssCertificate.CreateDtls(TimeSpan.FromDays(parse.GetValue(days)));
            dtls.WriteWssPem(dtlsPath);
            Console.WriteLine($"wrote {dtlsPath} (RSA-4096, so FreeSWITCH keeps it)");
        }

        Console.WriteLine("Reload with: fs_cli -x 'reload mod_sofia' (or restart FreeSWITCH)");
        return 0;
    }
    catch (WssCertificateException e)
    {
        Console.Error.WriteLine($"webrtc-e2e cert: {e.Message}");
        return 1;
    }
});

// serve: the FreeSWITCH target the suites would use (the settings of the environment, else the built image),
// kept up until Ctrl-C or SIGTERM, with what a person needs to point a browser or a softphone at it.
var serve = new Command("serve", "Start the FreeSWITCH target the suites use (freeswitch-conf/, this run's certificate and passwords) and keep it up until Ctrl-C");
serve.SetAction(async (parse, ct) =>
{
    FreeSwitchTarget target;
    // The lines below say what a person needs; Testcontainers' own steps would bury them.
    WebRtcE2E.Fixtures.Docker.DockerEnvironment.Logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    try
    {
        Console.WriteLine("starting the FreeSWITCH target (WEBRTC_E2E_FREESWITCH_IMAGE / _BIN / _HOST, else " + FreeSwitchSettings.DefaultImage + ") ...");
        target = await FreeSwitchTargetBuilder.FromEnvironment().StartAsync(ct: ct);
    }
    catch (Exception e) when (e is TargetUnavailableException or FreeSwitchTargetException)
    {
        Console.Error.WriteLine($"webrtc-e2e serve: {e.Message}");
        return 1;
    }

    await using (target)
    {
        Console.WriteLine($"FreeSWITCH target: {target.Summary}, ready after {target.ReadyAfter.TotalSeconds:0.0} s");
        Console.WriteLine($"FreeSWITCH start: {target.Startup}");
        foreach (var profile in target.Conf.WebRtcProfiles)
        {
            var sip = target.SipEndPoint(profile.Name);
            Console.WriteLine($"profile {profile.Name}: {target.WssUri(profile.Name)}  sip udp {sip.Host}:{sip.Port}");
        }

        Console.WriteLine($"event socket: {target.Host}:{target.EventSocketPort} password {target.Secrets.EventSocketPassword}");
        Console.WriteLine($"users @{target.Domain}: " + string.Join(" ", target.Secrets.UserPasswords.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"{u.Key}={u.Value}")));
        Console.WriteLine($"phone address (this machine as FreeSWITCH sees it): {target.PhoneAddress}");
        if (target.Certificate is { } certificate)
        {
            Console.WriteLine($"SPKI pin (Chromium --ignore-certificate-errors-spki-list): {certificate.SpkiSha256Base64}");
        }

        Console.WriteLine("serving until Ctrl-C or SIGTERM");
        var stop = new TaskCompletionSource();
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.TrySetResult();
        });
        using var cancelled = ct.Register(() => stop.TrySetResult());
        await stop.Task;
        Console.WriteLine("stopping");
    }

    return 0;
});

var root = new RootCommand("WebRtcE2E: tools for testing FreeSWITCH WebRTC deployments") { cert, serve, DoctorCommand.Create(), CallCommand.Create(), LoadCommand.Create(), FaultCommand.Create() };
return root.Parse(args).Invoke();
