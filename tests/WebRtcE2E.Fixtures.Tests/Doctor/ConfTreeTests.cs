using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.Doctor;

/// <summary>The conf reader: includes, variables and FILE:LINE as FreeSWITCH's pre-processor sees them.</summary>
[Category("Unit")]
public sealed class ConfTreeTests
{
    [Test]
    public void Reads_profiles_modules_event_socket_users_and_codecs_with_their_lines()
    {
        using var conf = new TestConf();
        var tree = ConfTree.Load(conf.Directory);

        tree.Problems.Should().BeEmpty();
        tree.Files.Should().Equal("freeswitch.xml", "vars.xml", "autoload_configs/event_socket.conf.xml", "autoload_configs/modules.conf.xml",
            "autoload_configs/sofia.conf.xml", "sip_profiles/webrtc.xml", "directory/default.xml");
        var profile = tree.SipProfiles.Should().ContainSingle().Subject;
        profile.Name.Should().Be("webrtc");
        profile.Where.Should().Be(new ConfLocation("sip_profiles/webrtc.xml", 1));
        var ext = profile.Param("ext-sip-ip")!;
        ext.RawValue.Should().Be("$${external_ip}");
        ext.Value.Should().Be("192.0.2.10");
        ext.Where.Should().Be(new ConfLocation("sip_profiles/webrtc.xml", 4));
        ext.From!.Where.Should().Be(new ConfLocation("vars.xml", 2));
        profile.All("apply-candidate-acl").Select(p => p.Value).Should().Equal("localnet.auto", "rfc1918.auto");
        tree.Modules.Select(m => m.Name).Should().Equal("mod_event_socket", "mod_sofia", "mod_opus");
        tree.Modules[1].Where.Should().Be(new ConfLocation("autoload_configs/modules.conf.xml", 4));
        tree.EventSocket.Single(p => p.Name == "listen-ip").Where.Should().Be(new ConfLocation("autoload_configs/event_socket.conf.xml", 3));
        tree.Users.Should().ContainSingle().Which.Password!.Value.Should().Be("a-long-random-one");
        tree.DefaultPassword!.Where.Should().Be(new ConfLocation("vars.xml", 3));
        tree.CodecStrings.Should().Contain(new ConfCodecString("profile webrtc inbound-codec-prefs", "OPUS,PCMU,PCMA", new ConfLocation("vars.xml", 4)));
    }

    [Test]
    public void Expands_each_line_with_what_was_set_before_it_and_keeps_unknown_variables()
    {
        using var conf = new TestConf();
        conf.Write("vars.xml", """
            <include>
              <X-PRE-PROCESS cmd="set" data="codec=PCMA"/>
              <X-PRE-PROCESS cmd="include" data="more/*.xml"/>
              <X-PRE-PROCESS cmd="set" data="codec=OPUS"/>
            </include>
            """);
        conf.Write("more/b.xml", """<X-PRE-PROCESS cmd="set" data="second=$${codec}"/>""");
        conf.Write("more/a.xml", """<X-PRE-PROCESS cmd="set" data="first=$${codec}"/>""");
        conf.Write("sip_profiles/webrtc.xml", """
            <profile name="webrtc">
              <settings>
                <param name="inbound-codec-prefs" value="$${codec}"/>
                <param name="tls-cert-dir" value="$${certs_dir}"/>
              </settings>
            </profile>
            """);
        var tree = ConfTree.Load(conf.Directory);

        // glob order (a before b), relative to the including file, each seeing codec as set before it
        tree.Variables.Select(v => $"{v.Name}={v.Value}@{v.Where}").Should().Equal(
            "codec=PCMA@vars.xml:2", "first=PCMA@more/a.xml:1", "second=PCMA@more/b.xml:1", "codec=OPUS@vars.xml:4");
        var profile = tree.SipProfiles.Single();
        profile.Param("inbound-codec-prefs")!.Value.Should().Be("OPUS");
        profile.Param("tls-cert-dir")!.IsUnresolved.Should().BeTrue();
        profile.Param("tls-cert-dir")!.Value.Should().Be("$${certs_dir}");
    }

    [Test]
    public void Runs_an_x_pre_process_line_inside_an_xml_comment_as_freeswitch_does()
    {
        using var conf = new TestConf();
        conf.Write("vars.xml", """
            <include>
              <!--
              <X-PRE-PROCESS cmd="stun-set" data="external_ip=stun:stun.example.org"/>
              -->
            </include>
            """);
        var tree = ConfTree.Load(conf.Directory);

        tree.Variable("external_ip").Should().Be(new ConfVariable("external_ip", "stun:stun.example.org", "stun-set", new ConfLocation("vars.xml", 3)));
    }

    [Test]
    public void Reads_the_harness_conf()
    {
        var tree = ConfTree.Load(FreeSwitchConf.DefaultDirectory());

        tree.Problems.Should().BeEmpty();
        tree.SipProfiles.Select(p => p.Name).Should().Equal("external", "internal", "nat", "noacl");
        tree.SipProfiles.Should().OnlyContain(p => p.IsWebRtc);
        tree.Markers.Should().ContainSingle().Which.Names.Should().Equal("no-candidate-acl");
        tree.Variable("esl_listen_ip")!.Value.Should().Be("0.0.0.0");
    }
}
