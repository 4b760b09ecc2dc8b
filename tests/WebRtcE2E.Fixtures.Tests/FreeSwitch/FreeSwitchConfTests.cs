using System.Text.RegularExpressions;
using System.Xml.Linq;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.FreeSwitch;

/// <summary>freeswitch-conf/ checked as a FreeSWITCH engineer would check it before deploying it.</summary>
[Category("Unit")]
public sealed class FreeSwitchConfTests
{
    private static readonly FreeSwitchConf Conf = FreeSwitchConf.Load();

    private static IEnumerable<string> XmlFiles() => Directory.GetFiles(FreeSwitchConf.DefaultDirectory(), "*.xml", SearchOption.AllDirectories);

    [Test]
    public void Every_file_is_well_formed_xml()
    {
        var broken = new List<string>();
        foreach (var file in XmlFiles())
        {
            try
            {
                XDocument.Load(file);
            }
            catch (System.Xml.XmlException e)
            {
                broken.Add($"{file}: {e.Message}");
            }
        }

        XmlFiles().Should().HaveCountGreaterThan(10);
        broken.Should().BeEmpty();
    }

    [Test]
    public void Every_include_points_at_files_that_exist()
    {
        var missing = new List<string>();
        var includes = 0;
        foreach (var file in XmlFiles())
        {
            foreach (var pre in XDocument.Load(file).Descendants("X-PRE-PROCESS").Where(e => (string?)e.Attribute("cmd") == "include"))
            {
                includes++;
                var pattern = (string)pre.Attribute("data")!;
                if (pattern == "run-vars.xml")
                {
                    continue; // written per run by the harness (StagedFiles), on purpose not committed
                }

                var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, pattern));
                var matches = Directory.Exists(Path.GetDirectoryName(full)) ? Directory.GetFiles(Path.GetDirectoryName(full)!, Path.GetFileName(full)) : [];
                if (matches.Length == 0)
                {
                    missing.Add($"{file}: include '{pattern}' matches no file");
                }
            }
        }

        includes.Should().BeGreaterThanOrEqualTo(6);
        missing.Should().BeEmpty();
    }

    [Test]
    public void External_profile_has_the_articles_bindings_and_candidate_acls()
    {
        var external = Conf.Profile("external");

        Conf.DefaultPort(external.WsPortVariable!).Should().Be(5067);
        Conf.DefaultPort(external.WssPortVariable!).Should().Be(7444);
        external.CandidateAcls.Should().Equal("localnet.auto", "rfc1918.auto", "any_v4.auto", "wan_v4.auto");
        external.Context.Should().Be("public");
        external.AuthCalls.Should().BeFalse("the article's trunk calls are not authenticated");
        Param("sip_profiles/external.xml", "tls-cert-dir").Should().Be("$${certs_dir}");
    }

    [Test]
    public void Internal_profile_authenticates_and_listens_on_5066_and_7443()
    {
        var internalProfile = Conf.Profile("internal");

        Conf.DefaultPort(internalProfile.WsPortVariable!).Should().Be(5066);
        Conf.DefaultPort(internalProfile.WssPortVariable!).Should().Be(7443);
        internalProfile.AuthCalls.Should().BeTrue();
        internalProfile.Context.Should().Be("default");
    }

    [Test]
    public void Noacl_profile_has_no_candidate_acl_so_the_488_can_be_reproduced()
    {
        Conf.Profile("noacl").CandidateAcls.Should().BeEmpty();
        Conf.Profile("noacl").IsWebRtc.Should().BeTrue();
    }

    [Test]
    public void Nat_profile_is_a_webrtc_trunk_on_its_own_port_with_the_candidate_acl()
    {
        var nat = Conf.Profile("nat");
        nat.IsWebRtc.Should().BeTrue();
        nat.Context.Should().Be("public");
        nat.CandidateAcls.Should().HaveCount(4);
        Conf.DefaultPort(nat.WssPortVariable!).Should().Be(7446);
        Conf.Numbers.Should().Contain("ECHO_UNREACHABLE_RTP_IP", "07010002198").And.Contain("ECHO_PCMU_ONLY", "07010002088");
    }

    [Test]
    public void Trunk_extension_is_the_articles_answer_sleep_playback_hangup()
    {
        var ext = Extension("TRUNK_WEBRTC_TEST");
        var actions = ext.Descendants("action").Select(a => ((string)a.Attribute("application")!, (string?)a.Attribute("data"))).ToList();

        Conf.Number("TRUNK_WEBRTC_TEST").Should().Be("07010002000");
        actions.Select(a => a.Item1).Should().Equal("log", "set", "answer", "sleep", "playback", "hangup");
        actions.Single(a => a.Item1 == "sleep").Item2.Should().Be("500");
        actions.Single(a => a.Item1 == "playback").Item2.Should().Be($"$${{webrtc_e2e_audio_dir}}/{TestAudio.AnnouncementFile}");
        actions.Single(a => a.Item1 == "hangup").Item2.Should().Be("NORMAL_CLEARING");
    }

    [Test]
    public void Every_outcome_number_is_in_the_public_context()
    {
        Conf.Numbers.Should().ContainKeys("ECHO", "SECOND_TONE", "BUSY", "REJECTED", "UNALLOCATED", "NO_ANSWER", "SILENCE", "DTMF_PARK", "ECHO_MEDIA_TIMEOUT");
        Extension("BUSY").Descendants("action").Single().Attribute("data")!.Value.Should().Be("USER_BUSY");
        Extension("REJECTED").Descendants("action").Single().Attribute("data")!.Value.Should().Be("CALL_REJECTED");
        Extension("UNALLOCATED").Descendants("action").Single().Attribute("data")!.Value.Should().Be("UNALLOCATED_NUMBER");
        Conf.Numbers.Values.Should().OnlyHaveUniqueItems();
    }

    [Test]
    public void No_password_is_committed()
    {
        var literalPasswords = new List<string>();
        foreach (var file in XmlFiles())
        {
            foreach (var param in XDocument.Load(file).Descendants("param"))
            {
                var name = (string?)param.Attribute("name") ?? "";
                var value = (string?)param.Attribute("value") ?? "";
                if (name.Contains("password", StringComparison.OrdinalIgnoreCase) && !Regex.IsMatch(value, @"^\$\$\{[a-z0-9_]+\}$"))
                {
                    literalPasswords.Add($"{Path.GetFileName(file)}: {name}={value}");
                }
            }

            File.ReadAllText(file).Should().NotContainAny(["ClueCon", "default_password", "1234\""], $"{file} must not carry FreeSWITCH's well-known defaults");
        }

        literalPasswords.Should().BeEmpty();
        File.Exists(Path.Combine(FreeSwitchConf.DefaultDirectory(), "run-vars.xml")).Should().BeFalse("run-vars.xml is written per run, never committed");
    }

    [Test]
    public void No_stun_set_that_would_stop_a_profile_offline()
    {
        XmlFiles().Select(File.ReadAllText).Should().NotContain(t => t.Contains("stun-set", StringComparison.Ordinal));
    }

    [Test]
    public void Every_directory_user_has_a_per_run_password_variable()
    {
        var users = XDocument.Load(Path.Combine(FreeSwitchConf.DefaultDirectory(), "directory", "webrtc-e2e.xml")).Descendants("user").ToList();

        users.Select(u => (string)u.Attribute("id")!).Should().Equal(Enumerable.Range(FreeSwitchSecrets.FirstUser, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        users.Should().OnlyContain(u => u.Descendants("param").Single(p => (string)p.Attribute("name")! == "password").Attribute("value")!.Value == $"$${{user_password_{u.Attribute("id")!.Value}}}");
    }

    [Test]
    public void Run_vars_carry_every_secret_and_no_quote_can_break_out()
    {
        var secrets = FreeSwitchSecrets.Generate();
        var xml = StagedFiles.RunVarsXml(secrets, new Dictionary<string, string> { ["bind_ip"] = "127.0.0.1" });

        var sets = XDocument.Parse(xml).Descendants("X-PRE-PROCESS").Select(e => (string)e.Attribute("data")!).ToList();
        sets.Should().Contain("bind_ip=127.0.0.1").And.Contain($"esl_password={secrets.EventSocketPassword}").And.Contain($"user_password_1019={secrets.PasswordOf("1019")}");
        secrets.UserPasswords.Values.Should().OnlyHaveUniqueItems();
        var act = () => StagedFiles.RunVarsXml(secrets, new Dictionary<string, string> { ["x"] = "a\"b" });
        act.Should().Throw<ArgumentException>().WithMessage("*quote*");
    }

    private static XElement Extension(string name) =>
        Directory.GetFiles(Path.Combine(FreeSwitchConf.DefaultDirectory(), "dialplan"), "*.xml")
            .SelectMany(f => XDocument.Load(f).Descendants("extension"))
            .Single(e => (string)e.Attribute("name")! == name);

    private static string? Param(string file, string name) =>
        XDocument.Load(Path.Combine(FreeSwitchConf.DefaultDirectory(), file)).Descendants("param").FirstOrDefault(p => (string)p.Attribute("name")! == name)?.Attribute("value")?.Value;
}
