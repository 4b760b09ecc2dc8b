using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WebRtcE2E.Fixtures.Doctor;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.Doctor;

/// <summary>Each kind of finding on a conf made to show it, and nothing on the conf made to show nothing.</summary>
[Category("Unit")]
public sealed class DoctorTests
{
    private static DoctorReport Run(Action<TestConf> change, DoctorOptions? options = null)
    {
        using var conf = new TestConf();
        change(conf);
        return conf.Run(options is null ? null : options with { ImageModules = options.ImageModules ?? TestConf.Modules });
    }

    private static Finding Single(DoctorReport report, string name)
    {
        report.Findings.Select(f => f.Name).Should().Contain(name, report.Format());
        return report.Findings.Single(f => f.Name == name);
    }

    [Test]
    public void The_base_conf_has_no_finding_and_exits_0()
    {
        var report = Run(_ => { });

        report.Findings.Should().BeEmpty(report.Format());
        report.ExitCode.Should().Be(0);
        report.Format().Should().Be("0 errors, 0 warnings, 0 info\n");
    }

    [Test]
    public void A_webrtc_profile_without_candidate_acl_is_an_error_at_the_profile()
    {
        var report = Run(c => c.Write("sip_profiles/webrtc.xml", TestConf.Profile.Replace("apply-candidate-acl", "x-not-an-acl")));

        var f = Single(report, "no-candidate-acl");
        f.Severity.Should().Be(Severity.Error);
        f.Where.Should().Be(new ConfLocation("sip_profiles/webrtc.xml", 1));
        f.What.Should().Contain("webrtc").And.Contain("wss-binding (sip_profiles/webrtc.xml:7)");
        f.Why.Should().Contain("488");
        report.ExitCode.Should().Be(2);
    }

    [Test]
    public void A_ws_only_profile_needs_the_acl_too_and_a_profile_without_bindings_does_not()
    {
        var wsOnly = TestConf.Profile.Replace("apply-candidate-acl", "x").Replace("wss-binding", "ws-binding").Replace("tls-cert-dir", "x-dir");
        Single(Run(c => c.Write("sip_profiles/webrtc.xml", wsOnly)), "no-candidate-acl").Severity.Should().Be(Severity.Error);

        var plain = wsOnly.Replace("ws-binding", "x-binding");
        Run(c => c.Write("sip_profiles/webrtc.xml", plain)).Findings.Should().BeEmpty();
    }

    [Test]
    public void A_marker_above_the_profile_turns_the_error_into_info_with_its_reason()
    {
        var marked = "<!-- webrtc-e2e doctor: allow no-candidate-acl: reproduces the 488 -->\n\n<!-- another comment -->\n" + TestConf.Profile.Replace("apply-candidate-acl", "x");
        var report = Run(c => c.Write("sip_profiles/webrtc.xml", marked));

        var f = Single(report, "no-candidate-acl");
        f.Severity.Should().Be(Severity.Info);
        f.Where.Should().Be(new ConfLocation("sip_profiles/webrtc.xml", 4));
        f.AllowedBecause.Should().Be("reproduces the 488");
        f.What.Should().Contain("there on purpose: reproduces the 488 — sip_profiles/webrtc.xml:1");
        report.ExitCode.Should().Be(0);
    }

    [Test]
    public void A_marker_on_the_same_line_counts_and_a_marker_for_another_finding_does_not()
    {
        var sameLine = TestConf.Profile.Replace("apply-candidate-acl", "x").Replace("<profile name=\"webrtc\">", "<profile name=\"webrtc\"> <!-- webrtc-e2e doctor: allow no-candidate-acl -->");
        Single(Run(c => c.Write("sip_profiles/webrtc.xml", sameLine)), "no-candidate-acl").Severity.Should().Be(Severity.Info);

        var other = "<!-- webrtc-e2e doctor: allow esl-default-password: not this one -->\n" + TestConf.Profile.Replace("apply-candidate-acl", "x");
        Single(Run(c => c.Write("sip_profiles/webrtc.xml", other)), "no-candidate-acl").Severity.Should().Be(Severity.Error);
    }

    [Test]
    public void Stun_set_used_by_ext_sip_ip_is_an_error_offline_and_a_warning_elsewhere()
    {
        void Stun(TestConf c) => c.Write("vars.xml", File.ReadAllText(Path.Combine(c.Directory, "vars.xml"))
            .Replace("""<X-PRE-PROCESS cmd="set" data="external_ip=192.0.2.10"/>""", """<X-PRE-PROCESS cmd="stun-set" data="external_ip=stun:stun.example.org"/>"""));

        var offline = Single(Run(Stun), "stun-offline");
        offline.Severity.Should().Be(Severity.Error);
        offline.Where.Should().Be(new ConfLocation("vars.xml", 2));
        offline.What.Should().Contain("offline-container").And.Contain("webrtc ext-sip-ip (sip_profiles/webrtc.xml:4)");
        offline.Why.Should().Contain("Invalid ext-sip-ip");

        var lan = Single(Run(Stun, new DoctorOptions { Where = Place.Lan }), "stun-offline");
        lan.Severity.Should().Be(Severity.Warning);
        lan.What.Should().Contain("(lan)");
    }

    [Test]
    public void A_literal_stun_ext_rtp_ip_is_a_warning_at_the_param()
    {
        var report = Run(c => c.Write("sip_profiles/webrtc.xml", TestConf.Profile.Replace("name=\"ext-rtp-ip\" value=\"$${external_ip}\"", "name=\"ext-rtp-ip\" value=\"stun:stun.example.org\"")));

        var f = Single(report, "stun-offline");
        f.Severity.Should().Be(Severity.Warning);
        f.Where.Should().Be(new ConfLocation("sip_profiles/webrtc.xml", 5));
    }

    [Test]
    public void A_missing_wss_certificate_is_an_error_at_tls_cert_dir()
    {
        var report = Run(c => File.Delete(Path.Combine(c.CertsDirectory, "wss.pem")));

        var f = Single(report, "wss-cert-missing");
        f.Severity.Should().Be(Severity.Error);
        f.Where.Should().Be(new ConfLocation("sip_profiles/webrtc.xml", 8));
        f.Why.Should().Contain("without subjectAltName");
        report.ExitCode.Should().Be(2);
    }

    [Test]
    public void Certs_option_is_read_instead_of_tls_cert_dir()
    {
        var empty = Directory.CreateTempSubdirectory("webrtc-e2e-doctor-certs-");
        try
        {
            var f = Single(Run(_ => { }, new DoctorOptions { CertsDirectory = empty.FullName }), "wss-cert-missing");
            f.What.Should().Contain(empty.FullName);
            f.Where.Should().Be(new ConfLocation("sip_profiles/webrtc.xml", 7), "with --certs the finding points at the wss-binding");
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Test]
    public void An_expired_certificate_is_an_error_and_one_about_to_expire_a_warning()
    {
        Single(Run(_ => { }, new DoctorOptions { Now = DateTimeOffset.UtcNow.AddDays(31) }), "wss-cert-expired").Severity.Should().Be(Severity.Error);
        Single(Run(_ => { }, new DoctorOptions { Now = DateTimeOffset.UtcNow.AddDays(20) }), "wss-cert-expired").Severity.Should().Be(Severity.Warning);
    }

    [Test]
    public void A_certificate_without_subject_alt_name_is_an_error()
    {
        var report = Run(c =>
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=FreeSWITCH", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30));
            File.WriteAllText(Path.Combine(c.CertsDirectory, "wss.pem"), cert.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        });

        var f = Single(report, "wss-cert-no-san");
        f.Severity.Should().Be(Severity.Error);
        report.Findings.Should().ContainSingle();
    }

    [Test]
    public void The_host_must_be_in_the_subject_alt_name()
    {
        var f = Single(Run(_ => { }, new DoctorOptions { Host = "pbx.elsewhere.test" }), "wss-cert-name");
        f.Severity.Should().Be(Severity.Error);
        f.What.Should().Contain("localhost, pbx.example.test, 127.0.0.1");

        Run(_ => { }, new DoctorOptions { Host = "pbx.example.test" }).Findings.Should().BeEmpty();
        Run(_ => { }, new DoctorOptions { Host = "127.0.0.1" }).Findings.Should().BeEmpty();
    }

    [Test]
    public void A_key_that_is_not_the_certificates_is_an_error()
    {
        var report = Run(c =>
        {
            using var a = WssCertificate.CreateSelfSigned(["localhost"], [IPAddress.Loopback]);
            using var b = WssCertificate.CreateSelfSigned(["localhost"], [IPAddress.Loopback]);
            File.WriteAllText(Path.Combine(c.CertsDirectory, "wss.pem"), a.ChainPem + b.PrivateKeyPem);
        });

        var f = Single(report, "wss-cert-key-mismatch");
        f.Severity.Should().Be(Severity.Error);
        f.Why.Should().Contain("Bad WSS.PEM certificate");
    }

    [Test]
    public void Wss_crt_and_wss_key_are_read_before_wss_pem()
    {
        var report = Run(c =>
        {
            // FreeSWITCH (sofia.c) takes wss.key + wss.crt when both exist; here they do not match, wss.pem does.
            using var a = WssCertificate.CreateSelfSigned(["localhost"], [IPAddress.Loopback]);
            using var b = WssCertificate.CreateSelfSigned(["localhost"], [IPAddress.Loopback]);
            File.WriteAllText(Path.Combine(c.CertsDirectory, "wss.crt"), a.ChainPem);
            File.WriteAllText(Path.Combine(c.CertsDirectory, "wss.key"), b.PrivateKeyPem);
        });

        Single(report, "wss-cert-key-mismatch").What.Should().Contain("wss.crt + wss.key");
    }

    [Test]
    public void A_tls_cert_dir_known_only_at_run_time_is_info()
    {
        var f = Single(Run(c => c.Write("sip_profiles/webrtc.xml", TestConf.Profile.Replace("$${tls_dir}", "$${certs_dir}"))), "wss-cert-not-checked");
        f.Severity.Should().Be(Severity.Info);
        f.What.Should().Contain("$${certs_dir}");
    }

    [Test]
    public void Event_socket_on_all_addresses_with_cluecon_is_an_error_and_listen_ip_ipv6_a_warning_offline()
    {
        const string Esl = """
            <configuration name="event_socket.conf" description="Event socket">
              <settings>
                <param name="listen-ip" value="::"/>
                <param name="password" value="ClueCon"/>
              </settings>
            </configuration>
            """;
        var report = Run(c => c.Write("autoload_configs/event_socket.conf.xml", Esl));

        var password = Single(report, "esl-default-password");
        password.Severity.Should().Be(Severity.Error);
        password.Where.Should().Be(new ConfLocation("autoload_configs/event_socket.conf.xml", 4));
        password.What.Should().Contain("[::]:8021");
        var ipv6 = Single(report, "esl-listen-ipv6");
        ipv6.Severity.Should().Be(Severity.Warning);
        ipv6.Where.Should().Be(new ConfLocation("autoload_configs/event_socket.conf.xml", 3));

        Single(Run(c => c.Write("autoload_configs/event_socket.conf.xml", Esl), new DoctorOptions { Where = Place.Public }), "esl-listen-ipv6").Severity.Should().Be(Severity.Info);
    }

    [Test]
    public void Event_socket_defaults_are_loopback_and_cluecon_a_warning()
    {
        var report = Run(c => c.Write("autoload_configs/event_socket.conf.xml", """
            <configuration name="event_socket.conf" description="Event socket">
              <settings/>
            </configuration>
            """));

        var f = Single(report, "esl-default-password");
        f.Severity.Should().Be(Severity.Warning);
        f.What.Should().Contain("127.0.0.1:8021");
        f.Where.Should().Be(new ConfLocation("autoload_configs/event_socket.conf.xml", 1));
    }

    [Test]
    public void Default_password_1234_is_a_warning_at_its_set_line_and_so_is_a_user_with_1234()
    {
        var report = Run(c => c.Write("vars.xml", File.ReadAllText(Path.Combine(c.Directory, "vars.xml")).Replace("default_password=a-long-random-one", "default_password=1234")));
        var f = Single(report, "default-password");
        f.Severity.Should().Be(Severity.Warning);
        f.Where.Should().Be(new ConfLocation("vars.xml", 3));
        f.What.Should().Contain("1 users");
        report.ExitCode.Should().Be(1);

        var user = Single(Run(c => c.Write("directory/default.xml", File.ReadAllText(Path.Combine(c.Directory, "directory/default.xml")).Replace("$${default_password}", "1234"))), "default-password");
        user.Where.Should().Be(new ConfLocation("directory/default.xml", 6));
        user.What.Should().Contain("user 1000");
    }

    [Test]
    public void A_codec_string_without_opus_or_pcmu_is_a_warning_where_it_is_set()
    {
        var report = Run(c => c.Write("vars.xml", File.ReadAllText(Path.Combine(c.Directory, "vars.xml")).Replace("OPUS,PCMU,PCMA", "G722,PCMA@20i")));
        var f = Single(report, "codec-no-opus-pcmu");
        f.Severity.Should().Be(Severity.Warning);
        f.Where.Should().Be(new ConfLocation("vars.xml", 4), "the profile's param is just $${global_codec_prefs}: one finding where it is set");
        f.What.Should().Contain("global_codec_prefs").And.Contain("profile webrtc inbound-codec-prefs");

        var literal = Single(Run(c => c.Write("sip_profiles/webrtc.xml", TestConf.Profile.Replace("$${global_codec_prefs}", "PCMA"))), "codec-no-opus-pcmu");
        literal.Where.Should().Be(new ConfLocation("sip_profiles/webrtc.xml", 6));

        Run(c => c.Write("sip_profiles/webrtc.xml", TestConf.Profile.Replace("$${global_codec_prefs}", "pcmu@20i"))).Findings.Should().BeEmpty();
    }

    [Test]
    public void A_module_the_image_lacks_is_a_warning_and_mod_sofia_an_error_naming_the_list()
    {
        var only = new ImageModules(new HashSet<string> { "mod_event_socket", "mod_opus" }, "a list without sofia");
        var report = Run(c => c.Write("autoload_configs/modules.conf.xml", File.ReadAllText(Path.Combine(c.Directory, "autoload_configs/modules.conf.xml"))
            .Replace("<load module=\"mod_opus\"/>", "<load module=\"mod_opus\"/>\n    <load module=\"mod_verto\"/>")), new DoctorOptions { ImageModules = only });

        var missing = report.Findings.Where(f => f.Name == "module-missing").ToList();
        missing.Should().HaveCount(2, report.Format());
        missing[0].Should().Match<Finding>(f => f.Severity == Severity.Error && f.What.Contains("mod_sofia") && f.Where == new ConfLocation("autoload_configs/modules.conf.xml", 4));
        missing[1].Should().Match<Finding>(f => f.Severity == Severity.Warning && f.What.Contains("mod_verto") && f.Where == new ConfLocation("autoload_configs/modules.conf.xml", 6));
        missing.Should().OnlyContain(f => f.What.Contains("a list without sofia"));
    }

    [Test]
    public void The_embedded_versions_file_lists_the_image_modules()
    {
        var modules = ImageModules.FromVersionsFile("1.10.12");

        modules.Modules.Should().HaveCount(35).And.Contain(["mod_sofia", "mod_event_socket", "mod_opus"]).And.NotContain("mod_verto");
        modules.Source.Should().Contain("versions/1.10.12.env");
    }

    [Test]
    public void Malformed_xml_is_an_error_at_its_file_and_line_not_a_crash()
    {
        var report = Run(c => c.Write("sip_profiles/webrtc.xml", TestConf.Profile.Replace("<param name=\"sip-port\" value=\"5080\"/>", "<param name=\"sip-port\" value=\"5080\">")));

        var f = report.Findings.Should().ContainSingle().Subject;
        f.Name.Should().Be("malformed");
        f.Severity.Should().Be(Severity.Error);
        f.Where.File.Should().Be("sip_profiles/webrtc.xml");
        f.Where.Line.Should().BeInRange(3, 11);
        report.ExitCode.Should().Be(2);
    }

    [Test]
    public void Two_dashes_inside_a_comment_are_malformed_for_freeswitch_too()
    {
        var report = Run(c => c.Write("sip_profiles/webrtc.xml", "<!-- webrtc-e2e doctor: allow no-candidate-acl -- a reason -->\n" + TestConf.Profile));

        var f = report.Findings.Should().ContainSingle().Subject;
        f.Where.Should().Be(new ConfLocation("sip_profiles/webrtc.xml", 1));
        f.What.Should().Contain("unclosed <!--");
    }

    [Test]
    public void A_folder_without_freeswitch_xml_is_refused_with_a_clear_message()
    {
        var act = () => ConfDoctor.Run(Path.GetTempPath());

        act.Should().Throw<ConfTreeException>().WithMessage("*holds no freeswitch.xml*");
    }

    [Test]
    public void Findings_print_as_compilers_write_them_with_a_summary()
    {
        var report = Run(c => c.Write("sip_profiles/webrtc.xml", TestConf.Profile.Replace("apply-candidate-acl", "x")));

        var lines = report.Format().Split('\n');
        lines[0].Should().StartWith("sip_profiles/webrtc.xml:1: error: profile webrtc has a wss-binding");
        lines[1].Should().StartWith("  why: ");
        lines[2].Should().StartWith("  fix: ");
        lines[3].Should().Be("1 error, 0 warnings, 0 info");
    }

    [Test]
    public void The_harness_conf_exits_0_with_the_noacl_profile_as_info()
    {
        var report = ConfDoctor.Run(FreeSwitchConf.DefaultDirectory(), new DoctorOptions { ImageModules = ImageModules.FromVersionsFile() });

        report.ExitCode.Should().Be(0, report.Format());
        var noacl = report.Findings.Single(f => f.Name == "no-candidate-acl");
        noacl.Severity.Should().Be(Severity.Info);
        noacl.Where.Should().Be(new ConfLocation("sip_profiles/noacl.xml", 6));
        noacl.AllowedBecause.Should().NotBeNullOrWhiteSpace();
        report.Findings.Where(f => f.Name == "no-candidate-acl").Should().ContainSingle("external and internal have their candidate ACL");
    }
}
