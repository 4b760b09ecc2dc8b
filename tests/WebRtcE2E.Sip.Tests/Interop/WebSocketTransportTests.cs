using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using WebRtcE2E.Fixtures.Phones;
using WebRtcE2E.Fixtures.Phones.Native;
using WebRtcE2E.Sip.Parsing;
using WebRtcE2E.Sip.Transactions;
using WebRtcE2E.Sip.Transport;

namespace WebRtcE2E.Sip.Tests.Interop;

/// <summary>
/// SIP over WebSocket (RFC 7118) against an in-process loopback WebSocket server (plain and TLS) that requires
/// the "sip" subprotocol and answers REGISTER and OPTIONS with 200.
/// </summary>
[Category("Unit")]
[Category("Native")]
public class WebSocketTransportTests
{
    [TestCase(false)]
    [TestCase(true)]
    [CancelAfter(15000)]
    public async Task Phone_registers_over_ws_and_wss(bool secure, CancellationToken ct)
    {
        using var cert = LoopbackCertificate.Create("127.0.0.1");
        await using var server = new SipWebSocketServer(secure ? cert : null);
        await using var phone = await NativePhone.CreateAsync(
            new NativePhoneOptions
            {
                Transport = secure ? "wss" : "ws",
                WebSocketUri = new Uri($"{(secure ? "wss" : "ws")}://127.0.0.1:{server.Port}/"),
                Tls = secure ? new SipTlsOptions { PinnedSpkiSha256 = SipTlsOptions.SpkiSha256(cert) } : null,
            },
            ct);

        var result = await phone.RegisterAsync(new SipCredentials("1000", "pw", "example.test"), ct);
        await phone.UnregisterAsync(ct);

        result.Registered.Should().BeTrue(result.ToString());
        result.Status.Should().Be(200);
        var register = phone.SipTrace.First(t => t.Direction == TraceDirection.Sent && t.FirstLine.StartsWith("REGISTER", StringComparison.Ordinal));
        register.Transport.Should().Be(secure ? "wss" : "ws");
        register.Text.Should().Contain($"Via: SIP/2.0/{(secure ? "WSS" : "WS")} ").And.Contain(".invalid;transport=" + (secure ? "wss" : "ws"));
        server.Received.Should().Contain(m => m.StartsWith("REGISTER", StringComparison.Ordinal) && m.Contains("Expires: 0"));
    }

    [Test]
    [CancelAfter(15000)]
    public async Task Wss_with_a_certificate_that_is_not_pinned_is_refused(CancellationToken ct)
    {
        using var cert = LoopbackCertificate.Create("127.0.0.1");
        using var other = LoopbackCertificate.Create("127.0.0.1");
        await using var server = new SipWebSocketServer(cert);

        var act = () => NativePhone.CreateAsync(
            new NativePhoneOptions
            {
                Transport = "wss",
                WebSocketUri = new Uri($"wss://127.0.0.1:{server.Port}/"),
                Tls = new SipTlsOptions { TrustedCertificate = other },
            },
            ct);

        (await act.Should().ThrowAsync<SipTransportException>()).Which.Message.Should().Contain("is not the trusted certificate");
    }


    /// <summary>A minimal RFC 6455 server handshake, then SIP messages as text frames.</summary>
    private sealed class SipWebSocketServer : IAsyncDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stop = new();
        private readonly X509Certificate2? cert;
        private readonly Task loop;
        private readonly List<string> received = [];

        public SipWebSocketServer(X509Certificate2? cert)
        {
            this.cert = cert;
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            loop = Task.Run(AcceptAsync);
        }

        public int Port { get; }

        public IReadOnlyList<string> Received
        {
            get
            {
                lock (received)
                {
                    return received.ToList();
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            listener.Stop();
            await loop;
            stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            var sessions = new List<Task>();
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var client = await listener.AcceptTcpClientAsync(stop.Token);
                    sessions.Add(ServeAsync(client));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // How accepting ends when the test disposes the server; sessions are awaited below, so their
                // unexpected failures still surface.
            }

            await Task.WhenAll(sessions);
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var c = client;
            try
            {
                Stream stream = client.GetStream();
                if (cert is not null)
                {
                    var ssl = new SslStream(stream);
                    await ssl.AuthenticateAsServerAsync(cert, false, false);
                    stream = ssl;
                }

                var request = await ReadHeadAsync(stream);
                var key = Header(request, "Sec-WebSocket-Key");
                var protocols = Header(request, "Sec-WebSocket-Protocol") ?? "";
                if (key is null || !protocols.Split(',').Select(p => p.Trim()).Contains("sip"))
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), stop.Token);
                    return;
                }

                var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: sip\r\n\r\n"), stop.Token);
                using var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, SubProtocol = "sip" });
                var buf = new byte[65536];
                while (!stop.IsCancellationRequested)
                {
                    var r = await ws.ReceiveAsync(buf, stop.Token);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    var text = Encoding.UTF8.GetString(buf, 0, r.Count);
                    lock (received)
                    {
                        received.Add(text);
                    }

                    if (SipMessageParser.Parse(buf.AsSpan(0, r.Count)) is SipRequest req && req.Method != "ACK")
                    {
                        var ok = SipTransactionLayer.Response(req, 200, "OK", "srv");
                        if (req.Method == "REGISTER")
                        {
                            ok.Add("Contact", req["Contact"] + ";expires=" + req["Expires"]);
                        }

                        await ws.SendAsync(ok.ToBytes(), WebSocketMessageType.Text, true, stop.Token);
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or WebSocketException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
            {
                // How a session ends: the client closed, the server stopped, or the client refused the certificate
                // or the handshake (what the refusal tests ask for). The client's side is what the tests assert.
            }
        }

        private static string? Header(string head, string name) =>
            head.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => p[1].Trim()).FirstOrDefault();

        private async Task<string> ReadHeadAsync(Stream stream)
        {
            var sb = new StringBuilder();
            var one = new byte[1];
            while (!sb.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && sb.Length < 8192)
            {
                if (await stream.ReadAsync(one, stop.Token) == 0)
                {
                    break;
                }

                sb.Append((char)one[0]);
            }

            return sb.ToString();
        }
    }
}
