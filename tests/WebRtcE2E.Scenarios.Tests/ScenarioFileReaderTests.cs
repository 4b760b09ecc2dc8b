using System.Text.Json;
using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Scenarios;

namespace WebRtcE2E.Scenarios.Tests;

/// <summary>The scenario file: what it means, and what a wrong one says (file, line, column, what is expected).</summary>
[Category("Unit")]
public sealed class ScenarioFileReaderTests
{
    private const string Valid = """
        freeswitch:
          conf: conf
        phones:
          alice:
            kind: browser
            user: "1000"
            password: ${SECRET_1000}
            profile: internal
          bob:
            kind: native
            user: "1001"
            password: ${SECRET_1001:-random}
            profile: internal
            tone: 700
        scenarios:
          - name: echo
            from: alice
            to: "9196"
            expect:
              caller: { status: 200, hears: echo, cause: NORMAL_CLEARING }
          - name: call bob
            from: alice
            to: "1001"
            answer: bob
            dtmf: "12#"
            listen: 1500ms
            hangup: callee
            expect:
              caller: { hears: bob, level: -40, within: 2s }
              callee: { hears: tone 440, dtmf: "12#" }
        """;

    private string dir = null!;

    [SetUp]
    public void MakeConf()
    {
        dir = Directory.CreateTempSubdirectory("webrtc-e2e-scenario-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "conf"));
        File.WriteAllText(Path.Combine(dir, "conf", "freeswitch.xml"), "<document type=\"freeswitch/xml\"/>");
    }

    [TearDown]
    public void Remove() => Directory.Delete(dir, recursive: true);

    [Test]
    public void A_valid_file_means_what_it_says()
    {
        var file = Parse(Valid, name => name == "SECRET_1000" ? "s3cret" : null);

        file.ConfDirectory.Should().Be(Path.Combine(dir, "conf"));
        file.Phones.Select(p => (p.Name, p.Kind, p.User, p.Profile, p.Transport, p.ToneHz)).Should().Equal(
            ("alice", ScenarioPhoneKind.Browser, "1000", "internal", "wss", 440),
            ("bob", ScenarioPhoneKind.Native, "1001", "internal", "udp", 700));
        file.Phone("alice").Password.Should().Be("s3cret");
        file.Phone("bob").Password.Should().HaveLength(20, "unset with :-random, a password is made for the run");
        var echo = file.Scenarios[0];
        (echo.Name, echo.From, echo.To, echo.Answer, echo.Hangup, echo.Listen, echo.AnswerWithin).Should().Be(("echo", "alice", "9196", (string?)null, HangupBy.Caller, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15)));
        echo.Caller!.Hears.Should().Be(new Hearing(HearingKind.Echo, 440, "echo"));
        echo.Caller.Cause.Should().Be(HangupCause.NormalClearing);
        echo.Where.Should().Be(new FilePosition(16, 5));
        var call = file.Scenarios[1];
        (call.Answer, call.Dtmf, call.Listen, call.Hangup).Should().Be(("bob", "12#", TimeSpan.FromMilliseconds(1500), HangupBy.Callee));
        call.Caller!.Hears.Should().Be(new Hearing(HearingKind.Tone, 700, "bob"), "a phone's name means that phone's tone");
        (call.Caller.LevelDbfs, call.Caller.Within).Should().Be((-40, TimeSpan.FromSeconds(2)));
        call.Callee!.Hears!.ToneHz.Should().Be(440);
        call.Callee.Dtmf.Should().Be("12#");
    }

    [Test]
    public void Malformed_yaml_names_the_line_and_column()
    {
        var act = () => Parse("freeswitch:\n  conf: conf\nphones: [alice\nscenarios: []\n");

        var e = act.Should().Throw<ScenarioFileException>().Which;
        e.Errors.Should().ContainSingle().Which.Message.Should().StartWith("not valid YAML");
        e.Message.Should().MatchRegex(@"webrtc-e2e\.yaml:\d+:\d+: not valid YAML");
    }

    [Test]
    public void Each_error_says_where_and_what_is_expected()
    {
        var text = Valid
            .Replace("kind: browser", "kind: browsr", StringComparison.Ordinal)
            .Replace("password: ${SECRET_1000}", "password: hunter2", StringComparison.Ordinal)
            .Replace("hears: echo", "hears: echoo", StringComparison.Ordinal)
            .Replace("listen: 1500ms", "listen: 1500", StringComparison.Ordinal)
            .Replace("answer: bob", "answer: carol", StringComparison.Ordinal)
            .Replace("    to: \"9196\"", "    too: \"9196\"", StringComparison.Ordinal);
        var act = () => Parse(text);

        var e = act.Should().Throw<ScenarioFileException>().Which;
        var file = Path.Combine(dir, "webrtc-e2e.yaml");
        e.Message.Should().Contain($"{file}:5:11: phones.alice.kind: 'browsr' is not a phone kind; expected one of browser, browser-sipjs, native")
            .And.Contain($"{file}:7:15: phones.alice.password: a password is never written in the file")
            .And.Contain($"{file}:18:5: scenario 'echo': unknown key 'too'; expected one of name, from, to")
            .And.Contain($"{file}:16:5: scenario 'echo': missing to:")
            .And.Contain($"{file}:20:37: scenario 'echo'.expect.caller.hears: 'echoo' is not something to hear; expected echo, silence, tone <Hz> or the name of a phone")
            .And.Contain($"{file}:24:13: scenario 'call bob'.answer: no phone named 'carol'; expected one of alice, bob")
            .And.Contain($"{file}:26:13: scenario 'call bob'.listen: '1500' is not a duration");
        e.ScenarioNames.Should().Equal("echo", "call bob");
    }

    [Test]
    public void An_unset_variable_is_an_error_naming_it()
    {
        var act = () => Parse(Valid, _ => null);

        act.Should().Throw<ScenarioFileException>().Which.Message.Should()
            .Contain(":7:15: phones.alice.password: the environment variable SECRET_1000 is not set; expected it set (a CI secret), or ${SECRET_1000:-random}");
    }

    [Test]
    public void A_conf_folder_without_freeswitch_xml_is_an_error()
    {
        var act = () => Parse(Valid.Replace("conf: conf", "conf: elsewhere", StringComparison.Ordinal), _ => "x");

        act.Should().Throw<ScenarioFileException>().Which.Message.Should().Contain(":2:9: conf: ").And.Contain("elsewhere holds no freeswitch.xml");
    }

    [Test]
    public void A_failed_call_expects_nothing_after_it()
    {
        var act = () => Parse(Valid.Replace("caller: { status: 200, hears: echo", "caller: { status: 486, hears: echo", StringComparison.Ordinal), _ => "x");

        act.Should().Throw<ScenarioFileException>().Which.Message.Should().Contain("status 486 means the call fails, so nothing is answered, heard or dialled after");
    }

    [Test]
    public void The_example_file_is_valid()
    {
        var file = ScenarioFileReader.Read(ScenarioSource.ExampleFile, _ => null);

        file.Scenarios.Select(s => s.Name).Should().HaveCount(7).And.OnlyHaveUniqueItems();
        file.Phone("alice").Password.Should().Be(file.Phone("bob").Password, "one random value per variable and run")
            .And.Be(file.FreeSwitch.Environment["EXAMPLE_DEFAULT_PASSWORD"], "FreeSWITCH's env-set reads the same value");
    }

    /// <summary>The JSON schema editors complete with names exactly the keys the reader accepts.</summary>
    [Test]
    public void The_schema_names_the_keys_the_reader_accepts()
    {
        var schemaPath = Path.Combine(ScenarioSource.HarnessRoot(), "fixtures", "WebRtcE2E.Fixtures", "Scenarios", "webrtc-e2e.schema.json");
        using var schema = JsonDocument.Parse(File.ReadAllText(schemaPath));
        var root = schema.RootElement;
        static IEnumerable<string> Keys(JsonElement e) => e.GetProperty("properties").EnumerateObject().Select(p => p.Name);
        var scenario = root.GetProperty("properties").GetProperty("scenarios").GetProperty("items");

        Keys(root).Should().BeEquivalentTo(ScenarioFileReader.Keys["file"]);
        Keys(root.GetProperty("properties").GetProperty("freeswitch")).Should().BeEquivalentTo(ScenarioFileReader.Keys["freeswitch"]);
        Keys(root.GetProperty("properties").GetProperty("phones").GetProperty("additionalProperties")).Should().BeEquivalentTo(ScenarioFileReader.Keys["phone"]);
        Keys(scenario).Should().BeEquivalentTo(ScenarioFileReader.Keys["scenario"]);
        Keys(scenario.GetProperty("properties").GetProperty("expect")).Should().BeEquivalentTo(ScenarioFileReader.Keys["expect"]);
        Keys(root.GetProperty("definitions").GetProperty("side")).Should().BeEquivalentTo(ScenarioFileReader.Keys["side"]);
        root.GetProperty("properties").GetProperty("phones").GetProperty("additionalProperties").GetProperty("properties").GetProperty("kind").GetProperty("enum")
            .EnumerateArray().Select(k => k.GetString()).Should().BeEquivalentTo(ScenarioFileReader.PhoneKinds.Keys);
    }

    /// <summary>A file that cannot be read fails every scenario test, each with the file, line and column.</summary>
    [Test]
    public void A_malformed_file_fails_every_scenario_case_with_file_line_and_column()
    {
        var path = Path.Combine(dir, "webrtc-e2e.yaml");
        File.WriteAllText(path, Valid.Replace("kind: native", "kind: desk-phone", StringComparison.Ordinal));

        var cases = ScenarioSource.For(path).ToList();

        cases.Select(c => c.TestName).Should().Equal("echo", "call bob");
        cases.Should().AllSatisfy(c =>
        {
            c.Properties["Category"].Cast<string>().Should().Contain(["FreeSwitch", "Scenario"]);
            ((ScenarioCase)c.Arguments[0]!).Error.Should().Contain($"{path}:10:11: phones.bob.kind: 'desk-phone' is not a phone kind");
        });
    }

    private ScenarioFile Parse(string text, Func<string, string?>? env = null) =>
        ScenarioFileReader.Parse(Path.Combine(dir, "webrtc-e2e.yaml"), text, env ?? (_ => "x"));
}
