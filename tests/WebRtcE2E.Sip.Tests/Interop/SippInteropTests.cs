using System.Net;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Native;
using WebRtcE2E.Lab;

namespace WebRtcE2E.Sip.Tests.Interop;

/// <summary>
/// The native phone against SIPp 3.6.1 (Debian sip-tester) running as a local process on 127.0.0.1, over UDP
/// and TCP. SIPp is started and killed by the test; a missing sipp fails the test with how to install it.
/// </summary>
[Category("Lab")]
[Category("Native")]
[NonParallelizable]
public class SippInteropTests
{
    private const double Tone = 440;
    private const double AudibleFloorDbfs = -30;
    private static readonly TimeSpan SippReady = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SippExit = TimeSpan.FromSeconds(15);
    private string workDir = "";

    public static IEnumerable<string> Transports => ["udp", "tcp"];

    [SetUp]
    public void CreateWorkDir()
    {
        workDir = Directory.CreateTempSubdirectory("sipp-").FullName;
        foreach (var f in Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "sipp")))
        {
            File.Copy(f, Path.Combine(workDir, Path.GetFileName(f)));
        }

        // SIPp's play_pcap_audio looks for pcap/… relative to its working directory (WORLD.md); never committed.
        Directory.CreateDirectory(Path.Combine(workDir, "pcap"));
        if (File.Exists("/usr/share/sip-tester/g711a.pcap"))
        {
            File.Copy("/usr/share/sip-tester/g711a.pcap", Path.Combine(workDir, "pcap", "g711a.pcap"));
        }
    }

    [TearDown]
    public void RemoveWorkDir()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            Directory.Delete(workDir, true);
        }
        else
        {
            TestContext.Out.WriteLine($"SIPp working directory kept: {workDir}");
        }
    }

    [TestCaseSource(nameof(Transports))]
    [CancelAfter(30000)]
    public async Task Phone_calls_sipp_uas_and_hears_its_own_tone_echoed(string transport, CancellationToken ct)
    {
        var (sipPort, mediaPort) = Ports();
        await using var sipp = await StartSippAsync(["-sn", "uas", "-rtp_echo", "-mp", mediaPort.ToString()], sipPort, transport, ct);
        await using var phone = await NewPhoneAsync(transport, ct);

        var call = await phone.DialAsync($"sip:service@127.0.0.1:{sipPort}", ct: ct);
        var answered = await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(1.5), [Tone], ct);
        await call.HangupAsync(ct);
        var end = await call.EndedAsync(ct: ct);

        answered.Status.Should().Be(200);
        heard.ToneLevelDbfs(Tone).Should().BeGreaterThan(AudibleFloorDbfs, $"the echo of our {Tone} Hz tone should be heard: {heard.Describe()}");
        heard.StrongestIsNear(Tone).Should().BeTrue($"the strongest frequency should be {Tone} ± 10 Hz: {heard.Describe()}");
        end.By.Should().Be(EndedBy.Local);
        call.Stats!.PacketsReceived.Should().BeGreaterThan(40);
        (await sipp.WaitForExitAsync(SippExit, ct)).Should().Be(0, sipp.Tail());
        phone.SipTrace.Select(t => t.FirstLine).Should().Contain(l => l.StartsWith("SIP/2.0 180", StringComparison.Ordinal));
    }

    [TestCaseSource(nameof(Transports))]
    [CancelAfter(30000)]
    public async Task Sipp_uac_calls_the_phone_which_answers_and_hears_the_pcap(string transport, CancellationToken ct)
    {
        var (sipPort, mediaPort) = Ports();
        await using var phone = await NewPhoneAsync(transport, ct);
        var phonePort = phone.Transport.LocalEndPoint.Port;
        await using var sipp = await StartSippAsync(["-sf", "uac-call-phone.xml", $"127.0.0.1:{phonePort}", "-s", "native", "-mp", mediaPort.ToString()], sipPort, transport, ct);

        var call = await phone.NextIncomingCallAsync(TimeSpan.FromSeconds(5), ct);
        await call.AnswerAsync(ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(2), ct: ct);
        var end = await call.EndedAsync(TimeSpan.FromSeconds(10), ct);

        call.Direction.Should().Be(CallDirection.Incoming);
        heard.IsSilent.Should().BeFalse($"SIPp plays g711a.pcap after the ACK: {heard.Describe()}");
        heard.RmsDbfs.Should().BeGreaterThan(-50, heard.Describe());
        end.By.Should().Be(EndedBy.Remote);
        end.ClientCause.Should().Be("Remote BYE");
        end.Q850Cause.Should().Be(16);
        (await sipp.WaitForExitAsync(SippExit, ct)).Should().Be(0, sipp.Tail());
    }

    [Test]
    [CancelAfter(30000)]
    public async Task Phone_authenticates_when_sipp_challenges(
        [Values("udp", "tcp")] string transport,
        [Values("uas-challenge-401.xml", "uas-challenge-407.xml")] string scenario,
        CancellationToken ct)
    {
        var (sipPort, mediaPort) = Ports();
        await using var sipp = await StartSippAsync(["-sf", scenario, "-rtp_echo", "-mp", mediaPort.ToString()], sipPort, transport, ct);
        await using var phone = await NewPhoneAsync(transport, ct, server: sipPort);
        phone.UseCredentials(new SipCredentials("alice", "secret", "sipp.test"));

        var call = await phone.DialAsync($"sip:service@127.0.0.1:{sipPort}", ct: ct);
        var answered = await call.AnsweredAsync(ct: ct);
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(1), [Tone], ct);
        await call.HangupAsync(ct);
        await call.EndedAsync(ct: ct);

        answered.Status.Should().Be(200);
        var invites = phone.SipTrace.Where(t => t.Direction == TraceDirection.Sent && t.FirstLine.StartsWith("INVITE", StringComparison.Ordinal)).ToList();
        invites.Should().HaveCount(2);
        invites[1].Text.Should().Contain(scenario.Contains("401") ? "Authorization: Digest" : "Proxy-Authorization: Digest");
        heard.ToneLevelDbfs(Tone).Should().BeGreaterThan(AudibleFloorDbfs, heard.Describe());
        (await sipp.WaitForExitAsync(SippExit, ct)).Should().Be(0, "SIPp's verifyauth accepted the digest: " + sipp.Tail());
    }

    [TestCaseSource(nameof(Transports))]
    [CancelAfter(30000)]
    public async Task Busy_callee_ends_with_486(string transport, CancellationToken ct)
    {
        var (sipPort, _) = Ports();
        await using var sipp = await StartSippAsync(["-sf", "uas-busy.xml"], sipPort, transport, ct);
        await using var phone = await NewPhoneAsync(transport, ct);

        var call = await phone.DialAsync($"sip:service@127.0.0.1:{sipPort}", ct: ct);
        var act = () => call.AnsweredAsync(ct: ct);
        var ended = (await act.Should().ThrowAsync<CallEndedException>()).Which.End;

        ended.SipStatus.Should().Be(486);
        ended.By.Should().Be(EndedBy.Remote);
        ended.ClientCause.Should().Be("Busy");
        ended.Q850Cause.Should().Be(17);
        (await sipp.WaitForExitAsync(SippExit, ct)).Should().Be(0, "SIPp got the ACK for its 486: " + sipp.Tail());
    }

    [TestCaseSource(nameof(Transports))]
    [CancelAfter(30000)]
    public async Task Cancel_before_answer_ends_the_call_with_487(string transport, CancellationToken ct)
    {
        var (sipPort, _) = Ports();
        await using var sipp = await StartSippAsync(["-sf", "uas-ring-cancel.xml"], sipPort, transport, ct);
        await using var phone = await NewPhoneAsync(transport, ct);

        var call = await phone.DialAsync($"sip:service@127.0.0.1:{sipPort}", ct: ct);
        await call.HangupAsync(ct);
        var end = await call.EndedAsync(ct: ct);

        end.SipStatus.Should().Be(487);
        end.By.Should().Be(EndedBy.Local);
        phone.SipTrace.Should().Contain(t => t.Direction == TraceDirection.Sent && t.FirstLine.StartsWith("CANCEL", StringComparison.Ordinal));
        (await sipp.WaitForExitAsync(SippExit, ct)).Should().Be(0, "SIPp saw CANCEL and the ACK of its 487: " + sipp.Tail());
    }

    [TestCaseSource(nameof(Transports))]
    [CancelAfter(30000)]
    public async Task Phone_registers_with_digest_refreshes_and_unregisters(string transport, CancellationToken ct)
    {
        var (sipPort, _) = Ports();
        await using var sipp = await StartSippAsync(["-sf", "uas-register.xml"], sipPort, transport, ct);
        await using var phone = await NewPhoneAsync(transport, ct, server: sipPort);

        var result = await phone.RegisterAsync(new SipCredentials("alice", "secret", "sipp.test"), ct);
        var registers = await WaitForSentAsync(phone, "REGISTER", 3, TimeSpan.FromSeconds(5), ct);
        await phone.UnregisterAsync(ct);

        result.Registered.Should().BeTrue(result.ToString());
        result.Status.Should().Be(200);
        registers[0].Text.Should().NotContain("Authorization:");
        registers[1].Text.Should().Contain("Authorization: Digest").And.Contain("qop=auth").And.Contain("nc=00000001");
        registers.Select(r => r.Text.Split("Call-ID: ")[1].Split("\r\n")[0]).Distinct().Should().HaveCount(1, "a registration keeps its Call-ID (RFC 3261 §10.2.4)");
        (await sipp.WaitForExitAsync(SippExit, ct)).Should().Be(0, "SIPp verified the digest (qop=auth), saw the refresh and the Expires: 0: " + sipp.Tail());
    }

    [TestCaseSource(nameof(Transports))]
    [CancelAfter(30000)]
    public async Task Phone_answers_options_with_its_methods(string transport, CancellationToken ct)
    {
        var (sipPort, _) = Ports();
        await using var phone = await NewPhoneAsync(transport, ct);
        await using var sipp = await StartSippAsync(["-sf", "uac-options.xml", $"127.0.0.1:{phone.Transport.LocalEndPoint.Port}", "-s", "native"], sipPort, transport, ct);

        (await sipp.WaitForExitAsync(SippExit, ct)).Should().Be(0, "SIPp got 200 with Allow: INVITE: " + sipp.Tail());
        phone.SipTrace.Should().Contain(t => t.Direction == TraceDirection.Sent && t.FirstLine == "SIP/2.0 200 OK" && t.Text.Contains("CSeq: 1 OPTIONS"));
    }

    private static async Task<List<SipTraceEntry>> WaitForSentAsync(NativePhone phone, string method, int count, TimeSpan timeout, CancellationToken ct)
    {
        var pollInterval = TimeSpan.FromMilliseconds(50);
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var sent = phone.SipTrace.Where(t => t.Direction == TraceDirection.Sent && t.FirstLine.StartsWith(method + " ", StringComparison.Ordinal)).ToList();
            if (sent.Count >= count)
            {
                return sent;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {count} {method} requests; {sent.Count} were sent");
            }

            await Task.Delay(pollInterval, ct);
        }
    }

    [TestCaseSource(nameof(Transports))]
    [CancelAfter(30000)]
    public async Task Hold_and_unhold_reinvites_are_accepted_by_sipp(string transport, CancellationToken ct)
    {
        var (sipPort, mediaPort) = Ports();
        await using var sipp = await StartSippAsync(["-sf", "uas-hold.xml", "-rtp_echo", "-mp", mediaPort.ToString()], sipPort, transport, ct);
        await using var phone = await NewPhoneAsync(transport, ct);

        var call = (NativeCall)await phone.DialAsync($"sip:service@127.0.0.1:{sipPort}", ct: ct);
        await call.AnsweredAsync(ct: ct);
        await call.HoldAsync(ct);
        var held = call.Media.Media!;
        await call.UnholdAsync(ct);
        var resumed = call.Media.Media!;
        var heard = await call.ListenAsync(TimeSpan.FromSeconds(1), [Tone], ct);
        await call.HangupAsync(ct);

        held.LocalDirection.Should().Be(WebRtcE2E.Sip.Sdp.MediaDirection.SendOnly, "SIPp answered the hold offer with recvonly");
        resumed.LocalDirection.Should().Be(WebRtcE2E.Sip.Sdp.MediaDirection.SendRecv);
        heard.ToneLevelDbfs(Tone).Should().BeGreaterThan(AudibleFloorDbfs, "after unhold the echo is heard: " + heard.Describe());
        (await sipp.WaitForExitAsync(SippExit, ct)).Should().Be(0, "SIPp saw a=sendonly then a=sendrecv offers: " + sipp.Tail());
    }

    private static (int Sip, int Media) Ports()
    {
        int media = SippProcess.FreePort(4);
        int sip = SippProcess.FreePort(1);
        return (sip, media);
    }

    private async Task<SippProcess> StartSippAsync(IReadOnlyList<string> scenario, int sipPort, string transport, CancellationToken ct)
    {
        var args = new List<string>(scenario)
        {
            "-i", "127.0.0.1", "-p", sipPort.ToString(), "-t", transport == "udp" ? "u1" : "t1",
            "-m", "1", "-nostdin", "-timeout", "25s", "-timeout_error", "-trace_err", "-max_recv_loops", "1000",
        };
        return await SippProcess.StartAsync(args, sipPort, transport == "udp" ? "u" : "t", workDir, SippReady, ct);
    }

    private static async Task<NativePhone> NewPhoneAsync(string transport, CancellationToken ct, int? server = null) =>
        await NativePhone.CreateAsync(
            new NativePhoneOptions
            {
                Name = "native-" + transport,
                Transport = transport,
                ToneHz = Tone,
                Codecs = ["PCMU", "PCMA"],
                ServerHost = server is null ? null : "127.0.0.1",
                ServerPort = server ?? 5060,
            },
            ct);
}
