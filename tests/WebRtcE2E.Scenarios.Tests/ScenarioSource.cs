using WebRtcE2E.Fixtures.Scenarios;

namespace WebRtcE2E.Scenarios.Tests;

/// <summary>One scenario of the file as a test case: the file, the scenario's name, or why the file cannot run.</summary>
/// <param name="File">The scenario file.</param>
/// <param name="Name">The scenario's name (the test's name).</param>
/// <param name="Error">The file's errors (every one with file, line and column), when it cannot be read.</param>
public sealed record ScenarioCase(string File, string Name, string? Error)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// Which scenario file runs: <c>WEBRTC_E2E_SCENARIOS</c> (a file or a folder holding webrtc-e2e.yaml), else
/// webrtc-e2e.yaml at the root of the repository the tests run in, else this repository's own example
/// (examples/webrtc-e2e.yaml: here the example is the repository under test).
/// </summary>
public static class ScenarioSource
{
    /// <summary>This repository's checkout (the folder holding WebRtcE2E.sln above the test assembly).</summary>
    public static string HarnessRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WebRtcE2E.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"WebRtcE2E.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The example's scenario file.</summary>
    public static string ExampleFile => Path.Combine(HarnessRoot(), "examples", ScenarioFile.DefaultFileName);

    /// <summary>The scenario file of this run, or null when there is none anywhere.</summary>
    public static string? FilePath() =>
        ScenarioFileReader.Locate(AppContext.BaseDirectory) ?? (File.Exists(ExampleFile) ? ExampleFile : null);

    /// <summary>The test cases of this run's file (for [TestCaseSource]).</summary>
    public static IEnumerable<TestCaseData> Cases() => For(FilePath());

    /// <summary>
    /// One case per scenario of <paramref name="path"/>, named after it, in categories FreeSwitch and Scenario. A
    /// file that cannot be read gives one case per scenario name still readable (else one named after the file),
    /// each carrying every error, so every scenario test fails with the file, line and column.
    /// </summary>
    public static IEnumerable<TestCaseData> For(string? path)
    {
        if (path is null)
        {
            return [Case(new ScenarioCase("", "no scenario file", null))];
        }

        try
        {
            var file = ScenarioFileReader.Read(path);
            return file.Scenarios.Select(s => Case(new ScenarioCase(file.Path, s.Name, null)));
        }
        catch (ScenarioFileException e)
        {
            var names = e.ScenarioNames.Count > 0 ? e.ScenarioNames : [Path.GetFileName(path)];
            return names.Select(n => Case(new ScenarioCase(e.Path, n, e.Message)));
        }
    }

    private static TestCaseData Case(ScenarioCase c) =>
        new TestCaseData(c).SetName(c.Name).SetCategory("FreeSwitch").SetCategory("Scenario");
}
