using System.Diagnostics;
using WebRtcE2E.Fixtures;
using WebRtcE2E.Fixtures.EventSocket;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Verdicts;

namespace WebRtcE2E.Tests;

/// <summary>
/// The test-support layer under every FreeSWITCH scenario, one level below the test, in the order a test meets
/// it: the phone kinds it runs on (<see cref="ScenarioPhones"/>); the run's FreeSWITCH (<see cref="TestRun"/>) and
/// an event socket ledger for this test; the phones it makes and the calls it keeps; the verdict of each call; and,
/// when the test fails (or always with WEBRTC_E2E_KEEP_EVIDENCE=1), the evidence folder, attached to the result by
/// <see cref="NUnitEvidence"/> with its page (index.html) printed in the test's output. The phones and the ledger
/// are disposed after every test, also on failure.
/// </summary>
[Category("FreeSwitch")]
public abstract class Scenario
{
    private readonly Stopwatch took = Stopwatch.StartNew();
    private TestCalls? calls;
    private EventSocketClient? esl;

    /// <summary>The run's FreeSWITCH.</summary>
    protected FreeSwitchTarget Fs { get; private set; } = null!;

    /// <summary>FreeSWITCH's view of this test's calls.</summary>
    protected CallLedger Ledger { get; private set; } = null!;

    /// <summary>This test's phones, calls and verdicts (fixtures' <see cref="TestCalls"/>, shared with scenario files).</summary>
    private TestCalls Calls => calls ?? throw new InvalidOperationException("no test is running");

    /// <summary>
    /// Every scenario x phone kind, with the phone's category so a user can run one phone only; a SIP.js phone is
    /// in <c>Browser</c> as well as in its own <c>BrowserSipJs</c>.
    /// </summary>
    public static IEnumerable<TestCaseData> Phones() => Cases(ScenarioPhones.Kinds);

    /// <summary>Every browser scenario x browser phone kind (JsSIP, SIP.js).</summary>
    public static IEnumerable<TestCaseData> BrowserPhones() => Cases(ScenarioPhones.BrowserKinds);

    private static IEnumerable<TestCaseData> Cases(IEnumerable<PhoneKind> kinds) => kinds.Select(k =>
    {
        var data = new TestCaseData(k).SetArgDisplayNames(k.ToString()).SetCategory(k.ToString());
        return k == PhoneKind.BrowserSipJs ? data.SetCategory("Browser") : data;
    });

    /// <summary>Starts (or reuses) the run's FreeSWITCH and opens this test's ledger.</summary>
    [SetUp]
    public async Task OpenLedgerAsync()
    {
        Fs = await TestRun.TargetAsync();
        took.Restart();
        var socket = await Fs.EventSocketAsync();
        try
        {
            await socket.SubscribeAsync(["CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "DTMF", "CUSTOM", "sofia::register", "sofia::unregister"]);
            Ledger = CallLedger.Attach(socket);
        }
        catch
        {
            await socket.DisposeAsync();
            throw;
        }

        esl = socket;
        TestRun.Began();
        calls = new TestCalls(Fs, Ledger);
        // NUnit runs no TearDown after a failed SetUp: nothing else may fail between here and the test.
    }

    /// <summary>A phone for this test, disposed when it ends.</summary>
    protected async Task<IPhone> PhoneAsync(PhoneKind kind, string profile, string name, double toneHz, IReadOnlyList<string>? codecs = null, CancellationToken ct = default, Func<WebRtcE2E.Fixtures.Phones.Browser.BrowserPhoneOptions, WebRtcE2E.Fixtures.Phones.Browser.BrowserPhoneOptions>? browser = null) =>
        Calls.Add(await ScenarioPhones.CreateAsync(kind, Fs, profile, name, toneHz, codecs, ct, browser));

    /// <summary>Keeps a phone the test opened itself (on a browser of its own), for the evidence; disposed when the test ends.</summary>
    protected TPhone Keep<TPhone>(TPhone phone)
        where TPhone : IPhone => Calls.Add(phone);

    /// <summary>Dials and keeps the call for the evidence; <paramref name="expectedHz"/> is what the phone should hear.</summary>
    protected async Task<ICall> DialAsync(IPhone phone, string number, double? expectedHz, DialOptions? options = null, CancellationToken ct = default) =>
        Calls.Track(phone, await phone.DialAsync(number, options, ct), expectedHz);

    /// <summary>Keeps an incoming call for the evidence.</summary>
    protected ICall Track(IPhone phone, ICall call, double? expectedHz) => Calls.Track(phone, call, expectedHz);

    /// <summary>
    /// Waits for the end of <paramref name="call"/> on both sides and joins them: what the phone saw, what it
    /// heard in <paramref name="heard"/>, and FreeSWITCH's hangup record for the same Call-ID, with its diagnosis
    /// (judged on the counters since <paramref name="since"/> when given: the phone's statistics when a fault was applied).
    /// </summary>
    protected Task<CallVerdict> VerdictAsync(IPhone phone, ICall call, AudioReportOrNone heard, TimeSpan? endTimeout = null, CancellationToken ct = default, MediaStats? since = null) =>
        Calls.VerdictAsync(phone, call, heard.Report, TestContext.CurrentContext.Test.Name, TestContext.Progress, endTimeout, since, ct);

    /// <summary>Writes the evidence (on failure, or when asked to keep it), attaches it, and disposes the phones.</summary>
    [TearDown]
    public async Task FinishAsync()
    {
        var failed = TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed;
        try
        {
            if (Fs is not null && calls is { HasCalls: true } or { HasPhones: true } && (failed || EvidenceFolder.KeepAlways))
            {
                var folder = await WriteEvidenceAsync(TestContext.CurrentContext.Test.FullName, failed ? TestContext.CurrentContext.Result.Message : null, CancellationToken.None);
                NUnitEvidence.Complete(folder);
            }
        }
        finally
        {
            // One instance per test case (Parallelism.cs); cleared all the same, should that ever change.
            // The phones first (they hold calls the ledger watches), then the event socket, also when one fails.
            var mine = new List<IAsyncDisposable>();
            if (esl is not null)
            {
                mine.Add(esl);
                esl = null;
            }

            try
            {
                if (calls is not null)
                {
                    await calls.DisposeAsync();
                }
            }
            finally
            {
                calls = null;
                try
                {
                    await AsyncDisposables.DisposeAllAsync(mine, "disposing the test's event socket failed");
                }
                finally
                {
                    TestRun.Timed(took.Elapsed, failed);
                }
            }
        }
    }

    /// <summary>The evidence of this test's calls (see <see cref="TestCalls.WriteEvidenceAsync"/>).</summary>
    /// <param name="testName">Names the folder.</param>
    /// <param name="failure">What failed (NUnit's message), shown first on the page; null when kept for a pass.</param>
    /// <param name="ct">Cancels the writing.</param>
    protected Task<EvidenceFolder> WriteEvidenceAsync(string testName, string? failure, CancellationToken ct) =>
        Calls.WriteEvidenceAsync(testName, failure, ct: ct);
}

/// <summary>A heard report, or none for a call that never carried audio (busy, rejected …).</summary>
public readonly record struct AudioReportOrNone(WebRtcE2E.Fixtures.Media.AudioReport? Report)
{
    /// <summary>No audio to judge.</summary>
    public static AudioReportOrNone None => new(null);

    /// <summary>A report.</summary>
    public static implicit operator AudioReportOrNone(WebRtcE2E.Fixtures.Media.AudioReport report) => new(report);
}
