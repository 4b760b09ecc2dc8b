using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace WebRtcE2E.Scenarios.Tests;

/// <summary>
/// The workflow users copy (examples/.github/workflows/webrtc-e2e.yml) is a well-formed GitHub Actions workflow,
/// and its steps are the README's commands: what fails in CI fails the same way on a user's machine.
/// </summary>
[Category("Unit")]
public sealed partial class WorkflowTests
{
    private static string Root => ScenarioSource.HarnessRoot();

    private static string UserWorkflow => Path.Combine(Root, "examples", ".github", "workflows", "webrtc-e2e.yml");

    [TestCase("examples/.github/workflows/webrtc-e2e.yml")]
    [TestCase(".github/workflows/freeswitch-webrtc.yml")]
    public void Workflow_is_a_well_formed_GitHub_Actions_workflow(string relative)
    {
        var root = Load(Path.Combine(Root, relative));

        Scalar(root, "name").Should().NotBeNullOrEmpty();
        var on = Child(root, "on");
        on.Should().NotBeNull("a workflow needs triggers");
        ((YamlMappingNode)on!).Children.Keys.Select(k => ((YamlScalarNode)k).Value).Should().Contain("pull_request");
        var jobs = (YamlMappingNode)Child(root, "jobs")!;
        jobs.Children.Should().NotBeEmpty();
        foreach (var (jobName, jobNode) in jobs.Children)
        {
            var job = (YamlMappingNode)jobNode;
            Scalar(job, "runs-on").Should().NotBeNullOrEmpty($"job {jobName} names its runner");
            int.Parse(Scalar(job, "timeout-minutes")!, System.Globalization.CultureInfo.InvariantCulture).Should().BeInRange(1, 360);
            var steps = (YamlSequenceNode)Child(job, "steps")!;
            foreach (YamlMappingNode step in steps.Children.Cast<YamlMappingNode>())
            {
                var keys = step.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
                keys.Should().BeSubsetOf(["name", "id", "if", "uses", "run", "with", "env", "shell", "working-directory", "continue-on-error", "timeout-minutes"], $"step at line {step.Start.Line} of {relative}");
                (keys.Contains("uses") ^ keys.Contains("run")).Should().BeTrue($"step at line {step.Start.Line} of {relative} has either uses: or run:");
                if (Scalar(step, "uses") is { } uses)
                {
                    uses.Should().MatchRegex(@"^[\w.-]+/[\w.-]+@v\d+$", "actions are pinned to a major version");
                }

                if (Child(step, "if") is { } condition)
                {
                    condition.Should().BeOfType<YamlScalarNode>($"step at line {step.Start.Line}: an if: is one expression");
                }
            }
        }

        var text = File.ReadAllText(Path.Combine(Root, relative));
        foreach (Match m in ExpressionRegex().Matches(text))
        {
            m.Value.Count(c => c == '(').Should().Be(m.Value.Count(c => c == ')'), $"{m.Value} balances its parentheses");
        }
    }

    [Test]
    public void The_users_workflow_runs_the_READMEs_commands()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var section = readme[readme.IndexOf("## Gating your own FreeSWITCH config", StringComparison.Ordinal)..];
        var block = ShellBlockRegex().Match(section).Groups["body"].Value;
        var lines = block.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var exports = lines.Where(l => l.StartsWith("export ", StringComparison.Ordinal)).ToList();
        var commands = lines.Except(exports).ToList();
        commands.Should().HaveCountGreaterThanOrEqualTo(3);

        var job = (YamlMappingNode)((YamlMappingNode)Child(Load(UserWorkflow), "jobs")!).Children.Values.Single();
        var runs = ((YamlSequenceNode)Child(job, "steps")!).Children.Cast<YamlMappingNode>().Select(s => Scalar(s, "run")).OfType<string>().Select(r => r.Trim()).ToList();
        runs.Should().Contain(commands, "each README command is a step of the workflow, written the same");

        var env = ((YamlMappingNode)Child(job, "env")!).Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToList();
        foreach (var name in exports.SelectMany(e => VariableRegex().Matches(e).Select(m => m.Groups["name"].Value)))
        {
            env.Should().Contain(name, "what the README exports, the workflow sets");
        }
    }

    [Test]
    public void The_users_workflow_reports_caches_and_keeps_evidence()
    {
        var root = Load(UserWorkflow);
        var job = (YamlMappingNode)((YamlMappingNode)Child(root, "jobs")!).Children.Values.Single();
        var steps = ((YamlSequenceNode)Child(job, "steps")!).Children.Cast<YamlMappingNode>().ToList();
        var test = steps.Single(s => Scalar(s, "run")?.Contains("dotnet test", StringComparison.Ordinal) == true);
        Scalar(test, "run").Should().Contain("--logger GitHubActions").And.Contain("--logger \"junit;").And.Contain("--filter \"TestCategory=Scenario\"");
        var uses = steps.Select(s => Scalar(s, "uses")).OfType<string>().ToList();
        var runs = steps.Select(s => Scalar(s, "run")).OfType<string>().ToList();
        uses.Should().Contain("actions/cache@v4", "the FreeSWITCH image built from source is cached");
        runs.Should().Contain(r => r.StartsWith("docker pull", StringComparison.Ordinal), "or a user's image is pulled");
        var evidence = steps.Single(s => Scalar(s, "name") == "Keep the evidence of failed scenarios");
        Scalar(evidence, "if").Should().Be("${{ failure() }}");
        Scalar(evidence, "uses").Should().Be("actions/upload-artifact@v4");
        var matrix = (YamlMappingNode)Child((YamlMappingNode)Child(job, "strategy")!, "matrix")!;
        var versions = ((YamlSequenceNode)Child(matrix, "freeswitch")!).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        var pinned = Directory.GetFiles(Path.Combine(Root, "tools", "freeswitch-image", "versions"), "*.env").Select(Path.GetFileNameWithoutExtension).ToList();
        versions.Should().NotBeEmpty().And.BeSubsetOf(pinned, "each FreeSWITCH version of the matrix has pins");
        Scalar((YamlMappingNode)Child(job, "env")!, "WEBRTC_E2E_SCENARIOS").Should().Be("${{ github.workspace }}/webrtc-e2e.yaml");
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlNode? Child(YamlMappingNode map, string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static string? Scalar(YamlMappingNode map, string key) => Child(map, key) is YamlScalarNode s ? s.Value : null;

    [GeneratedRegex(@"```sh\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlockRegex();

    [GeneratedRegex(@"(?<=\s|^)(?<name>[A-Z][A-Z0-9_]*)=")]
    private static partial Regex VariableRegex();

    [GeneratedRegex(@"\$\{\{.*?\}\}")]
    private static partial Regex ExpressionRegex();
}
