using System.CommandLine;
using WebRtcE2E.Fixtures.Doctor;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Cli;

/// <summary>
/// <c>webrtc-e2e doctor CONF_DIR</c>: the pitfalls in a FreeSWITCH conf that break WebRTC calls, one finding per
/// line as compilers write them; exit 2 for errors, 1 for warnings only, 0 otherwise.
/// </summary>
internal static class DoctorCommand
{
    /// <summary>The command, for the root command.</summary>
    public static Command Create()
    {
        var confDir = new Argument<DirectoryInfo>("CONF_DIR") { Description = "The FreeSWITCH conf folder (the one holding freeswitch.xml)" };
        var where = new Option<string>("--where")
        {
            Description = "Where FreeSWITCH will run: offline-container (no internet, no IPv6: what this harness does), lan, public",
            DefaultValueFactory = _ => "offline-container",
        };
        where.AcceptOnlyFromAmong("offline-container", "lan", "public");
        var certs = new Option<DirectoryInfo?>("--certs") { Description = "Check the wss certificate in this folder instead of each profile's tls-cert-dir" };
        var host = new Option<string?>("--host") { Description = "The name (or IP) browsers connect to: the certificate's subjectAltName must hold it" };
        var image = new Option<string>("--image")
        {
            Description = "The FreeSWITCH image whose modules the conf may load (its label " + ImageModules.Label + "; without Docker the built-in list)",
            DefaultValueFactory = _ => FreeSwitchSettings.DefaultImage,
        };

        var command = new Command("doctor", "Check a FreeSWITCH conf for what breaks WebRTC calls (exit 2: errors, 1: warnings, 0: nothing breaks calls)")
        {
            confDir, where, certs, host, image,
        };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(confDir)!;
            ConfTree conf;
            try
            {
                conf = ConfTree.Load(dir.FullName);
            }
            catch (ConfTreeException e)
            {
                Console.Error.WriteLine($"webrtc-e2e doctor: {e.Message}");
                return 2;
            }

            var report = ConfDoctor.Run(conf, new DoctorOptions
            {
                Where = ConfDoctor.ParsePlace(parse.GetValue(where)!),
                CertsDirectory = parse.GetValue(certs)?.FullName,
                Host = parse.GetValue(host),
                ImageModules = ImageModules.For(parse.GetValue(image)!),
            });
            Console.Write(report.Format());
            return report.ExitCode;
        });
        return command;
    }
}
