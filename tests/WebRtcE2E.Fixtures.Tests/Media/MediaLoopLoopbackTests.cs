using System.Net;
using System.Net.Sockets;
using WebRtcE2E.Fixtures.Media;
using WebRtcE2E.Sip.Media;
using WebRtcE2E.Sip.Sdp;

namespace WebRtcE2E.Fixtures.Tests.Media;

/// <summary>
/// Two media loops on loopback, the caller's packets through a relay that drops a known share: the receiver's
/// loss figure and its meter's verdict must say exactly what was done to the stream.
/// </summary>
[Category("Unit")]
public class MediaLoopLoopbackTests
{
    private const double Tone = 440;
    private static readonly SdpFormat Pcmu = new(0, "PCMU", 8000);

    [TestCase(0, true)]
    [TestCase(10, true)]
    [TestCase(100, false)]
    [CancelAfter(20000)]
    public async Task The_receivers_loss_and_verdict_match_the_injected_loss(int dropEveryTenth, bool heard, CancellationToken ct)
    {
        // dropEveryTenth: 0 = none, 10 = one packet in ten, 100 = all.
        using var clock = new MediaClock(TimeSpan.FromMilliseconds(20), lanes: 1);
        var meter = new AudioMeter(AudioCodec.PcmRate, [Tone]);
        var frames = 0;
        await using var sender = new MediaLoop(IPAddress.Loopback, _ => { }, Tone, 0.5, clock);
        await using var receiver = new MediaLoop(IPAddress.Loopback, f => { meter.Add(f); Interlocked.Increment(ref frames); }, 1000, 0.5, clock);
        await using var relay = new DroppingRelay(receiver.LocalEndPoint, dropEveryTenth);

        sender.Apply(new NegotiatedMedia(Pcmu, null, "127.0.0.1", relay.Port, MediaDirection.SendOnly));
        receiver.Apply(new NegotiatedMedia(Pcmu, null, "127.0.0.1", sender.LocalEndPoint.Port, MediaDirection.RecvOnly));
        receiver.Start();
        sender.Start();
        await relay.WaitForwardedOrDroppedAsync(50, TimeSpan.FromSeconds(10), ct);
        var from = meter.Read();
        await relay.WaitForwardedOrDroppedAsync(150, TimeSpan.FromSeconds(10), ct);
        var window = meter.Read().Since(from);

        window.Heard(Tone).Should().Be(heard, window.Describe(Tone));
        if (dropEveryTenth == 100)
        {
            receiver.Stats.Received.Should().Be(0);
            window.SilentShare.Should().Be(1, "nothing arrived: the receiver's frames are silence, one per tick");
            window.Frames.Should().BeGreaterThan(80, "a silent call still gets a frame per 20 ms");
            return;
        }

        double expectedLoss = dropEveryTenth == 10 ? 0.1 : 0;
        double loss = (double)receiver.Stats.Lost / receiver.Stats.Expected;
        loss.Should().BeApproximately(expectedLoss, 0.02, $"{receiver.Stats.Lost} lost of {receiver.Stats.Expected}");

        // A lost frame is a silent frame: the tone's power falls by the share lost (10 · log10(0.9) = -0.46 dB);
        // the tolerance leaves room for a scheduling stall of this busy machine (a frame or two of silence more).
        window.ToneDbfs(Tone).Should().BeApproximately(-9.03 + (10 * Math.Log10(1 - expectedLoss)), 1.5, window.Describe(Tone));
    }

    /// <summary>Forwards datagrams to one address, dropping every tenth (or all) of them, counting both.</summary>
    private sealed class DroppingRelay : IAsyncDisposable
    {
        private readonly List<(long Count, TaskCompletionSource Done)> waiters = [];
        private readonly Socket socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;
        private long seen;

        public DroppingRelay(IPEndPoint to, int dropEveryTenth)
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            loop = Task.Run(async () =>
            {
                var buf = new byte[2048];
                var from = new SocketAddress(AddressFamily.InterNetwork);
                var target = to.Serialize();
                while (!stop.IsCancellationRequested)
                {
                    int n;
                    try
                    {
                        n = await socket.ReceiveFromAsync(buf, SocketFlags.None, from, stop.Token);
                    }
                    catch (Exception) when (stop.IsCancellationRequested)
                    {
                        return;
                    }

                    long i = Interlocked.Increment(ref seen);
                    lock (waiters)
                    {
                        waiters.RemoveAll(w => w.Count <= i && w.Done.TrySetResult());
                    }

                    bool drop = dropEveryTenth == 100 || (dropEveryTenth == 10 && i % 10 == 0);
                    if (!drop)
                    {
                        socket.SendTo(buf.AsSpan(0, n), SocketFlags.None, target);
                    }
                }
            });
        }

        public int Port { get; }

        public async Task WaitForwardedOrDroppedAsync(long count, TimeSpan timeout, CancellationToken ct)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (waiters)
            {
                if (Interlocked.Read(ref seen) >= count)
                {
                    return;
                }

                waiters.Add((count, done));
            }

            try
            {
                await done.Task.WaitAsync(timeout, ct);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"the relay saw {Interlocked.Read(ref seen)} packets in {timeout.TotalSeconds:0} s, expected {count}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            socket.Dispose();
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }

            stop.Dispose();
        }
    }
}
