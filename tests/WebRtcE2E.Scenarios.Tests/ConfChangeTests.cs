using System.Security.Cryptography;
using System.Text.RegularExpressions;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Scenarios;

namespace WebRtcE2E.Scenarios.Tests;

/// <summary>
/// Scenario files against confs other than the example as it is: a broken change to the example fails its
/// scenario with evidence that shows why, and FreeSWITCH's own vanilla conf (copied out of the image at test time,
/// never committed) runs the scenarios it can, after the two edits most users start with.
/// </summary>
[Category("FreeSwitch")]
[Category("Scenario")]
public sealed class ConfChangeTests
{
    private string dir = null!;

    [SetUp]
    public void MakeDir() => dir = Directory.CreateTempSubdirectory("webrtc-e2e-confchange-").FullName;

    [TearDown]
    public void Remove() => Directory.Delete(dir, recursive: true);

    /// <summary>The echo extension removed from the example's dialplan: its scenario fails, and the evidence shows FreeSWITCH found no route.</summary>
    [Test]
    [CancelAfter(150_000)]
    public async Task Removing_the_echo_extension_fails_its_scenario_with_evidence_of_why(CancellationToken ct)
    {
        CopyTree(Path.Combine(ScenarioSource.HarnessRoot(), "examples"), dir);
        var dialplan = Path.Combine(dir, "freeswitch", "dialplan", "default.xml");
        var text = File.ReadAllText(dialplan);
        var withoutEcho = Regex.Replace(text, @"\s*<extension name=""echo"">.*?</extension>", "", RegexOptions.Singleline);
        withoutEcho.Should().NotBe(text, "the example has an echo extension to remove");
        File.WriteAllText(dialplan, withoutEcho);
        var file = ScenarioFileReader.Read(Path.Combine(dir, ScenarioFile.DefaultFileName), _ => null);

        await using var session = await StartAsync(file, ct);
        var (outcome, evidence) = await RunAsync(session, file.Scenarios.Single(s => s.Name == "9196 echo on the browser"), ct);

        outcome.Passed.Should().BeFalse();
        var message = outcome.Message(file.Path);
        TestContext.Out.WriteLine(message);
        var line = Array.FindIndex(File.ReadAllLines(file.Path), l => l.Trim() == "- name: 9196 echo on the browser") + 1;
        message.Should().Contain($"scenario '9196 echo on the browser' ({file.Path}:{line}:5) failed")
            .And.Contain("alice calling 9196: expected the call answered, but it ended first: ended by Remote: 404 Not Found")
            .And.Contain("NO_ROUTE_DESTINATION");
        evidence.Should().NotBeNull();
        var index = await File.ReadAllTextAsync(evidence!.IndexPath, ct);
        index.Should().Contain("NO_ROUTE_DESTINATION").And.Contain("expected the call answered").And.Contain("overlay.txt");
        var log = await File.ReadAllTextAsync(Path.Combine(evidence.Path, "freeswitch.log"), ct);
        log.Should().Contain("9196").And.Contain("404", "FreeSWITCH's side of the ladder: its 404 to the INVITE");
        (await File.ReadAllTextAsync(Path.Combine(evidence.Path, "overlay.txt"), ct)).Should().Contain("stun-set external_rtp_ip");
        Directory.Delete(evidence.Path, recursive: true);
    }

    /// <summary>
    /// apply-candidate-acl dropped from the internal profile: FreeSWITCH falls back to wan.auto, refuses the
    /// browser's candidate on the run's (private) network, and answers 488; the evidence carries its reason.
    /// </summary>
    [Test]
    [CancelAfter(150_000)]
    public async Task Dropping_apply_candidate_acl_fails_the_browser_scenario_with_evidence_of_why(CancellationToken ct)
    {
        CopyTree(Path.Combine(ScenarioSource.HarnessRoot(), "examples"), dir);
        var profile = Path.Combine(dir, "freeswitch", "sip_profiles", "internal.xml");
        var text = File.ReadAllText(profile);
        var withoutAcl = Regex.Replace(text, @"\n\s*<param name=""apply-candidate-acl""[^>]*/>", "");
        withoutAcl.Should().NotBe(text, "the example's internal profile has apply-candidate-acl to drop");
        File.WriteAllText(profile, withoutAcl);
        var file = ScenarioFileReader.Read(Path.Combine(dir, ScenarioFile.DefaultFileName), _ => null);

        await using var session = await StartAsync(file, ct);
        var (outcome, evidence) = await RunAsync(session, file.Scenarios.Single(s => s.Name == "9196 echo on the browser"), ct);

        outcome.Passed.Should().BeFalse();
        var message = outcome.Message(file.Path);
        TestContext.Out.WriteLine(message);
        message.Should().Contain("alice calling 9196: expected the call answered, but it ended first: ended by Remote: 488")
            .And.Contain("INCOMPATIBLE_DESTINATION");
        evidence.Should().NotBeNull();
        var log = await File.ReadAllTextAsync(Path.Combine(evidence!.Path, "freeswitch.log"), ct);
        log.Should().Contain("NO candidate ACL defined, Defaulting to wan.auto").And.Contain("no suitable candidates found");
        Directory.Delete(evidence.Path, recursive: true);
    }

    /// <summary>
    /// FreeSWITCH's vanilla conf as most users start from it, with the two edits they make first: the default
    /// password changed (vars.xml), and WebRTC switched on for browsers on private networks (internal.xml already
    /// binds wss :7443; what it lacks is apply-candidate-acl, without which FreeSWITCH defaults to wan.auto and
    /// answers a browser on 10/8, 172.16/12 or 192.168/16 with 488). Vanilla has no busy or DTMF extension: 9196 echo
    /// on both phones, 1000 to 1001 and back, and a number that does not exist.
    /// </summary>
    [Test]
    [CancelAfter(300_000)]
    public async Task Vanilla_conf_with_wss_on_and_its_password_changed_passes(CancellationToken ct)
    {
        var conf = Path.Combine(dir, "freeswitch");
        CopyVanillaOutOfTheImage(conf);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        Edit(Path.Combine(conf, "vars.xml"), "<X-PRE-PROCESS cmd=\"set\" data=\"default_password=1234\"/>", $"<X-PRE-PROCESS cmd=\"set\" data=\"default_password={password}\"/>");
        Edit(Path.Combine(conf, "sip_profiles", "internal.xml"), "<param name=\"wss-binding\" value=\":7443\"/>",
            "<param name=\"wss-binding\" value=\":7443\"/>\n    <param name=\"apply-candidate-acl\" value=\"localnet.auto\"/>\n    <param name=\"apply-candidate-acl\" value=\"rfc1918.auto\"/>\n    <param name=\"apply-candidate-acl\" value=\"wan_v4.auto\"/>");
        var yaml = Path.Combine(dir, ScenarioFile.DefaultFileName);
        await File.WriteAllTextAsync(yaml, """
            freeswitch:
              conf: freeswitch
            phones:
              alice: { kind: browser, user: "1000", password: "${VANILLA_PASSWORD}", profile: internal }
              # opus first, so bob's calls and the calls to him both use vanilla's opus (stereo=1, full band at
              # 30 kb/s: FreeSWITCH sends hybrid SILK+CELT packets, once heard as silence by the native phone).
              bob: { kind: native, user: "1001", password: "${VANILLA_PASSWORD}", profile: internal, codecs: [opus, PCMU, PCMA] }
            scenarios:
              - name: 9196 echo on the browser
                from: alice
                to: "9196"
                expect: { caller: { status: 200, hears: echo, cause: NORMAL_CLEARING } }
              - name: 9196 echo on the native phone
                from: bob
                to: "9196"
                expect: { caller: { status: 200, hears: echo, cause: NORMAL_CLEARING } }
              - name: 1000 calls 1001
                from: alice
                to: "1001"
                answer: bob
                expect:
                  caller: { status: 200, hears: bob, cause: NORMAL_CLEARING }
                  callee: { hears: alice, cause: NORMAL_CLEARING }
              - name: 1001 calls 1000
                from: bob
                to: "1000"
                answer: alice
                expect:
                  caller: { status: 200, hears: alice, cause: NORMAL_CLEARING }
                  callee: { hears: bob, cause: NORMAL_CLEARING }
              # Vanilla sends every number nothing else matches to ENUM (mod_enum is in the image), which offline
              # finds nothing: 480, NORMAL_CLEARING. (7 digits would go to the example.com gateway instead.)
              - name: a number that does not exist
                from: alice
                to: "98765"
                expect: { caller: { status: 480, cause: NORMAL_CLEARING } }
            """, ct);
        var file = ScenarioFileReader.Read(yaml, name => name == "VANILLA_PASSWORD" ? password : null);

        await using var session = await StartAsync(file, ct);
        var failures = new List<string>();
        foreach (var scenario in file.Scenarios)
        {
            var (outcome, evidence) = await RunAsync(session, scenario, ct);
            await TestContext.Out.WriteLineAsync($"{scenario.Name}: {(outcome.Passed ? "passed" : outcome.Message(file.Path))}{(evidence is null ? "" : $" evidence: {evidence.IndexPath}")}");
            if (!outcome.Passed)
            {
                failures.Add(outcome.Message(file.Path));
            }
        }

        failures.Should().BeEmpty();
        session.Changes.Select(c => c.ToString()).Should().ContainMatch("vars.xml:*: stun-set external_rtp_ip=stun:stun.freeswitch.org → set external_rtp_ip=*")
            .And.ContainMatch("autoload_configs/event_socket.conf.xml:*: event socket listen-ip :: → 0.0.0.0 *")
            .And.ContainMatch("autoload_configs/event_socket.conf.xml:*: event socket password (yours) → the run's password *");
    }

    private static async Task<ScenarioSession> StartAsync(ScenarioFile file, CancellationToken ct)
    {
        try
        {
            return await ScenarioSession.StartAsync(file, FreeSwitchSettings.FromEnvironment(name => TestContext.Parameters.Get(name)), TestContext.Progress, ct);
        }
        catch (TargetUnavailableException e)
        {
            Assert.Ignore(e.Message);
            throw;
        }
    }

    private static async Task<(ScenarioOutcome Outcome, EvidenceFolder? Evidence)> RunAsync(ScenarioSession session, ScenarioSpec scenario, CancellationToken ct)
    {
        EvidenceFolder? evidence = null;
        var outcome = await ScenarioRunner.RunAsync(session, scenario, scenario.Name, TestContext.Progress, async (calls, result) =>
        {
            if (!result.Passed)
            {
                evidence = await calls.WriteEvidenceAsync(
                    $"{TestContext.CurrentContext.Test.FullName}-{scenario.Name}",
                    result.Message(session.File.Path),
                    extraFiles: new Dictionary<string, string> { ["overlay.txt"] = string.Join("\n", session.Changes) + "\n" },
                    ct: CancellationToken.None);
            }
        }, ct);
        return (outcome, evidence);
    }

    private static void Edit(string path, string find, string replace)
    {
        var text = File.ReadAllText(path);
        text.Should().Contain(find, $"{path} is vanilla's");
        File.WriteAllText(path, text.Replace(find, replace, StringComparison.Ordinal));
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>FreeSWITCH's vanilla conf out of the configured image, else the default one.</summary>
    private static void CopyVanillaOutOfTheImage(string to) =>
        VanillaConf.CopyOutOfImage(Environment.GetEnvironmentVariable(FreeSwitchSettings.ImageVariable) is { Length: > 0 } configured ? configured : FreeSwitchSettings.DefaultImage, to);
}
