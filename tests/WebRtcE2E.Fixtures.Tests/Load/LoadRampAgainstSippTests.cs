using System.Globalization;
using WebRtcE2E.Fixtures.Load;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Native;
using WebRtcE2E.Lab;

namespace WebRtcE2E.Fixtures.Tests.Load;

/// <summary>
/// The ramp end to end on loopback, with SIPp's UAS as the far end: echoing (every call verified, loss and CPU
/// measured) and not echoing (no call hears its tone, so the first step is the knee). Proves the verdicts are
/// measured, not assumed.
/// </summary>
[Category("Lab")]
[Category("Native")]
public class LoadRampAgainstSippTests
{
    [Test]
    [CancelAfter(60000)]
    public async Task Every_call_hears_its_echo_and_every_figure_is_measured(CancellationToken ct)
    {
        var report = await RampAsync(echo: true, [2, 5], ct);

        report.Knee.Should().BeNull(report.Table());
        report.Held.Should().Be(5);
        report.Stopped.Should().Be("the last step ran");
        var last = report.Steps[^1];
        last.SetUp.Should().Be(5);
        last.Verified.Should().Be(5, report.Table());
        last.LossPct.Should().BeLessThan(1);
        last.SetupP95Ms.Should().BePositive();
        last.CpuPct.Select(c => c.Name).Should().Equal("SIPp", "harness (native phones)");
        last.CpuPct.Should().OnlyContain(c => c.Pct != null, "both processes are measurable on Linux");
    }

    [Test]
    [CancelAfter(60000)]
    public async Task Calls_that_hear_nothing_are_the_knee_at_the_first_step(CancellationToken ct)
    {
        var report = await RampAsync(echo: false, [3, 6], ct);

        report.Steps.Should().HaveCount(1);
        report.Knee.Should().BeSameAs(report.Steps[0]);
        report.KneeReason.Should().Be("100% of the calls up did not hear their echo");
        report.Held.Should().Be(0);
        report.Steps[0].SetUp.Should().Be(3, "the calls were answered, only the audio is missing");
        report.Steps[0].Verified.Should().Be(0);
    }

    private static async Task<LoadReport> RampAsync(bool echo, int[] steps, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("load-sipp-").FullName;
        try
        {
            int media = SippProcess.FreePort(4);
            int sipPort = SippProcess.FreePort();
            var args = new List<string> { "-sn", "uas", "-mp", media.ToString(CultureInfo.InvariantCulture), "-i", "127.0.0.1", "-p", sipPort.ToString(CultureInfo.InvariantCulture), "-t", "u1", "-nostdin" };
            if (echo)
            {
                args.Insert(2, "-rtp_echo");
            }

            await using var sipp = await SippProcess.StartAsync(args, sipPort, "u", work, TimeSpan.FromSeconds(5), ct);
            var options = new LoadOptions { Number = $"sip:load@127.0.0.1:{sipPort}", Steps = steps, MaxCalls = 10, Window = TimeSpan.FromSeconds(1), Settle = TimeSpan.FromMilliseconds(500) };
            await using var phones = await SippLoadPhones.CreateAsync(options, ct);
            var lines = new List<string>();
            var report = await LoadRamp.RunAsync(phones, options, "SIPp uas on loopback", [CpuSource.ForProcesses("SIPp", () => [sipp.Pid])], lines.Add, ct);
            await TestContext.Out.WriteLineAsync(string.Join(Environment.NewLine, lines));
            return report;
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    private sealed class SippLoadPhones(NativePhone phone, string number) : ILoadPhones
    {
        public string Kind => "native";

        public IReadOnlyList<CpuSource> Cpu { get; } = [CpuSource.ThisProcess("harness (native phones)")];

        public static async Task<SippLoadPhones> CreateAsync(LoadOptions o, CancellationToken ct) =>
            new(await NativePhone.CreateAsync(new NativePhoneOptions { Name = "load", ToneHz = o.ToneHz, Codecs = ["PCMU"], MeteredTones = [o.ToneHz], ReceivedAudioRetention = TimeSpan.FromSeconds(4) }, ct), o.Number);

        public Task PrepareAsync(int index, CancellationToken ct) => Task.CompletedTask;

        public Task<ICall> DialAsync(int index, CancellationToken ct) => phone.DialAsync(number, ct: ct);

        public ValueTask DisposeAsync() => phone.DisposeAsync();
    }
}
