using System.Diagnostics;
using WebRtcE2E.Fixtures.Doctor;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.Doctor;

/// <summary><c>webrtc-e2e doctor</c> as a person runs it: what it prints and its exit code.</summary>
[Category("Unit")]
public sealed class DoctorCommandTests
{
    [Test]
    public async Task The_harness_conf_exits_0_and_prints_the_noacl_info_and_a_summary()
    {
        var (exit, output, error) = await RunAsync("doctor", FreeSwitchConf.DefaultDirectory());

        exit.Should().Be(0, output + error);
        output.Should().Contain("\nsip_profiles/noacl.xml:6: info: profile noacl has a wss-binding").And.EndWith("0 errors, 0 warnings, 5 info\n");
    }

    [Test]
    public async Task Errors_exit_2_and_warnings_only_exit_1()
    {
        using var conf = new TestConf();
        conf.Write("sip_profiles/webrtc.xml", TestConf.Profile.Replace("apply-candidate-acl", "x"));
        (await RunAsync("doctor", conf.Directory, "--certs", conf.CertsDirectory)).Exit.Should().Be(2);

        conf.Write("sip_profiles/webrtc.xml", TestConf.Profile.Replace("$${global_codec_prefs}", "PCMA"));
        var (exit, output, _) = await RunAsync("doctor", conf.Directory, "--host", "pbx.example.test");
        exit.Should().Be(1, output);
        output.Should().StartWith("sip_profiles/webrtc.xml:6: warning: codec string 'PCMA'");
    }

    [Test]
    public async Task A_folder_without_freeswitch_xml_exits_2_with_a_clear_message()
    {
        var empty = Directory.CreateTempSubdirectory("webrtc-e2e-doctor-empty-");
        try
        {
            var (exit, output, error) = await RunAsync("doctor", empty.FullName);

            exit.Should().Be(2);
            output.Should().BeEmpty();
            error.Should().Contain("holds no freeswitch.xml");
        }
        finally
        {
            empty.Delete();
        }
    }

    [Test]
    public void Without_the_image_the_module_list_of_the_versions_file_is_used_and_says_why()
    {
        var modules = ImageModules.For("webrtc-e2e/no-such-image:1.10.12");

        modules.Source.Should().StartWith("tools/freeswitch-image/versions/1.10.12.env").And.Contain("webrtc-e2e/no-such-image:1.10.12");
        modules.Modules.Should().Contain("mod_sofia");
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, "webrtc-e2e.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"webrtc-e2e {string.Join(' ', args)} did not finish within 60 s");
        }

        return (process.ExitCode, await output, await error);
    }
}
