using System.Text.Json;
using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Tests.EventSocket;
using WebRtcE2E.Fixtures.Tests.Verdicts;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Fixtures.Tests.Evidence;

/// <summary>One folder per test with every piece of evidence, built from the busy call's captures.</summary>
[Category("Unit")]
public class EvidenceFolderTests : TempDirectoryTest
{
    [Test]
    public void Test_names_become_safe_folder_names()
    {
        EvidenceFolder.Sanitize("Suites.Trunk(Browser,\"07010002000\")").Should().Be("Suites.Trunk_Browser__07010002000");
        EvidenceFolder.Sanitize("../../etc/passwd").Should().Be("etc_passwd");
        EvidenceFolder.Sanitize("a\\b:c*d?e|f<g>h").Should().Be("a_b_c_d_e_f_g_h");
        EvidenceFolder.Sanitize("///").Should().Be("test");
        var longName = new string('x', 300);
        EvidenceFolder.Sanitize(longName).Should().HaveLength(120).And.NotBe(EvidenceFolder.Sanitize(longName + "y"));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task Every_file_is_written_in_the_test_folder_and_kept_on_failure(CancellationToken ct)
    {
        var folder = EvidenceFolder.Create("Busy_call(Browser, \"07010002486\")", Dir);

        var files = await WriteBusyCallEvidenceAsync(folder, ct);

        folder.Path.Should().Be(Path.Combine(Dir, "Busy_call_Browser___07010002486"));
        files.Select(Path.GetFileName).Should().Equal("ladder.html", "freeswitch.log", "console.txt", "stats.json", "verdict.json", "audio-browser.png");
        files.Should().AllSatisfy(f => Path.GetDirectoryName(f).Should().Be(folder.Path));
        File.ReadAllText(Path.Combine(folder.Path, "freeswitch.log")).Should().Contain("Responding to INVITE with: 486");
        File.ReadAllText(Path.Combine(folder.Path, "console.txt")).Should().Contain("[browser] jssip: failed Busy 486");
        using (var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "stats.json"))))
        {
            stats.RootElement.GetProperty("browser").GetProperty("raw").GetProperty("inbound").GetProperty("packetsReceived").GetInt32().Should().Be(0);
        }

        File.ReadAllText(Path.Combine(folder.Path, "verdict.json")).Should().Contain("\"cause\": \"USER_BUSY\"");
        folder.Complete(testFailed: true).Should().Equal(files);
        Directory.Exists(folder.Path).Should().BeTrue();
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task A_passing_test_leaves_no_folder(CancellationToken ct)
    {
        using var _ = new EnvironmentVariable(EvidenceFolder.KeepVariable, null);
        var folder = EvidenceFolder.Create("Passing_test", Dir);
        await folder.WriteTextAsync("console.txt", "nothing to see", ct);

        folder.Complete(testFailed: false).Should().BeEmpty();
        Directory.Exists(folder.Path).Should().BeFalse();
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task A_passing_test_keeps_its_folder_when_asked(CancellationToken ct)
    {
        using var _ = new EnvironmentVariable(EvidenceFolder.KeepVariable, "1");
        var folder = EvidenceFolder.Create("Kept_test", Dir);
        var file = await folder.WriteTextAsync("console.txt", "kept", ct);

        folder.Complete(testFailed: false).Should().Equal(file);
        File.Exists(file).Should().BeTrue();
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task A_rerun_starts_from_an_empty_folder(CancellationToken ct)
    {
        var first = EvidenceFolder.Create("Rerun", Dir);
        await first.WriteTextAsync("old.txt", "from the previous run", ct);

        var second = EvidenceFolder.Create("Rerun", Dir);

        Directory.GetFiles(second.Path).Should().BeEmpty();
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task The_root_comes_from_the_environment_when_not_given(CancellationToken ct)
    {
        using var _ = new EnvironmentVariable(EvidenceFolder.RootVariable, Dir);
        var folder = EvidenceFolder.Create("From_env");
        await folder.WriteTextAsync("console.txt", "x", ct);

        folder.Path.Should().Be(Path.Combine(Dir, "From_env"));
    }

    /// <summary>
    /// A whole test's evidence, in the folder a real test would use (WEBRTC_E2E_EVIDENCE_DIR or the repository's
    /// TestResults/evidence) and attached through NUnit when it fails or WEBRTC_E2E_KEEP_EVIDENCE=1: the sample a
    /// person opens to see what evidence looks like.
    /// </summary>
    [Test]
    [CancelAfter(30_000)]
    public async Task Busy_and_tone_call_evidence_sample(CancellationToken ct)
    {
        var folder = EvidenceFolder.Create(TestContext.CurrentContext.Test.FullName);
        try
        {
            await WriteBusyCallEvidenceAsync(folder, ct);
            var tone = JssipCapture.Load("jssip-trunk-call-tone.json");
            await folder.WriteAudioPlotAsync("browser-tone-call", tone.Heard(1000), 1000, ct);
            await folder.WriteAudioPlotAsync("generated", AudioPlotTests.ToneThenSilence(), 1000, ct);

            folder.Files.Should().HaveCount(8);
        }
        finally
        {
            NUnitEvidence.Complete(folder);
        }
    }

    private static async Task<IReadOnlyList<string>> WriteBusyCallEvidenceAsync(EvidenceFolder folder, CancellationToken ct)
    {
        const string callId = "r1qbque4kkon061ab9q3";
        var log = await File.ReadAllTextAsync(Captures.PathOf("freeswitch-log-echo-call-siptrace.txt"), ct);
        var fsTrace = FreeSwitchSipTrace.Parse(log);
        var phoneTrace = fsTrace.Where(e => SipText.CallId(e.Text) == callId)
            .Select(e => new SipTraceEntry(
                e.Direction == TraceDirection.Received ? e.At.AddMilliseconds(-2) : e.At.AddMilliseconds(2),
                e.Direction == TraceDirection.Received ? TraceDirection.Sent : TraceDirection.Received,
                "wss",
                "browser",
                "127.0.0.1:7444",
                e.Text))
            .ToList();
        var page = JssipCapture.Load("jssip-busy-call.json");
        var events = page.Log.Select((l, i) => new PhoneEvent(phoneTrace[0].At.AddMilliseconds(i * 10), "jssip", l)).ToList();
        var fs = CallLedger.From(Captures.Events("esl-echo-and-busy.txt")).Hangups.Single(h => h.CallId == callId);
        var stats = new MediaStats { IceState = "new", Raw = "{\"inbound\":{\"packetsReceived\":0}}" };
        var verdict = CallVerdict.Create(callId, page.End(fs.HangupAt!.Value), JssipCapture.Load("jssip-mdns-candidates-488.json").Heard(1000), stats, fs, "browser");

        await folder.WriteLadderAsync(SipLadder.Build([new LadderSide("browser", phoneTrace)], fsTrace), ct);
        await folder.WriteFreeSwitchLogAsync(FreeSwitchLogSlice.Cut(log, [fs.UniqueId], [callId]), ct);
        await folder.WriteConsoleAsync([("browser", events)], ct);
        await folder.WriteStatsAsync([("browser", stats)], ct);
        await folder.WriteVerdictAsync(verdict, ct: ct);
        await folder.WriteAudioPlotAsync("browser", verdict.Heard!, 1000, ct);
        return folder.Files;
    }

    /// <summary>Sets an environment variable for one test and puts the previous value back after it.</summary>
    private sealed class EnvironmentVariable : IDisposable
    {
        private readonly string name;
        private readonly string? previous;

        public EnvironmentVariable(string name, string? value)
        {
            this.name = name;
            previous = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose() => Environment.SetEnvironmentVariable(name, previous);
    }
}
