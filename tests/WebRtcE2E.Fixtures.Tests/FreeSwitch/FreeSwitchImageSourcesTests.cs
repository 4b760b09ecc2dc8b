using System.Diagnostics;
using System.Text.RegularExpressions;

namespace WebRtcE2E.Fixtures.Tests.FreeSwitch;

/// <summary>
/// tools/freeswitch-image/build.sh takes only the pinned upstream commits: an archive whose commit id (written
/// into it by git archive) is not the pinned one, or a missing archive, stops the build with a message that names
/// the file and the commits. Run with <c>--sources-only</c>, so nothing is built.
/// </summary>
[Category("Lab")]
public sealed partial class FreeSwitchImageSourcesTests
{
    private static readonly string Repo = FindRepo();

    [Test]
    [CancelAfter(60_000)]
    public async Task An_archive_of_another_commit_is_refused_naming_the_file_and_both_commits(CancellationToken ct)
    {
        var pinned = Pin("FREESWITCH_COMMIT");
        using var folder = new TempFolder();
        var (fake, archive) = await GitArchiveAsync(folder.Path, Pin("FREESWITCH_ARCHIVE"), ct);

        var (exit, output) = await BuildSourcesOnlyAsync(folder.Path, ct);

        TestContext.Out.WriteLine(output);
        exit.Should().Be(1);
        output.Should().Contain(archive).And.Contain($"holds commit {fake}").And.Contain($"expected {pinned}");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task A_missing_archive_is_named_with_the_commit_it_must_hold(CancellationToken ct)
    {
        using var folder = new TempFolder();

        var (exit, output) = await BuildSourcesOnlyAsync(folder.Path, ct);

        exit.Should().Be(1);
        output.Should().Contain($"no {Pin("FREESWITCH_ARCHIVE")}.tar.xz").And.Contain(Pin("FREESWITCH_COMMIT")).And.Contain(folder.Path);
    }

    private static string Pin(string name) =>
        PinLine().Matches(File.ReadAllText(Path.Combine(Repo, "tools", "freeswitch-image", "versions", "1.10.12.env")))
            .First(m => m.Groups["name"].Value == name).Groups["value"].Value;

    /// <summary>A one-file repository's HEAD as NAME.tar.xz, the way the real archives are made; returns its commit.</summary>
    private static async Task<(string Commit, string Archive)> GitArchiveAsync(string folder, string name, CancellationToken ct)
    {
        var repo = Directory.CreateDirectory(Path.Combine(folder, "repo")).FullName;
        await File.WriteAllTextAsync(Path.Combine(repo, "configure.ac"), "AC_INIT([not-freeswitch], [0])\n", ct);
        await RunAsync("git", ["-C", repo, "init", "-q"], ct);
        await RunAsync("git", ["-C", repo, "add", "."], ct);
        await RunAsync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "not FreeSWITCH"], ct);
        var commit = (await RunAsync("git", ["-C", repo, "rev-parse", "HEAD"], ct)).Output.Trim();
        var archive = Path.Combine(folder, name + ".tar.xz");
        await RunAsync("sh", ["-c", $"git -C '{repo}' archive --prefix={name}/ HEAD | xz > '{archive}'"], ct);
        return (commit, archive);
    }

    private static Task<(int Exit, string Output)> BuildSourcesOnlyAsync(string sources, CancellationToken ct) =>
        RunAsync("bash", [Path.Combine(Repo, "tools", "freeswitch-image", "build.sh"), "--sources-only"], ct, new() { ["WEBRTC_E2E_FREESWITCH_SOURCES"] = sources }, check: false);

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] args, CancellationToken ct, Dictionary<string, string>? env = null, bool check = true)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env ?? [])
        {
            start.Environment[k] = v;
        }

        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        var output = await stdout + await stderr;
        if (check && p.ExitCode != 0)
        {
            Assert.Fail($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {output}");
        }

        return (p.ExitCode, output);
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WebRtcE2E.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository (WebRtcE2E.sln) is not above the test folder");
    }

    [GeneratedRegex(@"^(?<name>[A-Z_]+)=(?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex PinLine();

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("webrtc-e2e-sources-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
