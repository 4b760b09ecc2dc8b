using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Load;

namespace WebRtcE2E.Fixtures.Tests.Load;

[Category("Unit")]
public class LoadReportTests
{
    private static readonly LoadOptions Options = new();

    [Test]
    public void A_step_within_every_threshold_is_no_knee()
    {
        var first = Step(50, setUp: 50, verified: 50, loss: 0.2, p95: 80);
        LoadRamp.KneeReason(Step(100, setUp: 100, verified: 100, loss: 0.9, p95: 900), first, Options).Should().BeNull();
    }

    [TestCase(100, 98, 98, 0.0, 80, "2% of calls failed")]
    [TestCase(100, 100, 97, 0.0, 80, "3% of the calls up did not hear their echo")]
    [TestCase(100, 100, 100, 1.5, 80, "loss 1.50%")]
    [TestCase(100, 100, 100, 0.0, 1200, "setup p95 1200 ms against 80 ms at the first step")]
    public void A_step_over_a_threshold_is_the_knee_and_says_which(int calls, int setUp, int verified, double loss, double p95, string reason)
    {
        var first = Step(50, setUp: 50, verified: 50, loss: 0, p95: 80);
        LoadRamp.KneeReason(Step(calls, setUp, verified, loss, p95), first, Options).Should().Be(reason);
    }

    [Test]
    public void A_setup_jump_below_the_absolute_bound_is_no_knee()
    {
        // 3.75 × the first step's p95, but only 550 ms more: a hiccup on a shared machine, not a knee.
        var first = Step(50, setUp: 50, verified: 50, loss: 0, p95: 200);
        LoadRamp.KneeReason(Step(100, setUp: 100, verified: 100, loss: 0, p95: 750), first, Options).Should().BeNull();
    }

    [Test]
    public void Missing_loss_figures_are_not_a_knee_and_print_as_not_available()
    {
        var first = Step(1, setUp: 1, verified: 1, loss: double.NaN, p95: 300);
        LoadRamp.KneeReason(first, first, Options).Should().BeNull();
        first.Row().Should().Contain("n/a");
    }

    [Test]
    public void Percentiles_are_nearest_rank()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();
        LoadRamp.Percentile(values, 50).Should().Be(50);
        LoadRamp.Percentile(values, 95).Should().Be(95);
        LoadRamp.Percentile(values, 99).Should().Be(99);
        LoadRamp.Percentile([7], 95).Should().Be(7);
        double.IsNaN(LoadRamp.Percentile([], 95)).Should().BeTrue();
    }

    [Test]
    public void The_report_holds_the_step_before_the_knee_and_writes_table_csv_and_plot()
    {
        var steps = new[] { Step(50, 50, 50, 0, 80), Step(100, 100, 100, 0.1, 90), Step(200, 190, 185, 3, 2000) };
        var report = new LoadReport("native", "test target", steps, steps[2], "5% of calls failed", "the knee at 200 calls", Options.KneeRule);

        report.Held.Should().Be(100);
        report.Summary().Should().Be("native calls through FreeSWITCH: 100 concurrent calls held, 100/100 audio verified, 0.10% loss, setup p95 90 ms; knee at 200 calls (5% of calls failed)");
        var csv = report.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        csv.Should().HaveCount(4);
        csv[0].Should().Be("phone,calls,set_up,failed,audio_verified,loss_pct,worst_call_loss_pct,jitter_ms,setup_p50_ms,setup_p95_ms,setup_p99_ms,freeswitch_cpu_pct,harness_cpu_pct");
        csv[3].Should().StartWith("native,200,190,10,185,3,");
        csv[3].Should().EndWith(",100,150");
        csv[1].Should().EndWith(",100,", "a CPU that could not be measured is an empty cell, not a zero");
        report.ToMarkdown().Should().Contain("(knee)").And.Contain(Options.KneeRule);

        var dir = Directory.CreateTempSubdirectory("load-report-").FullName;
        try
        {
            var page = FreeSwitchLoad.WriteEvidence([report], dir, "title");
            var html = File.ReadAllText(page);
            html.Should().Contain("<svg").And.Contain("class=\"load-plot\"").And.Contain(">knee</text>").And.Contain("<tr class=\"knee\">");
            html.Should().Contain("FreeSWITCH CPU").And.Contain("audio verified %");
            File.ReadAllText(Path.Combine(dir, "load.csv")).Should().Contain("native,100,100,0,100,0.1,");
            File.Exists(Path.Combine(dir, "load.md")).Should().BeTrue();
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void The_load_conf_widens_the_rtp_range_for_the_calls_asked_and_is_deleted_after()
    {
        string dir;
        using (var conf = FreeSwitchLoad.ConfFor(500))
        {
            dir = conf.Conf.Directory;
            conf.RtpRange.Should().Be("16384-18383", "four ports per call");
            conf.Conf.Defaults["rtp_end_port"].Should().Be("18383");
            conf.Conf.Number("ECHO").Should().Be("07010002001");
            FreeSwitchConf.Load().Defaults["rtp_end_port"].Should().Be("16583", "the shipped conf is not touched");
        }

        Directory.Exists(dir).Should().BeFalse();
    }

    [Test]
    public void A_conf_without_an_rtp_range_is_refused_naming_the_file()
    {
        var source = Directory.CreateTempSubdirectory("load-conf-bad-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(source, "vars.xml"), "<include/>");
            var act = () => FreeSwitchLoad.ConfFor(100, source);
            act.Should().Throw<InvalidDataException>().WithMessage($"{Path.Combine(source, "vars.xml")}: expected*rtp_start_port*");
        }
        finally
        {
            Directory.Delete(source, true);
        }
    }

    [Test]
    public void Steps_must_rise()
    {
        var act = () => (Options with { Steps = [10, 5] }).Validate();
        act.Should().Throw<ArgumentException>().WithMessage("steps must be rising positive call counts; got 10,5");
    }

    private static LoadStep Step(int calls, int setUp, int verified, double loss, double p95) =>
        new(calls, setUp, calls - setUp, verified, loss, loss, 1, p95 / 2, p95, p95, [("FreeSWITCH", 100.0), ("harness", calls == 200 ? 150.0 : null)]);
}
