using System.Net;
using System.Security.Cryptography;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Scenarios;

namespace WebRtcE2E.Scenarios.Tests;

/// <summary>The overlay: the user's conf as it is, but for what the harness must own, each change recorded.</summary>
[Category("Unit")]
public sealed class ConfOverlayTests
{
    private static readonly RunAddresses Place = new(IPAddress.Parse("10.213.7.10"), IPAddress.Parse("10.213.7.1"));
    private string dir = null!;

    private static string ExampleConf => Path.Combine(ScenarioSource.HarnessRoot(), "examples", "freeswitch");

    [SetUp]
    public void MakeDir() => dir = Directory.CreateTempSubdirectory("webrtc-e2e-overlay-").FullName;

    [TearDown]
    public void Remove() => Directory.Delete(dir, recursive: true);

    [Test]
    public void The_example_gets_its_addresses_and_event_socket_and_nothing_else()
    {
        var before = Hashes(ExampleConf);
        var result = ConfOverlay.Plan(ExampleConf).Apply(Path.Combine(dir, "conf"), Place, "RunPassw0rd");
        var lines = result.Changes.Select(c => c.ToString()).ToList();
        TestContext.Out.WriteLine(string.Join("\n", lines));

        lines.Should().ContainMatch("vars.xml:12: stun-set external_rtp_ip=stun:stun.freeswitch.org → set external_rtp_ip=10.213.7.10 (a STUN lookup cannot work offline*")
            .And.ContainMatch("vars.xml:13: stun-set external_sip_ip=stun:stun.freeswitch.org → set external_sip_ip=10.213.7.10 *")
            .And.ContainMatch("autoload_configs/event_socket.conf.xml:4: event socket listen-ip 127.0.0.1 → 0.0.0.0 (the harness connects from 10.213.7.1*")
            .And.ContainMatch("autoload_configs/event_socket.conf.xml:6: event socket password (yours) → the run's password *")
            .And.ContainMatch("autoload_configs/event_socket.conf.xml:7: event socket apply-inbound-acl loopback.auto → 10.213.7.1/32 *")
            .And.ContainMatch("sip_profiles/internal.xml:2: profile internal reads wss.pem from $${certs_dir} (-certs /etc/webrtc-e2e/certs)*")
            .And.ContainMatch("(run): freeswitch -nonat -nf -nc *");
        lines.Should().HaveCount(7, "nothing else is changed");

        var vars = File.ReadAllLines(Path.Combine(dir, "conf", "vars.xml"));
        vars[11].Should().Be("  <X-PRE-PROCESS cmd=\"set\" data=\"external_rtp_ip=10.213.7.10\"/>");
        var esl = File.ReadAllText(Path.Combine(dir, "conf", "autoload_configs", "event_socket.conf.xml"));
        esl.Should().Contain("<param name=\"listen-ip\" value=\"0.0.0.0\"/>").And.Contain("<param name=\"password\" value=\"RunPassw0rd\"/>")
            .And.Contain("<param name=\"apply-inbound-acl\" value=\"10.213.7.1/32\"/>").And.Contain("<param name=\"listen-port\" value=\"8021\"/>");

        var after = Hashes(Path.Combine(dir, "conf"));
        after.Where(kv => !kv.Key.StartsWith("vars.xml", StringComparison.Ordinal) && !kv.Key.Contains("event_socket", StringComparison.Ordinal))
            .Should().BeEquivalentTo(before.Where(kv => kv.Key != "vars.xml" && !kv.Key.Contains("event_socket", StringComparison.Ordinal)), "the dialplan, the directory and the profiles are not rewritten");
        Hashes(ExampleConf).Should().BeEquivalentTo(before, "the user's folder is only read");
    }

    [Test]
    public void The_target_reads_ports_profiles_and_domain_from_the_conf()
    {
        var conf = ConfOverlay.Plan(ExampleConf).Apply(Path.Combine(dir, "conf"), Place, "x").Conf;

        conf.Profiles.Select(p => p.Name).Should().Equal("external", "internal");
        conf.WebRtcProfiles.Select(p => p.Name).Should().Equal("internal");
        conf.DefaultPort(conf.Profile("internal").WssPortVariable!).Should().Be(7443);
        conf.DefaultPort(conf.Profile("internal").WsPortVariable!).Should().Be(5066);
        conf.DefaultPort(conf.Profile("internal").SipPortVariable).Should().Be(5060);
        conf.DefaultPort(conf.Profile("external").SipPortVariable).Should().Be(5080);
        conf.DefaultPort("esl_port").Should().Be(8021);
        conf.Defaults["domain"].Should().Be("10.213.7.10", "domain is $${local_ip_v4}: FreeSWITCH's address in the run");
        conf.Profile("internal").CandidateAcls.Should().Equal("localnet.auto", "rfc1918.auto", "wan_v4.auto");
    }

    /// <summary>What vanilla-shaped confs hold that the overlay must handle: ::, no ACL line, tls-cert-dir, no mod_event_socket.</summary>
    [Test]
    public void Missing_params_and_modules_are_added_and_tls_cert_dir_is_mounted()
    {
        var user = Path.Combine(dir, "user");
        Directory.CreateDirectory(user);
        File.WriteAllText(Path.Combine(user, "freeswitch.xml"), """
            <document type="freeswitch/xml">
              <X-PRE-PROCESS cmd="set" data="external_rtp_ip=autonat:203.0.113.7"/>
              <section name="configuration">
                <X-PRE-PROCESS cmd="set" data="bind_ip=198.51.100.20"/>
                <configuration name="modules.conf">
                  <modules>
                    <load module="mod_sofia"/>
                  </modules>
                </configuration>
                <configuration name="event_socket.conf">
                  <settings>
                    <param name="listen-ip" value="::"/>
                  </settings>
                </configuration>
                <configuration name="sofia.conf">
                  <profiles>
                    <profile name="webrtc">
                      <settings>
                        <param name="sip-port" value="5070"/>
                        <param name="sip-ip" value="$${bind_ip}"/>
                        <param name="rtp-ip" value="198.51.100.20"/>
                        <param name="ext-rtp-ip" value="0.0.0.0"/>
                        <param name="wss-binding" value="0.0.0.0:8443"/>
                        <param name="tls-cert-dir" value="/etc/freeswitch/tls/"/>
                        <param name="ext-sip-ip" value="stun:stun.example.com"/>
                      </settings>
                    </profile>
                  </profiles>
                </configuration>
              </section>
            </document>
            """);

        var overlay = ConfOverlay.Plan(user);
        var result = overlay.Apply(Path.Combine(dir, "conf"), Place, "pw");
        var lines = result.Changes.Select(c => c.ToString()).ToList();
        TestContext.Out.WriteLine(string.Join("\n", lines));

        overlay.CertificateDirectories.Should().Equal("/etc/freeswitch/tls");
        lines.Should().ContainMatch("freeswitch.xml:2: set external_rtp_ip=autonat:203.0.113.7 → set external_rtp_ip=10.213.7.10 (NAT discovery cannot work offline*")
            .And.ContainMatch("freeswitch.xml:6: mod_event_socket loaded after this line *")
            .And.ContainMatch("freeswitch.xml:12: event socket listen-ip :: → 0.0.0.0 *")
            .And.ContainMatch("freeswitch.xml:11: event socket password added: the run's password after this line *")
            .And.ContainMatch("freeswitch.xml:11: event socket apply-inbound-acl added: 10.213.7.1/32 after this line (only the harness may connect, and it must be able to (without this param FreeSWITCH admits loopback.auto only))")
            .And.ContainMatch("freeswitch.xml:24: profile webrtc reads wss.pem from tls-cert-dir /etc/freeswitch/tls/: the run's certificate is mounted there *")
            .And.ContainMatch("freeswitch.xml:25: profile webrtc ext-sip-ip stun:stun.example.com → 10.213.7.10 *")
            .And.ContainMatch("freeswitch.xml:4: set bind_ip=198.51.100.20 → set bind_ip=10.213.7.10 (profile webrtc binds sip-ip to it, an address of another host*")
            .And.ContainMatch("freeswitch.xml:21: profile webrtc rtp-ip 198.51.100.20 → 10.213.7.10 *");
        lines.Should().NotContainMatch("*ext-rtp-ip*", "0.0.0.0 is no address of another host");
        var staged = ConfTree.Load(Path.Combine(dir, "conf"));
        staged.Problems.Should().BeEmpty();
        staged.Modules.Select(m => m.Name).Should().Contain("mod_event_socket");
        staged.EventSocket.Select(p => (p.Name, p.Value)).Should().BeEquivalentTo([("password", "pw"), ("apply-inbound-acl", "10.213.7.1/32"), ("listen-ip", "0.0.0.0")]);
        staged.SipProfiles.Single().Param("ext-sip-ip")!.Value.Should().Be("10.213.7.10");
        staged.SipProfiles.Single().Param("sip-ip")!.Value.Should().Be("10.213.7.10");
        staged.SipProfiles.Single().Param("rtp-ip")!.Value.Should().Be("10.213.7.10");
        result.Conf.DefaultPort(result.Conf.Profile("webrtc").WssPortVariable!).Should().Be(8443);
    }

    [Test]
    public void A_conf_without_an_event_socket_is_refused_saying_what_to_add()
    {
        var user = Path.Combine(dir, "user");
        Directory.CreateDirectory(user);
        File.WriteAllText(Path.Combine(user, "freeswitch.xml"), "<document type=\"freeswitch/xml\">\n<section name=\"configuration\"/>\n</document>\n");

        var act = () => ConfOverlay.Plan(user);

        act.Should().Throw<ConfOverlayException>().WithMessage("*has no <configuration name=\"event_socket.conf\">*add autoload_configs/event_socket.conf.xml*");
    }

    [Test]
    public void Malformed_xml_is_refused_with_its_file_and_line()
    {
        var user = Path.Combine(dir, "user");
        Directory.CreateDirectory(user);
        File.WriteAllText(Path.Combine(user, "freeswitch.xml"), "<document type=\"freeswitch/xml\">\n<section name=\"configuration\">\n</document>\n");

        var act = () => ConfOverlay.Plan(user);

        act.Should().Throw<ConfOverlayException>().WithMessage("*cannot be read as FreeSWITCH reads it:*freeswitch.xml:*");
    }

    private static Dictionary<string, string> Hashes(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(root, f).Replace('\\', '/'),
            f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}

/// <summary>A scenario file that cannot run fails before anything is started, saying why.</summary>
[Category("Unit")]
public sealed class ScenarioSessionRefusalTests
{
    private string dir = null!;

    [SetUp]
    public void MakeDir() => dir = Directory.CreateTempSubdirectory("webrtc-e2e-session-").FullName;

    [TearDown]
    public void Remove() => Directory.Delete(dir, recursive: true);

    [Test]
    public async Task A_conf_with_malformed_xml_fails_the_session_with_file_and_line()
    {
        Directory.CreateDirectory(Path.Combine(dir, "conf"));
        await File.WriteAllTextAsync(Path.Combine(dir, "conf", "freeswitch.xml"), "<document type=\"freeswitch/xml\">\n  <section name=\"dialplan\">\n</document>\n");
        var file = ScenarioFileReader.Parse(Path.Combine(dir, "webrtc-e2e.yaml"), "freeswitch: { conf: conf }\nphones: { a: { kind: native, profile: internal } }\nscenarios:\n  - { name: x, from: a, to: \"1\", expect: { caller: { status: 404 } } }\n");

        var act = () => ScenarioSession.StartAsync(file, new FreeSwitchSettings(), TextWriter.Null);

        (await act.Should().ThrowAsync<ConfOverlayException>()).Which.Message.Should().Contain("freeswitch.xml:");
    }

    [TestCase(FreeSwitchSettings.BinaryVariable)]
    [TestCase(FreeSwitchSettings.HostVariable)]
    public async Task A_local_binary_or_external_server_is_refused_naming_the_variable(string variable)
    {
        var file = ScenarioFileReader.Read(ScenarioSource.ExampleFile, _ => null);
        var settings = variable == FreeSwitchSettings.BinaryVariable
            ? new FreeSwitchSettings { Binary = "/usr/bin/freeswitch" }
            : new FreeSwitchSettings { ExternalHost = "pbx.example.com", ExternalEventSocketPassword = "x", ExternalUserPassword = "y" };

        var act = () => ScenarioSession.StartAsync(file, settings, TextWriter.Null);

        var e = (await act.Should().ThrowAsync<FreeSwitchSettingsException>()).Which;
        e.Setting.Should().Be(variable);
        e.Message.Should().Contain("runs your conf").And.Contain(FreeSwitchSettings.ImageVariable);
    }
}
