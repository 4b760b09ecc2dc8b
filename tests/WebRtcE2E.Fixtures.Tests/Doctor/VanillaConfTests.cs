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
    private string? dir;
    private DoctorReport report = null!;

    [OneTimeSetUp]
    public void CopyOutOfTheImage()
    {
        var image = FreeSwitchSettings.DefaultImage;
        dir = Directory.CreateTempSubdirectory("webrtc-e2e-vanilla-").FullName;
        VanillaConf.CopyOutOfImage(image, dir);

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
}
