using System.Globalization;
using System.Text.RegularExpressions;
using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.Media;
using WebRtcE2E.Fixtures.Tests.EventSocket;
using WebRtcE2E.Fixtures.Tests.Verdicts;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Fixtures.Tests.Evidence;

/// <summary>
/// index.html built from data made here: the trunk tone call's captures (the page's view and FreeSWITCH's hangup
/// record) judged against a generated silent reception, as the evidence test's silent number would be.
/// </summary>
[Category("Unit")]
public partial class EvidencePageTests : TempDirectoryTest
{
    private const string Failure = "Expected to hear 1000 Hz above -30 dBFS within 1.5 s, but the call is connected but silent: heard silence (-120.0 dBFS) for 1.5 s\n  more lines";

    private static readonly AudioReport Silent =
        AudioProbe.Analyze(ToneGenerator.Silence(TimeSpan.FromSeconds(1.5), 16000), 16000, expectedTones: [1000]);

    private static CallVerdict SilentVerdict()
    {
        var fs = CallLedger.From(Captures.Events("esl-trunk-call-tone.txt")).Hangups.Single(h => h.DestinationNumber == "07010002000");
        var page = JssipCapture.Load("jssip-trunk-call-tone.json");
        return CallVerdict.Create(fs.CallId!, page.End(fs.HangupAt!.Value), Silent, stats: null, fs, "browser");
    }

    private static EvidencePageContent Content(string? diagnosis = null) => new()
    {
        TestName = "Suites.Trunk_call(Browser)",
        Failure = Failure,
        Diagnosis = diagnosis,
        Calls = [new EvidenceCall("browser", SilentVerdict().CallId, 1000, Silent, SilentVerdict())],
        FreeSwitchLog = "2026-11-30 14:32:02 [NOTICE] sofia.c: <silence_stream> & more",
        Stats = "{\"browser\": {\"codec\": \"opus\"}}",
        Console = "+0 ms [browser] jssip: confirmed",
        Files = ["ladder.html", "freeswitch.log", "console.txt", "stats.json", "verdict-browser.json", "audio-browser.png"],
    };

    private static string Verdict(string html) => VerdictSection().Match(html).Value;

    [Test]
    public void The_verdict_comes_first_and_says_what_was_expected_heard_and_who_cleared_with_which_cause()
    {
        var html = EvidencePage.ToHtml(Content());

        var verdict = Verdict(html);
        verdict.Should().NotBeEmpty();
        html.IndexOf(verdict, StringComparison.Ordinal).Should().BeLessThan(html.IndexOf("id=\"audio\"", StringComparison.Ordinal))
            .And.BeLessThan(html.IndexOf("id=\"ladder\"", StringComparison.Ordinal))
            .And.BeLessThan(html.IndexOf("id=\"freeswitch-log\"", StringComparison.Ordinal))
            .And.BeLessThan(html.IndexOf("id=\"stats-json\"", StringComparison.Ordinal));
        verdict.Should().Contain("FAILED")
            .And.Contain("<h2><span class=\"badge failed\">FAILED</span> Expected to hear 1000 Hz above -30 dBFS within 1.5 s, but the call is connected but silent</h2>")
            .And.Contain("  more lines", "the whole failure message is under the heading")
            .And.Contain("to hear 1000 Hz")
            .And.Contain("silence: -120.0 dBFS for 1.50 s")
            .And.Contain("<td>FreeSWITCH<br/><span class=\"cause\">NORMAL_CLEARING</span> (Q.850 16)", "FreeSWITCH sent the BYE (send_bye)")
            .And.Contain("<b>phone:</b> ended by Remote")
            .And.Contain("<b>FreeSWITCH:</b> NORMAL_CLEARING")
            .And.Contain("pl01qfk4vfu4tslafqi4");
    }

    [Test]
    public void The_diagnosis_line_is_there_before_anything_fills_it_and_shows_one_when_given()
    {
        Verdict(EvidencePage.ToHtml(Content())).Should().Contain($"<p id=\"{EvidencePage.DiagnosisId}\" class=\"none\"><b>Diagnosis:</b> {EvidencePage.NoDiagnosis}</p>");

        Verdict(EvidencePage.ToHtml(Content("media blocked: no RTP after answer"))).Should()
            .Contain($"<p id=\"{EvidencePage.DiagnosisId}\"><b>Diagnosis:</b> media blocked: no RTP after answer</p>")
            .And.NotContain(EvidencePage.NoDiagnosis);
    }

    [Test]
    public void Every_file_is_linked_and_nothing_is_fetched()
    {
        var html = EvidencePage.ToHtml(Content());

        foreach (var file in Content().Files)
        {
            html.Should().Contain($"href=\"{file}\"");
        }

        html.Should().Contain("<iframe src=\"ladder.html\"");
        Regex.Matches(html, "(?:src|href)=\"([^\"]*)\"").Select(m => m.Groups[1].Value).Should()
            .OnlyContain(u => Content().Files.Contains(u), "the page links only its own folder's files");
        // The SVG namespace is a name, not an address: the only http URL allowed.
        html.Replace("xmlns=\"http://www.w3.org/2000/svg\"", string.Empty, StringComparison.Ordinal).Should().NotContain("<script").And.NotContain("http://").And.NotContain("https://").And.NotContain("@import").And.NotContain("url(");
    }

    [Test]
    public void Text_from_the_call_is_encoded_not_run()
    {
        var html = EvidencePage.ToHtml(Content() with { Failure = "<script>alert(1)</script>: x", TestName = "T<b>" });

        html.Should().NotContain("<script>").And.NotContain("T<b>")
            .And.Contain("&lt;script&gt;alert(1)&lt;/script&gt;")
            .And.Contain("&lt;silence_stream&gt; &amp; more", "the log slice shows SIP and XML as text");
    }

    [Test]
    public void A_call_without_a_verdict_and_a_kept_passing_test_are_said_so()
    {
        var html = EvidencePage.ToHtml(Content() with { Failure = null, Calls = [new EvidenceCall("native", "c1", null, null, null)] });

        var verdict = Verdict(html);
        verdict.Should().Contain("KEPT").And.NotContain("FAILED")
            .And.Contain("no particular tone").And.Contain("nothing recorded")
            .And.Contain("no verdict: the test stopped before this call ended");
        html.Should().Contain("no audio was recorded");
    }

    [Test]
    public void The_plot_is_inline_svg_of_every_window_with_threshold_answer_and_tone()
    {
        var report = AudioPlotTests.ToneThenSilence();

        var svg = AudioPlot.RenderSvg(report, "browser-A", 1000);

        svg.Should().StartWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").And.EndWith("</svg>")
            .And.Contain("browser-A: heard 1000 Hz at -13.0 dBFS in 50% of windows, first at 0.50 s")
            .And.Contain(">answer</text>")
            .And.Contain("silence below -60 dBFS")
            .And.Contain("1000 Hz tone level (dots)");
        Regex.Matches(svg, "<title>").Count.Should().Be(report.Windows.Count, "one tooltip per window");
        Regex.Matches(svg, "<circle class=\"tone\"").Count.Should().Be(report.Windows.Count);

        // The tone's dots: high (near -13 dBFS) in the tone's windows, at the floor in silence, on one dBFS scale.
        var ys = Regex.Matches(svg, "<circle class=\"tone\" cx=\"\\d+\" cy=\"(\\d+)\"").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        var toneWindows = report.Windows.Select((w, i) => (w, i)).Where(x => x.w.ToneDbfs[0] > -30).Select(x => x.i).ToList();
        toneWindows.Should().NotBeEmpty();
        toneWindows.Select(i => ys[i]).Should().OnlyContain(y => y < ys[0], "a window with the tone is drawn above a silent one");
        svg.Should().Contain(string.Create(CultureInfo.InvariantCulture, $"y1=\"{LevelY(-60)}\" x2=\"{AudioPlot.DefaultWidth - 16}\" y2=\"{LevelY(-60)}\" stroke=\"#c02020\""), "the silence threshold at -60 dBFS");
    }

    [Test]
    public void A_report_with_no_audio_draws_an_empty_plot_that_says_so()
    {
        AudioPlot.RenderSvg(AudioReport.Empty(), "native").Should().Contain("no audio received").And.NotContain("<circle");
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task The_folder_writes_index_last_showing_and_linking_what_it_holds(CancellationToken ct)
    {
        var folder = EvidenceFolder.Create("Trunk(Browser)", Dir);
        await folder.WriteFreeSwitchLogAsync("line of the call <uuid>", ct);
        await folder.WriteAudioPlotAsync("browser", Silent, 1000, ct);
        await folder.WriteVerdictAsync(SilentVerdict(), "browser", ct);

        var index = await folder.WriteIndexAsync([new EvidenceCall("browser", "c1", 1000, Silent, SilentVerdict())], Failure, ct: ct);

        index.Should().Be(folder.IndexPath).And.Be(Path.Combine(folder.Path, "index.html"));
        var html = await File.ReadAllTextAsync(index, ct);
        html.Should().Contain("href=\"freeswitch.log\"").And.Contain("href=\"audio-browser.png\"").And.Contain("href=\"verdict-browser.json\"")
            .And.Contain("line of the call &lt;uuid&gt;", "the log slice is read back into the page")
            .And.NotContain("href=\"index.html\"")
            .And.NotContain("href=\"ladder.html\"", "no ladder was written");
        folder.Complete(testFailed: true).Select(Path.GetFileName).Should().Contain("index.html");
    }

    /// <summary>The plot's y of a level (top 84, bottom height - 44, 0 to -120 dBFS).</summary>
    private static int LevelY(double db) => 84 + (int)Math.Round(-db / 120 * (AudioPlot.DefaultHeight - 44 - 84));

    [GeneratedRegex("<section id=\"verdict\".*?</section>", RegexOptions.Singleline)]
    private static partial Regex VerdictSection();
}
