using System.Net;
using WebRtcE2E.Fixtures.FreeSwitch;
using WebRtcE2E.Fixtures.Media;
using WebRtcE2E.Fixtures.Probe;

namespace WebRtcE2E.Fixtures.Tests.Cli;

/// <summary>The judgement and the trust of <c>webrtc-e2e call</c>, without a server.</summary>
[Category("Unit")]
public sealed class CallProbeTests
{
    private const int Rate = 16000;

    [Test]
    public void Silence_is_connected_but_silent_and_exits_non_zero()
    {
        var heard = AudioProbe.Analyze(ToneGenerator.Silence(TimeSpan.FromSeconds(2), Rate), Rate);

        var (outcome, summary) = CallProbe.Judge(heard, null);

        outcome.Should().Be(ProbeOutcome.Silent);
        summary.Should().StartWith("connected but silent");
        ProbeResult.ExitCodeOf(outcome).Should().NotBe(0);
    }

    [Test]
    public void A_tone_is_heard_and_exits_zero_and_a_missing_expected_tone_does_not()
    {
        var heard = AudioProbe.Analyze(ToneGenerator.Sine(1000, 0.5, TimeSpan.FromSeconds(2), Rate), Rate, expectedTones: [1000]);

        CallProbe.Judge(heard, null).Outcome.Should().Be(ProbeOutcome.Heard);
        CallProbe.Judge(heard, 1000).Summary.Should().Contain("heard 1000 Hz");
        ProbeResult.ExitCodeOf(ProbeOutcome.Heard).Should().Be(0);

        var other = AudioProbe.Analyze(ToneGenerator.Sine(1000, 0.5, TimeSpan.FromSeconds(2), Rate), Rate, expectedTones: [440]);
        CallProbe.Judge(other, 440).Outcome.Should().Be(ProbeOutcome.ToneMissing);
    }

    [Test]
    public void Every_failure_has_a_non_zero_exit_code()
    {
        Enum.GetValues<ProbeOutcome>().Where(o => o != ProbeOutcome.Heard).Select(ProbeResult.ExitCodeOf).Should().NotContain(0).And.NotContain(1, "1 is the command line's own (a wrong option)");
    }

    [Test]
    public void The_pin_of_a_pem_file_is_the_certificates_spki_with_or_without_its_key()
    {
        using var cert = WssCertificate.CreateSelfSigned(["pbx.example.com"], [IPAddress.Loopback]);
        var dir = Directory.CreateTempSubdirectory("webrtc-e2e-pin-");
        try
        {
            var wss = Path.Combine(dir.FullName, "wss.pem");
            var crt = Path.Combine(dir.FullName, "server.crt");
            cert.WriteWssPem(wss);
            File.WriteAllText(crt, cert.CertificatePem);

            WssCertificate.SpkiPinOfPemFile(wss).Should().Be(cert.SpkiSha256Base64);
            WssCertificate.SpkiPinOfPemFile(crt).Should().Be(cert.SpkiSha256Base64);
            var missing = () => WssCertificate.SpkiPinOfPemFile(Path.Combine(dir.FullName, "none.pem"));
            missing.Should().Throw<WssCertificateException>().WithMessage("*not found*");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
