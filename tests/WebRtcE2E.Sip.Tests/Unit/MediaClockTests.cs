using System.Collections.Concurrent;
using System.Diagnostics;
using WebRtcE2E.Sip.Media;

namespace WebRtcE2E.Sip.Tests.Unit;

[Category("Unit")]
public class MediaClockTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);

    [Test]
    [CancelAfter(20000)]
    public async Task Frames_keep_to_the_clock_over_many_ticks_without_drift(CancellationToken ct)
    {
        // 100 ticks (2 s). A timer that re-arms from its last wake-up drifts by its wake-up latency every tick
        // (about 1 ms on Linux, so 100 ms here); deadlines computed from the start do not drift at all.
        const int frames = 100;
        using var clock = new MediaClock(Tick, lanes: 1, slots: 1);
        var client = new RecordingClient(frames);
        using (clock.Register(client))
        {
            await client.Done.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        }

        var t = client.Frames.ToArray();
        t.Length.Should().BeGreaterThanOrEqualTo(frames);

        // Frame k (counting skipped ones) is due k ticks after frame 0. Its offset from that, less the smallest
        // offset seen (the best-timed frame), is its lateness: with drift it would grow frame by frame.
        double[] offset = t.Select(f => ((f.At - t[0].At) * 1000.0 / Stopwatch.Frequency) - ((f.Index - t[0].Index) * Tick.TotalMilliseconds)).ToArray();
        double[] error = offset.Select(o => o - offset.Min()).ToArray();
        var lastTen = error[^10..].Order().ToArray();
        lastTen[5].Should().BeLessThan(20, $"the median error of the last ten frames stays within a tick (no drift: a timer re-armed from its wake-ups would be about 100 ms behind here); errors: {string.Join(", ", error.Select(e => e.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}");
        clock.Stats.Ticks.Should().BeGreaterThanOrEqualTo(frames);
    }

    [Test]
    [CancelAfter(20000)]
    public async Task Every_client_gets_one_frame_per_tick_on_every_lane_and_slot(CancellationToken ct)
    {
        using var clock = new MediaClock(Tick, lanes: 2, slots: 4);
        var clients = Enumerable.Range(0, 16).Select(_ => new RecordingClient(25)).ToList();
        var registrations = clients.Select(clock.Register).ToList();
        clock.Clients.Should().Be(16);
        await Task.WhenAll(clients.Select(c => c.Done.Task)).WaitAsync(TimeSpan.FromSeconds(10), ct);
        registrations.ForEach(r => r.Dispose());
        clock.Clients.Should().Be(0);

        // Stopped: nothing ticks any more (given two ticks to finish a slot that was running).
        var counts = clients.Select(c => c.Frames.Count).ToArray();
        await Task.Delay(Tick * 3, ct); // the observation period of "no more ticks", not a synchronisation
        clients.Select(c => c.Frames.Count).Should().Equal(counts, "a removed client gets no more frames");

        // Each client's media time (frames run plus frames skipped) follows the same clock: registered within a
        // tick of each other, on any lane and slot, they end within two frames of each other, stalls or not.
        var mediaTime = clients.Select(c => c.Frames.Last().Index).ToArray();
        (mediaTime.Max() - mediaTime.Min()).Should().BeLessThanOrEqualTo(2, string.Join(", ", mediaTime));
        foreach (var c in clients)
        {
            var idx = c.Frames.Select(f => f.Index).ToArray();
            idx.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        }
    }

    [Test]
    [CancelAfter(20000)]
    public async Task A_failing_client_is_counted_and_does_not_stop_the_others(CancellationToken ct)
    {
        using var clock = new MediaClock(Tick, lanes: 1, slots: 1);
        var good = new RecordingClient(10);
        using var bad = clock.Register(new FailingClient());
        using var ok = clock.Register(good);
        await good.Done.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        clock.Stats.ClientErrors.Should().BeGreaterThanOrEqualTo(10);
        clock.Stats.LastError.Should().Be("broken client");
    }

    [Test]
    [CancelAfter(20000)]
    public async Task After_a_stall_the_missed_frames_are_skipped_not_burst(CancellationToken ct)
    {
        // One frame takes 150 ms (7.5 ticks): afterwards the clock runs one frame, telling the client how many it
        // skipped, instead of sending the 7 missed frames at once into the peer's socket.
        using var clock = new MediaClock(Tick, lanes: 1, slots: 1);
        var client = new RecordingClient(20) { StallAtFrame = 3, Stall = TimeSpan.FromMilliseconds(150) };
        using (clock.Register(client))
        {
            await client.Done.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        }

        // f[2] stalled (the third frame); f[3] is the first frame after it.
        var f = client.Frames.ToArray();
        f[3].Skipped.Should().BeInRange(5, 8, "150 ms is 7.5 ticks: the frame due runs, the older ones are skipped");
        double gapMs = (f[4].At - f[3].At) * 1000.0 / Stopwatch.Frequency;
        gapMs.Should().BeGreaterThan(2, "the next frame waits for its own deadline instead of following in a burst");
        clock.Stats.Skipped.Should().Be(f.Sum(x => (long)x.Skipped));
    }

    private sealed class RecordingClient(int wanted) : IMediaClockClient
    {
        private long index = -1;

        public ConcurrentQueue<(long Index, long At, int Skipped)> Frames { get; } = new();

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int StallAtFrame { get; init; } = -1;

        public TimeSpan Stall { get; init; }

        public void OnTick(int skipped)
        {
            index += 1 + skipped;
            Frames.Enqueue((index, Stopwatch.GetTimestamp(), skipped));
            if (Frames.Count == StallAtFrame)
            {
                Thread.Sleep(Stall); // the stall under test: this client holds the clock's thread
            }

            if (Frames.Count >= wanted)
            {
                Done.TrySetResult();
            }
        }
    }

    private sealed class FailingClient : IMediaClockClient
    {
        public void OnTick(int skipped) => throw new InvalidOperationException("broken client");
    }
}
