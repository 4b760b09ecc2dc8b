using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WebRtcE2E.Fixtures.Tests.EventSocket;

/// <summary>
/// A stand-in for mod_event_socket on 127.0.0.1: accepts one connection and runs a script against it (replay a
/// capture's server side, answer wrong, close mid-frame). Stops its listener, connection and script on dispose.
/// </summary>
public sealed class FakeEventSocketServer : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop;
    private readonly Task script;

    private FakeEventSocketServer(Func<FakeConnection, CancellationToken, Task> run, CancellationToken ct)
    {
        stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        script = Task.Run(
            async () =>
            {
                using var tcp = await listener.AcceptTcpClientAsync(stop.Token);
                var connection = new FakeConnection(tcp);
                Connection = connection;
                await run(connection, stop.Token);
            },
            CancellationToken.None);
    }

    /// <summary>The port to connect to on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The accepted connection, once there is one.</summary>
    public FakeConnection? Connection { get; private set; }

    /// <summary>The script's task (faults if the script failed an expectation).</summary>
    public Task Script => script;

    /// <summary>Starts a server running <paramref name="run"/> on its first connection.</summary>
    public static FakeEventSocketServer Start(Func<FakeConnection, CancellationToken, Task> run, CancellationToken ct) => new(run, ct);

    /// <summary>
    /// A script that replays a capture's server side: reply frames wait for one command each (replies come in
    /// command order), everything else is sent as it comes; the connection closes after the last frame.
    /// </summary>
    public static Func<FakeConnection, CancellationToken, Task> Replay(string capture) => async (c, ct) =>
    {
        foreach (var (type, raw) in Captures.RawFrames(capture))
        {
            if (type is "command/reply" or "api/response")
            {
                await c.ReadCommandAsync(ct);
            }

            await c.SendAsync(raw, ct);
        }

        c.Close();
    };

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        Connection?.Close();
        try
        {
            await script;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The script stopped because the test is over (cancelled, or the client's socket closed under it);
            // an assertion or any other failure of the script still propagates.
        }

        stop.Dispose();
    }
}

/// <summary>The server side of one fake event socket connection.</summary>
public sealed class FakeConnection(TcpClient tcp)
{
    private readonly NetworkStream stream = tcp.GetStream();
    private readonly List<byte> pending = [];
    private readonly List<string> commands = [];

    /// <summary>Every command the client sent, without its terminating blank line.</summary>
    public IReadOnlyList<string> Commands
    {
        get
        {
            lock (commands)
            {
                return commands.ToArray();
            }
        }
    }

    /// <summary>Reads one command (up to the blank line that ends it).</summary>
    public async Task<string> ReadCommandAsync(CancellationToken ct)
    {
        var buffer = new byte[4096];
        while (true)
        {
            int end = IndexOfBlankLine();
            if (end >= 0)
            {
                var text = Encoding.UTF8.GetString(pending.GetRange(0, end).ToArray());
                pending.RemoveRange(0, end + 2);
                lock (commands)
                {
                    commands.Add(text);
                }

                return text;
            }

            int n = await stream.ReadAsync(buffer, ct);
            if (n == 0)
            {
                throw new EndOfStreamException($"the client closed the connection; commands so far: {string.Join(" | ", Commands)}");
            }

            pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>Sends raw bytes.</summary>
    public async Task SendAsync(byte[] bytes, CancellationToken ct) => await stream.WriteAsync(bytes, ct);

    /// <summary>A log-in: asks for the password, reads the client's auth command and answers <paramref name="reply"/>.</summary>
    public async Task LogInAsync(string reply, CancellationToken ct)
    {
        await SendFrameAsync("Content-Type: auth/request", null, ct);
        await ReadCommandAsync(ct);
        await SendFrameAsync($"Content-Type: command/reply\nReply-Text: {reply}", null, ct);
    }

    /// <summary>
    /// The log-in of a capture: sends its first frame (auth/request), reads the client's auth command and sends the
    /// capture's second frame (the reply accepting it), as FreeSWITCH did in that capture.
    /// </summary>
    /// <returns>All frames of the capture, for the script to go on with.</returns>
    public async Task<IReadOnlyList<(string ContentType, byte[] Raw)>> LogInFromCaptureAsync(string capture, CancellationToken ct)
    {
        var frames = Captures.RawFrames(capture);
        await SendAsync(frames[0].Raw, ct);
        await ReadCommandAsync(ct);
        await SendAsync(frames[1].Raw, ct);
        return frames;
    }

    /// <summary>Sends a frame: the header lines, then the body with its Content-Length if there is one.</summary>
    public Task SendFrameAsync(string headers, string? body, CancellationToken ct)
    {
        var text = body is null
            ? $"{headers}\n\n"
            : $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\n{headers}\n\n{body}";
        return SendAsync(Encoding.UTF8.GetBytes(text), ct);
    }

    /// <summary>Sends an event in plain format, serialised the way switch_event_serialize does (values percent-encoded by the caller, body after an inner Content-Length).</summary>
    public Task SendEventAsync(string plainHeaders, string? eventBody, CancellationToken ct)
    {
        var inner = eventBody is null
            ? $"{plainHeaders}\n\n"
            : $"{plainHeaders}\nContent-Length: {Encoding.UTF8.GetByteCount(eventBody)}\n\n{eventBody}";
        return SendFrameAsync("Content-Type: text/event-plain", inner, ct);
    }

    /// <summary>Closes the connection.</summary>
    public void Close() => tcp.Close();

    private int IndexOfBlankLine()
    {
        for (int i = 0; i + 1 < pending.Count; i++)
        {
            if (pending[i] == '\n' && pending[i + 1] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
