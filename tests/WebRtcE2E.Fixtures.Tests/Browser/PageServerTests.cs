using System.Net;
using WebRtcE2E.Fixtures.Phones.Browser;

namespace WebRtcE2E.Fixtures.Tests.Browser;

[Category("Unit")]
[Category("Browser")]
public sealed class PageServerTests : TempDirectoryTest
{
    [Test]
    [CancelAfter(20_000)]
    public async Task Serves_the_files_of_its_folder_on_loopback_and_nothing_outside_it(CancellationToken ct)
    {
        File.WriteAllText(Path.Combine(Dir, "phone.html"), "<p>phone</p>");
        File.WriteAllText(Path.Combine(Dir, "phone.js"), "window.x = 1;");
        await using var server = PageServer.Start(Dir);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        server.BaseUri.Host.Should().Be("127.0.0.1");
        (await http.GetStringAsync(new Uri(server.BaseUri, "phone.html"), ct)).Should().Be("<p>phone</p>");
        using var js = await http.GetAsync(new Uri(server.BaseUri, "phone.js"), ct);
        js.Content.Headers.ContentType!.MediaType.Should().Be("text/javascript");
        using var missing = await http.GetAsync(new Uri(server.BaseUri, "nope.js"), ct);
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var escape = await http.GetAsync(new Uri(server.BaseUri, "%2e%2e/%2e%2e/etc/passwd"), ct);
        escape.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task Stops_listening_when_disposed(CancellationToken ct)
    {
        File.WriteAllText(Path.Combine(Dir, "phone.html"), "x");
        var server = PageServer.Start(Dir);
        var uri = server.BaseUri;
        await server.DisposeAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var act = () => http.GetStringAsync(uri, ct);
        await act.Should().ThrowAsync<HttpRequestException>();
    }
}
