using System.Text.Json;
using WebRtcE2E.Fixtures.EventSocket;

namespace WebRtcE2E.Fixtures.Tests.EventSocket;

[Category("Unit")]
public class SofiaStatusTests
{
    [Test]
    public void Sofia_status_of_the_tone_call_lists_two_profiles_an_alias_and_a_gateway()
    {
        var body = Captures.Frames("esl-trunk-call-tone.txt")[2].BodyText;

        var status = SofiaStatus.Parse(body);

        status.Entries.Should().Equal(
            new SofiaStatusEntry("127.0.0.1", "alias", "internal", "ALIASED"),
            new SofiaStatusEntry("external", "profile", "sip:mod_sofia@127.0.0.1:5080", "RUNNING (0)"),
            new SofiaStatusEntry("external::example.com", "gateway", "sip:joeuser@example.com", "NOREG"),
            new SofiaStatusEntry("internal", "profile", "sip:mod_sofia@127.0.0.1:5060", "RUNNING (0)"));
        status.Profiles.Select(p => p.Name).Should().Equal("external", "internal");
        status.Profile("external")!.IsRunning.Should().BeTrue();
        status.Summary.Should().Be("2 profiles 1 alias");
    }

    [Test]
    public void Sofia_status_with_the_noacl_profile_lists_three_profiles()
    {
        var body = Captures.Frames("esl-dtmf-rfc2833-and-info.txt")[2].BodyText;

        var status = SofiaStatus.Parse(body);

        status.Profiles.Select(p => (p.Name, p.Data, p.State)).Should().Equal(
            ("external", "sip:mod_sofia@127.0.0.1:5080", "RUNNING (1)"),
            ("noacl", "sip:mod_sofia@127.0.0.1:5090", "RUNNING (0)"),
            ("internal", "sip:mod_sofia@127.0.0.1:5060", "RUNNING (0)"));
        status.Gateways.Select(g => g.Name).Should().Equal("external::example.com", "noacl::example.com");
        status.Aliases.Should().ContainSingle().Which.Data.Should().Be("internal");
        status.Summary.Should().Be("3 profiles 1 alias");
    }

    [TestCaseSource(typeof(Captures), nameof(Captures.EslTranscripts))]
    public void Sofia_status_profile_external_has_the_WebRTC_bindings(string capture)
    {
        var body = Captures.Frames(capture)[3].BodyText;

        var profile = SofiaProfileStatus.Parse(body);

        profile.Name.Should().Be("external");
        profile.WsBindUrl.Should().Be("sip:mod_sofia@127.0.0.1:5067;transport=ws");
        profile.WssBindUrl.Should().Be("sips:mod_sofia@127.0.0.1:7444;transport=wss");
        profile.Url.Should().Be("sip:mod_sofia@127.0.0.1:5080");
        profile.BindUrl.Should().Be("sip:mod_sofia@127.0.0.1:5080;maddr=127.0.0.1;transport=udp,tcp");
        profile.RtpIp.Should().Be("127.0.0.1");
        profile.ExtRtpIp.Should().Be("127.0.0.1");
        profile.SipIp.Should().Be("127.0.0.1");
        profile.Context.Should().Be("public");
        profile.CodecsIn.Should().Equal("OPUS", "G722", "PCMU", "PCMA", "H264", "VP8");
        profile.CodecsOut.Should().Equal("OPUS", "G722", "PCMU", "PCMA", "H264", "VP8");
        profile.Registrations.Should().Be(0);
        profile["Pres Hosts"].Should().BeEmpty();
        profile["dtmf-mode"].Should().Be("rfc2833");
        profile.Lines.Should().HaveCount(35);
    }

    [Test]
    public void Calls_in_differ_between_captures()
    {
        SofiaProfileStatus.Parse(Captures.Frames("esl-trunk-call-tone.txt")[3].BodyText).CallsIn.Should().Be(2);
        SofiaProfileStatus.Parse(Captures.Frames("esl-native-udp-call.txt")[3].BodyText).FailedCallsIn.Should().Be(1);
    }

    [Test]
    public void A_profile_that_is_not_running_is_reported_with_what_FreeSWITCH_said()
    {
        var ok = SofiaProfileStatus.TryParse("Invalid Profile!\n", out _, out var why);

        ok.Should().BeFalse();
        why.Should().Contain("\"Invalid Profile!\"");
        var act = () => SofiaProfileStatus.Parse("Invalid Profile!\n");
        act.Should().Throw<SofiaStatusFormatException>().WithMessage("*Invalid Profile!*");
    }

    [Test]
    public void Sofia_status_that_is_not_a_table_is_refused()
    {
        var act = () => SofiaStatus.Parse("-ERR sofia Command not found!\n");

        act.Should().Throw<SofiaStatusFormatException>().WithMessage("sofia status answered an error: -ERR sofia Command not found! (is mod_sofia loaded?)");
    }

    [Test]
    public void A_table_row_with_the_wrong_number_of_cells_is_refused()
    {
        var text = "Name\tType\tData\tState\n==========\nexternal\tprofile\tsip:x\n==========\n";

        var act = () => SofiaStatus.Parse(text);

        act.Should().Throw<SofiaStatusFormatException>().WithMessage("sofia status line 3 \"external\tprofile\tsip:x\": expected 4 tab-separated cells*found 3");
    }

    [Test]
    public void Sofia_status_profile_internal_reg_lists_the_JsSIP_registration()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Captures.PathOf("jssip-register-and-fs-originate.json")));
        var text = json.RootElement.GetProperty("sofiaReg").GetString()!;

        var regs = SofiaRegistrations.Parse(text);

        var reg = regs.Should().ContainSingle().Subject;
        reg.User.Should().Be("1000@127.0.0.1");
        reg.CallId.Should().Be("1jme7o0l4866tqms1qa8ut");
        reg.Agent.Should().Be("JsSIP 3.13.8");
        reg.Status.Should().StartWith("Registered(WSS-NAT)");
        reg.Contact.Should().Contain("fs_path=");
        reg.Ip.Should().Be("127.0.0.1");
        reg.Port.Should().Be("55160");
        reg.AuthUser.Should().Be("1000");
        reg.Values["Ping-Status"].Should().Be("Reachable");
    }

    [Test]
    public void No_registrations_parse_to_an_empty_list()
    {
        var text = "\nRegistrations:\n" + new string('=', 97) + "\n\nTotal items returned: 0\n" + new string('=', 97) + "\n";

        SofiaRegistrations.Parse(text).Should().BeEmpty();
    }
}
