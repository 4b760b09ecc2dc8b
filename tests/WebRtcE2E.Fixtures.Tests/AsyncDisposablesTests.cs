namespace WebRtcE2E.Fixtures.Tests;

/// <summary>"Dispose all, collect errors": nothing is leaked because an earlier item failed, and no failure is lost.</summary>
[Category("Unit")]
public sealed class AsyncDisposablesTests
{
    [Test]
    public async Task Every_item_is_disposed_in_order_and_every_failure_is_thrown_together()
    {
        var order = new List<string>();
        var items = new IAsyncDisposable[]
        {
            new Recorder("a", order, fails: true),
            new Recorder("b", order, fails: false),
            new Recorder("c", order, fails: true),
        };

        var dispose = () => AsyncDisposables.DisposeAllAsync(items, "releasing the test's parts failed");

        var thrown = (await dispose.Should().ThrowAsync<AggregateException>().WithMessage("releasing the test's parts failed*")).Which;
        thrown.InnerExceptions.Select(e => e.Message).Should().Equal("a failed", "c failed");
        order.Should().Equal("a", "b", "c");
    }

    [Test]
    public async Task Nothing_is_thrown_when_every_item_disposes()
    {
        var order = new List<string>();

        await AsyncDisposables.DisposeAllAsync([new Recorder("a", order, fails: false), new Recorder("b", order, fails: false)], "unused");

        order.Should().Equal("a", "b");
    }

    private sealed class Recorder(string name, List<string> order, bool fails) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            order.Add(name);
            return fails ? ValueTask.FromException(new InvalidOperationException($"{name} failed")) : ValueTask.CompletedTask;
        }
    }
}
