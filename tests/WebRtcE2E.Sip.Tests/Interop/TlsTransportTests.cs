using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WebRtcE2E.Sip.Parsing;
using WebRtcE2E.Sip.Transactions;
using WebRtcE2E.Sip.Transport;
using WebRtcE2E.Sip.UserAgent;

namespace WebRtcE2E.Sip.Tests.Interop;

/// <summary>SIP over TLS against an in-process loopback TLS server with a self-signed certificate.</summary>
[Category("Unit")]
[Category("Native")]
public class TlsTransportTests
{
    [Test]
    [CancelAfter(15000)]
    public async Task Options_round_trip_over_tls_with_a_pinned_spki(CancellationToken ct)
    {
        using var cert = LoopbackCertificate.Create("localhost", "localhost");
        await using var server = new OptionsOverTlsServer(cert);
        await using var transport = StreamSipTransport.Tls(IPAddress.Loopback, new SipTlsOptions { PinnedSpkiSha256 = SipTlsOptions.SpkiSha256(cert), ServerName = "localhost" });
        await using var ua = new SipUserAgent(transport, new SipUserAgentOptions { LocalAddress = IPAddress.Loopback, OutboundProxy = server.EndPoint });

        var target = SipUri.Parse($"sip:server@127.0.0.1:{server.EndPoint.Port};transport=tls");
        var (resp, _, _) = await ua.SendWithAuthAsync(n => ua.NewRequest("OPTIONS", target, $"<sip:native@127.0.0.1>;tag={SipUserAgent.NewTag()}", $"<{target}>", Guid.NewGuid().ToString("N"), n), 1, server.EndPoint, null, ct: ct);

        resp.Status.Should().Be(200);
        resp["Server"].Should().Be("in-process-tls");
    }

    [Test]
    [CancelAfter(15000)]
    public async Task Unpinned_certificate_is_refused_with_a_clear_message(CancellationToken ct)
    {
        using var cert = LoopbackCertificate.Create("localhost", "localhost");
        await using var server = new OptionsOverTlsServer(cert);
        await using var transport = StreamSipTransport.Tls(IPAddress.Loopback, new SipTlsOptions { PinnedSpkiSha256 = Convert.ToBase64String(new byte[32]), ServerName = "localhost" });

        var act = () => transport.ConnectAsync(server.EndPoint, ct);

        (await act.Should().ThrowAsync<SipTransportException>()).Which.Message.Should().Contain("not the pinned");
    }


    /// <summary>Accepts TLS connections and answers each framed request with 200 OK.</summary>
    private sealed class OptionsOverTlsServer : IAsyncDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stop = new();
        private readonly List<Task> sessions = [];
        private readonly Task loop;

        public OptionsOverTlsServer(X509Certificate2 cert)
        {
            listener.Start();
            EndPoint = (IPEndPoint)listener.LocalEndpoint;
            loop = Task.Run(async () =>
            {
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var client = await listener.AcceptTcpClientAsync(stop.Token);
                        lock (sessions)
                        {
                            sessions.Add(ServeAsync(client, cert));
                        }
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    // How accepting ends when the test disposes the server: stop cancels, Stop closes the socket.
                }
            });
        }

        public IPEndPoint EndPoint { get; }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            listener.Stop();
            await loop;

            // A session that failed otherwise (a message the server could not parse …) fails the test here
            // instead of vanishing with a fire-and-forget task.
            Task[] all;
            lock (sessions)
            {
                all = [.. sessions];
            }

            await Task.WhenAll(all);
            stop.Dispose();
        }

        private async Task ServeAsync(TcpClient client, X509Certificate2 cert)
        {
            using var c = client;
            try
            {
                await using var ssl = new SslStream(client.GetStream());
                await ssl.AuthenticateAsServerAsync(cert, false, false);
                var framer = new SipStreamFramer();
                var buf = new byte[4096];
                while (!stop.IsCancellationRequested)
                {
                    int n = await ssl.ReadAsync(buf, stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    framer.Append(buf.AsSpan(0, n));
                    while (framer.TryTake() is { } bytes)
                    {
                        var req = (SipRequest)SipMessageParser.Parse(bytes);
                        var ok = SipTransactionLayer.Response(req, 200, "OK", "srv");
                        ok.Add("Server", "in-process-tls");
                        await ssl.WriteAsync(ok.ToBytes(), stop.Token);
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
            {
                // How a session ends: the client closed, the server stopped, or the client refused the certificate
                // (what the untrusted-certificate test asks for). The client's side is what the tests assert.
            }
        }
    }
}
