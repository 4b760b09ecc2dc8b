using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Tests;

/// <summary>
/// The evidence is proven on a real failure: the trunk scenario's assertion, run against a number that answers
/// and plays silence, must fail saying "connected but silent", and the folder must explain it: its index.html,
/// opened in Chromium, shows the verdict on the first screen (the screenshot index.png stays in the folder).
/// </summary>
[Category("External")]
public sealed class EvidenceTests : Scenario
{
    [TestCaseSource(nameof(Phones))]
    [CancelAfter(60_000)]
    public async Task Silent_number_fails_the_trunk_assertion_and_leaves_a_ladder_a_log_and_a_silent_plot(PhoneKind kind, CancellationToken ct)
    {
        var phone = await PhoneAsync(kind, "external", $"{kind}-caller", 440, ct: ct);
        var call = await DialAsync(phone, Fs.Conf.Number("SILENCE"), TestAudio.AnnouncementHz, ct: ct);
        await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [TestAudio.AnnouncementHz], ct);
        await call.HangupAsync(ct);
        var verdict = await VerdictAsync(phone, call, heard, ct: ct);

        var trunkAssertion = () => verdict.Should().HaveHeardTone(TestAudio.AnnouncementHz, aboveDbfs: -30, within: TimeSpan.FromSeconds(1.5));

        var failure = trunkAssertion.Should().Throw<AssertionException>().WithMessage("*connected but silent*").Which.Message;
        var folder = await WriteEvidenceAsync($"{TestContext.CurrentContext.Test.FullName}-proof", failure, ct);
        var files = folder.Files.Select(Path.GetFileName).ToList();
        files.Should().Contain(["index.html", "ladder.html", "freeswitch.log", $"audio-{phone.Name}.png"]);
        var ladder = await File.ReadAllTextAsync(Path.Combine(folder.Path, "ladder.html"), ct);
        ladder.Should().Contain("INVITE sip:" + Fs.Conf.Number("SILENCE")).And.Contain("200 OK").And.Contain("BYE");
        if (Fs.Kind != TargetKind.External)
        {
            // An external server's log stays on that server; container and process logs are the harness's.
            (await File.ReadAllTextAsync(Path.Combine(folder.Path, "freeswitch.log"), ct)).Should().Contain("silence_stream");
        }
        var png = await File.ReadAllBytesAsync(Path.Combine(folder.Path, $"audio-{phone.Name}.png"), ct);
        png.Take(8).Should().Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        call.Received.Analyze().IsSilent.Should().BeTrue("the plot shows what was received: silence");
        await TheVerdictIsAboveTheFoldAsync(folder, phone.Name);
        TestContext.Out.WriteLine($"evidence of a real failure kept at {folder.IndexPath}");
    }

    /// <summary>
    /// Opens index.html in Chromium at 1280x800 (a laptop's first screen), keeps a screenshot of that first screen
    /// in the folder (index.png), and checks that the verdict is all on it and says what failed, heard and cleared.
    /// </summary>
    private static async Task TheVerdictIsAboveTheFoldAsync(EvidenceFolder folder, string phoneName)
    {
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            // The same Chromium the browser phones run in (Debian's, by path; --no-sandbox as in BrowserHost).
            ExecutablePath = new WebRtcE2E.Fixtures.Phones.Browser.BrowserOptions().ChromiumPath,
            Args = ["--no-sandbox"],
            Headless = true,
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        await page.GotoAsync(new Uri(folder.IndexPath).AbsoluteUri);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder.Path, "index.png") });

        var verdict = page.Locator($"#{EvidencePage.VerdictId}");
        var box = await verdict.BoundingBoxAsync();
        box.Should().NotBeNull("the page has a verdict element");
        box!.Y.Should().BeGreaterThanOrEqualTo(0);
        (box.Y + box.Height).Should().BeLessThanOrEqualTo(800, "the whole verdict is on the first screen");
        (box.X + box.Width).Should().BeLessThanOrEqualTo(1280, "the verdict is not cut on the right");
        var text = await verdict.InnerTextAsync();
        text.Should().Contain("FAILED").And.Contain("connected but silent").And.Contain(phoneName)
            .And.Contain($"to hear {TestAudio.AnnouncementHz:0} Hz").And.Contain("silence:").And.Contain("NORMAL_CLEARING").And.Contain("Diagnosis");
    }
}
