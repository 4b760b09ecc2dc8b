using System.Diagnostics;
using WebRtcE2E.Fixtures.Docker;
using WebRtcE2E.Fixtures.Doctor;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.Doctor;

/// <summary>
/// FreeSWITCH's own vanilla conf (what most users start from), copied out of the built image at test time: the
/// pitfalls people report are all there, each with its file and line.
/// </summary>
[Category("FreeSwitch")]
public sealed class VanillaConfTests
{
    private const string ConfInImage = "/usr/local/freeswitch/etc/freeswitch";
    private string? dir;
    private DoctorReport report = null!;

    [OneTimeSetUp]
    public void CopyOutOfTheImage()
    {
        var image = FreeSwitchSettings.DefaultImage;
        var inspect = Docker("image", "inspect", "--format", "{{.Id}}", image);
        if (inspect.Exit != 0)
        {
            if (inspect.Error.Contains("No such image", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Ignore($"the vanilla conf is read from {image}, which is not in the local Docker engine: {FreeSwitchSettings.NoneConfiguredReason}");
            }

            Assert.Fail($"docker image inspect {image}: {inspect.Error}");
        }

        dir = Directory.CreateTempSubdirectory("webrtc-e2e-vanilla-").FullName;
        // The harness's owner labels: a run killed before `docker rm` leaves a container the next run sweeps.
        var created = Docker([.. "create".Split(' '), .. DockerEnvironment.Labels.SelectMany(l => new[] { "--label", $"{l.Key}={l.Value}" }), image, "true"]);
        created.Exit.Should().Be(0, created.Error);
        var id = created.Output.Trim();
        try
        {
            var copy = Docker("cp", $"{id}:{ConfInImage}/.", dir);
            copy.Exit.Should().Be(0, copy.Error);
        }
        finally
        {
            Docker("rm", id);
        }

        report = ConfDoctor.Run(dir, new DoctorOptions { ImageModules = ImageModules.For(image) });
        TestContext.Out.WriteLine(report.Format());
    }

    [OneTimeTearDown]
    public void Remove()
    {
        if (dir is not null)
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Exits_2() => report.ExitCode.Should().Be(2);

    [Test]
    public void Stun_set_offline_stops_the_profiles()
    {
        var stun = report.Findings.Where(f => f.Name == "stun-offline").ToList();
        stun.Select(f => f.Where).Should().Equal(new ConfLocation("vars.xml", 294), new ConfLocation("vars.xml", 307));
        stun[1].Severity.Should().Be(Severity.Error);
        stun[1].What.Should().Contain("external_sip_ip=stun:stun.freeswitch.org").And.Contain("internal ext-sip-ip (sip_profiles/internal.xml:297)");
    }

    [Test]
    public void Event_socket_on_all_addresses_with_cluecon()
    {
        var f = report.Findings.Single(f => f.Name == "esl-default-password");
        f.Severity.Should().Be(Severity.Error);
        f.Where.Should().Be(new ConfLocation("autoload_configs/event_socket.conf.xml", 6));
        f.What.Should().Contain("[::]:8021").And.Contain("ClueCon");
        report.Findings.Single(f => f.Name == "esl-listen-ipv6").Where.Should().Be(new ConfLocation("autoload_configs/event_socket.conf.xml", 4));
    }

    [Test]
    public void Default_password_1234()
    {
        var f = report.Findings.Single(f => f.Name == "default-password");
        f.Severity.Should().Be(Severity.Warning);
        f.Where.Should().Be(new ConfLocation("vars.xml", 15));
    }

    [Test]
    public void No_candidate_acl_on_internal()
    {
        var f = report.Findings.Single(f => f.Name == "no-candidate-acl");
        f.Severity.Should().Be(Severity.Error);
        f.Where.Should().Be(new ConfLocation("sip_profiles/internal.xml", 1));
        f.What.Should().Contain("wss-binding (sip_profiles/internal.xml:325)");
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
