using System.Text.Json;
using System.Threading.Channels;
using WebRtcE2E.Fixtures.Media;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Browser;
using WebRtcE2E.Fixtures.Phones.Native;

namespace WebRtcE2E.Fixtures.Tests.Phones;

/// <summary>The core both phones stand on: options, the bounded wait, received digits, the page's typed events.</summary>
[Category("Unit")]
public sealed class PhoneCoreTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    [Test]
    public void Both_phones_options_share_the_core_and_keep_their_own_defaults()
    {
        PhoneOptions browser = new BrowserPhoneOptions();
        PhoneOptions native = new NativePhoneOptions();

        (browser.Name, browser.ConnectTimeout).Should().Be(("browser", TimeSpan.FromSeconds(10)));
        (native.Name, native.ConnectTimeout).Should().Be(("native", TimeSpan.FromSeconds(5)));
        foreach (var o in new[] { browser, native })
        {
            (o.ToneHz, o.ToneAmplitude, o.RegisterExpires, o.AnswerTimeout, o.EndTimeout).Should().Be((440.0, 0.5, 300, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10)));
        }

        new BrowserPhoneOptions { Name = "A" }.Name.Should().Be("A", "an initializer wins over the kind's default");
        new BrowserPhoneOptions().Stack.Should().Be(BrowserStack.JsSip);
    }

    [Test]
    public async Task A_bounded_wait_fails_at_its_bound_with_what_was_seen()
    {
        var never = new TaskCompletionSource<int>();
        var seen = "nothing yet";
        var wait = BoundedWait.ForAsync(never.Task, Short, () => $"waited for the answer; saw {seen}", CancellationToken.None);
        seen = "100 Trying";

        (await wait.Awaiting(w => w).Should().ThrowAsync<TimeoutException>()).Which.Message.Should().Be("waited for the answer; saw 100 Trying", "the message is built when the bound is reached");
        (await BoundedWait.ForAsync(Task.FromResult(7), Short, () => "unused", CancellationToken.None)).Should().Be(7);
    }

    [Test]
    public async Task A_bounded_wait_cancelled_by_the_caller_is_a_cancellation_not_a_timeout()
    {
        using var cts = new CancellationTokenSource();
        var wait = BoundedWait.ForAsync(new TaskCompletionSource().Task, Long, () => "unused", cts.Token);
        await cts.CancelAsync();

        await wait.Awaiting(w => w).Should().ThrowAsync<OperationCanceledException>();
    }

    [Test]
    public async Task A_channel_read_that_timed_out_does_not_take_the_next_item()
    {
        var channel = Channel.CreateUnbounded<string>();

        await FluentActions.Awaiting(() => BoundedWait.ForAsync(channel.Reader.ReadAsync, Short, () => "no call", CancellationToken.None))
            .Should().ThrowAsync<TimeoutException>().WithMessage("no call");
        channel.Writer.TryWrite("second call");

        (await BoundedWait.ForAsync(channel.Reader.ReadAsync, Long, () => "unused", CancellationToken.None)).Should().Be("second call");
    }

    [Test]
    public async Task Received_digits_wake_their_waiter_and_a_timeout_says_which_came()
    {
        var digits = new CallDigits();
        var two = digits.WaitAsync(2, Long, seen => seen, CancellationToken.None);
        digits.Add([new DtmfDigit('1', TimeSpan.Zero, TimeSpan.Zero)]);
        two.IsCompleted.Should().BeFalse("one digit of two");
        digits.Add([new DtmfDigit('#', TimeSpan.Zero, TimeSpan.Zero), new DtmfDigit('5', TimeSpan.Zero, TimeSpan.Zero)]);

        (await two).Should().Be("1#", "the first two, in order");
        digits.Text.Should().Be("1#5");
        await FluentActions.Awaiting(() => digits.WaitAsync(4, Short, seen => $"received \"{seen}\"", CancellationToken.None))
            .Should().ThrowAsync<TimeoutException>().WithMessage("received \"1#5\"");
    }

    [Test]
    public void The_page_events_are_read_as_typed_records()
    {
        var sip = PageJson.Read<PageEvent>("""{"kind":"sip","at":1764500000123.5,"dir":"received","url":"wss://127.0.0.1:7443","text":"SIP/2.0 200 OK\r\n"}""");
        var end = PageJson.Read<PageEvent>("""{"kind":"call","at":1764500000200,"id":"s1","event":"failed","originator":"remote","cause":"Busy","status":486,"reasonPhrase":"Busy Here","reasonHeader":null,"method":null}""");
        var stats = PageJson.Read<PageEvent>("""{"kind":"stats","at":1,"id":"s1","stats":{"codec":"opus","packetsReceived":70,"packetsSent":69,"packetsLost":0,"jitterMs":1.5,"iceState":"connected","dtlsState":"connected","candidatePair":null,"raw":"[]"}}""");

        (sip.Kind, sip.Dir, sip.Url, sip.When).Should().Be(("sip", "received", "wss://127.0.0.1:7443", DateTimeOffset.FromUnixTimeMilliseconds(1764500000123).AddTicks(5000)));
        (end.Event, end.Originator, end.Cause, end.Status, end.ReasonPhrase, end.ReasonHeader).Should().Be(("failed", "remote", "Busy", 486, "Busy Here", (string?)null));
        stats.Stats!.ToMediaStats().Should().BeEquivalentTo(new MediaStats { Codec = "opus", PacketsReceived = 70, PacketsSent = 69, JitterMs = 1.5, IceState = "connected", DtlsState = "connected", Raw = "[]" });
        FluentActions.Invoking(() => PageJson.Read<PageEvent>("""{"kind":"call","at":"yesterday"}""")).Should().Throw<JsonException>("a field of the wrong type is an unreadable event, kept as a page error");
    }
}
