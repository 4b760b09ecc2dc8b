using System.Diagnostics;
using WebRtcE2E.Fixtures.Docker;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Testing;

/// <summary>
/// FreeSWITCH's own vanilla conf, copied out of a FreeSWITCH image at test time (it is MPL source: read, never
/// committed). Written once for the test projects that start from it (doctor's findings, the scenario gate).
/// </summary>
public static class VanillaConf
{
    /// <summary>Where the vanilla conf is in the image (FHS layout under the install prefix).</summary>
    public const string InImage = "/usr/local/freeswitch/etc/freeswitch";

    /// <summary>
    /// Copies the vanilla conf of <paramref name="image"/> into <paramref name="to"/>. Ignores the calling test when
    /// that image is the default one and is not built (nothing was asked); fails it for any other Docker error.
    /// </summary>
    public static void CopyOutOfImage(string image, string to)
    {
        var inspect = Docker("image", "inspect", "--format", "{{.Id}}", image);
        if (inspect.Exit != 0)
        {
            if (image == FreeSwitchSettings.DefaultImage && inspect.Error.Contains("No such image", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Ignore($"the vanilla conf is read from {image}, which is not in the local Docker engine: {FreeSwitchSettings.NoneConfiguredReason}");
            }

            Assert.Fail($"docker image inspect {image}: {inspect.Error}");
        }

        Directory.CreateDirectory(to);
        // The harness's owner labels: a run killed before `docker rm` leaves a container the next run sweeps.
        var created = Docker(["create", .. DockerEnvironment.Labels.SelectMany(l => new[] { "--label", $"{l.Key}={l.Value}" }), image, "true"]);
        created.Exit.Should().Be(0, created.Error);
        var id = created.Output.Trim();
        try
        {
            var copy = Docker("cp", $"{id}:{InImage}/.", to);
            copy.Exit.Should().Be(0, copy.Error);
        }
        finally
        {
            Docker("rm", id);
        }
    }

    private static (int Exit, string Output, string Error) Docker(params string[] args)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"docker {string.Join(' ', args)} did not finish within 60 s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
