using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Concentus;
using Concentus.Enums;
using WebRtcE2E.Sip.Media;
using WebRtcE2E.Sip.Sdp;

namespace WebRtcE2E.Sip.Tests.Unit;

/// <summary>
/// FreeSWITCH 1.10.12 with its vanilla configuration offers opus on payload 102 with stereo=1, 30 kb/s and full
/// band; what it then sends are hybrid-mode packets (SILK plus CELT, TOC configs 12–15), which a Concentus decoder
/// made for 8 kHz turned into silence.
/// </summary>
[Category("Unit")]
public class VanillaOpusTests
{
    // The INVITE body vanilla FreeSWITCH 1.10.12 sent to a registered native phone (1000 calls 1001), as logged.
    private const string VanillaOffer = """
        v=0
        o=FreeSWITCH 1796024830 1796024831 IN IP4 10.213.125.10
        s=FreeSWITCH
        c=IN IP4 10.213.125.10
        t=0 0
        m=audio 32088 RTP/AVP 102 9 0 8 103 101
        a=rtpmap:102 opus/48000/2
        a=fmtp:102 useinbandfec=1; maxaveragebitrate=30000; maxplaybackrate=48000; ptime=20; minptime=10; maxptime=40; stereo=1
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:103 telephone-event/48000
        a=fmtp:103 0-15
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-15
        a=ptime:20

        """;

    [Test]
    public void Vanillas_opus_offer_is_answered_on_its_payload_types()
    {
        var a = SdpOfferAnswer.Answer(SdpSession.Parse(VanillaOffer.ReplaceLineEndings("\r\n")), ["opus", "PCMU", "PCMA"])!.Value;
        a.Media.Audio.Should().BeEquivalentTo(new { PayloadType = 102, Name = "opus", ClockRate = 48000, Channels = 2 });
        a.Media.TelephoneEvent!.PayloadType.Should().Be(103, "telephone-event/48000 goes with opus");
        a.Media.RemotePort.Should().Be(32088);
        var answer = SdpSession.Parse(SdpSession.Write(1, 1, "127.0.0.1", 40000, a.AnswerFormats, a.AnswerDirection));
        answer.Audio!.Formats.Select(f => $"{f.PayloadType} {f.RtpMap}").Should().Equal("102 opus/48000/2", "103 telephone-event/48000");
    }

    [TestCase(440.0)]
    [TestCase(3000.0)]
    public void Hybrid_full_band_packets_as_vanilla_sends_decode_to_the_tone(double hz)
    {
        var sender = VanillaLikeEncoder();
        var codec = AudioCodec.Create("opus");
        var heard = new List<float>();
        for (int f = 0; f < 50; f++)
        {
            var packet = EncodeStereoTone(sender, hz, f);
            TocConfig(packet).Should().BeInRange(12, 15, "the packets of this situation are hybrid (SILK plus CELT)");
            var pcm = codec.Decode(packet);
            pcm.Should().HaveCount(AudioCodec.FrameSamples, "each 20 ms packet gives one 20 ms frame at 8 kHz");
            heard.AddRange(pcm);
        }

        var settled = heard.Skip(AudioCodec.PcmRate / 2).ToArray();
        ToneAmplitude(settled, hz).Should().BeGreaterThan(0.3, $"a {hz} Hz tone of amplitude 0.5 was sent");
    }

    [Test]
    public async Task Phone_that_answered_vanillas_offer_hears_hybrid_opus_on_payload_102()
    {
        var frames = new ConcurrentQueue<float[]>();
        var loud = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int loudFrames = 0;
        using var freeswitch = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        freeswitch.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var loop = new MediaLoop(IPAddress.Loopback, span =>
        {
            var f = span.ToArray();
            frames.Enqueue(f);
            if (ToneAmplitude(f, 440) > 0.3 && Interlocked.Increment(ref loudFrames) >= 10)
            {
                loud.TrySetResult();
            }
        }, 660);
        var offer = VanillaOffer.Replace("10.213.125.10", "127.0.0.1", StringComparison.Ordinal)
            .Replace("32088", ((IPEndPoint)freeswitch.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var answered = SdpOfferAnswer.Answer(SdpSession.Parse(offer), ["opus", "PCMU", "PCMA"])!.Value;
        loop.Apply(answered.Media);
        loop.Start();

        var sender = VanillaLikeEncoder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        uint ts = 1000;
        for (int f = 0; f < 250 && !loud.Task.IsCompleted; f++)
        {
            var packet = new RtpPacket(102, f == 0, (ushort)(7 + f), ts, 0x5EED, EncodeStereoTone(sender, 440, f));
            await freeswitch.SendToAsync(packet.ToBytes(), loop.LocalEndPoint, cts.Token);
            ts += 960;
            await pace.WaitForNextTickAsync(cts.Token);
        }

        loud.Task.IsCompleted.Should().BeTrue(
            $"the phone should hear the 440 Hz sent on payload 102; it counted {loop.Stats.Received} packets and heard {frames.Count} frames, the loudest at {frames.Select(f => ToneAmplitude(f, 440)).DefaultIfEmpty(0).Max():0.000} of 440 Hz");
        loop.Stats.Received.Should().BeGreaterThan(0);
    }

    /// <summary>Like FreeSWITCH's mod_opus for vanilla's fmtp: 48 kHz stereo, 30 kb/s, in-band FEC.</summary>
    private static IOpusEncoder VanillaLikeEncoder()
    {
        var e = OpusCodecFactory.CreateEncoder(48000, 2, OpusApplication.OPUS_APPLICATION_VOIP);
        e.Bitrate = 30000;
        e.UseInbandFEC = true;
        e.PacketLossPercent = 10;
        e.Complexity = 10;
        return e;
    }

    private static byte[] EncodeStereoTone(IOpusEncoder e, double hz, int frame)
    {
        const int n = 960;
        var pcm = new float[n * 2];
        for (int i = 0; i < n; i++)
        {
            pcm[2 * i] = pcm[(2 * i) + 1] = (float)(0.5 * Math.Sin(2 * Math.PI * hz * ((frame * n) + i) / 48000));
        }

        var buf = new byte[1275];
        int len = e.Encode(pcm, n, buf, buf.Length);
        return buf[..len];
    }

    // RFC 6716 §3.1: the top five bits of the TOC byte.
    private static int TocConfig(byte[] packet) => packet[0] >> 3;

    // The amplitude of the hz component (single-bin DFT).
    private static double ToneAmplitude(float[] x, double hz)
    {
        double re = 0, im = 0;
        for (int i = 0; i < x.Length; i++)
        {
            re += x[i] * Math.Cos(2 * Math.PI * hz * i / AudioCodec.PcmRate);
            im += x[i] * Math.Sin(2 * Math.PI * hz * i / AudioCodec.PcmRate);
        }

        return 2 * Math.Sqrt((re * re) + (im * im)) / x.Length;
    }
}
