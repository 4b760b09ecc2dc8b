using System.Net;
using System.Net.Sockets;
using WebRtcE2E.Fixtures.EventSocket;

namespace WebRtcE2E.Fixtures.Tests.EventSocket;

/// <summary>The client against an in-process fake mod_event_socket on loopback (Unit: loopback needs nothing but the SDK).</summary>
[Category("Unit")]
public class EventSocketClientTests
{
    private static readonly string[] ChannelEvents = ["CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE"];

    private static readonly EventSocketOptions Fast = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(2),
        AuthTimeout = TimeSpan.FromSeconds(2),
        ApiTimeout = TimeSpan.FromSeconds(2),
        BackgroundJobTimeout = TimeSpan.FromSeconds(2),
        DisposeTimeout = TimeSpan.FromSeconds(1),
    };

    [Test]
    [CancelAfter(10000)]
    public async Task Replaying_the_tone_call_gives_status_events_and_the_hangup_record(CancellationToken ct)
    {
        await using var server = FakeEventSocketServer.Start(FakeEventSocketServer.Replay("esl-trunk-call-tone.txt"), ct);
        await using var client = await EventSocketClient.ConnectAsync("127.0.0.1", server.Port, "ClueCon", Fast, ct);

        var status = SofiaStatus.Parse(await client.ApiAsync("sofia status", ct));
        var external = SofiaProfileStatus.Parse(await client.ApiAsync("sofia status profile external", ct));
        await client.SubscribeAsync(ChannelEvents, ct);
        var ledger = CallLedger.Attach(client);
        var record = await ledger.WaitForHangupAsync("pl01qfk4vfu4tslafqi4", TimeSpan.FromSeconds(5), ct);
        await client.DisposeAsync();

        status.Profiles.Select(p => p.Name).Should().Equal("external", "internal");
        external.WssBindUrl.Should().Be("sips:mod_sofia@127.0.0.1:7444;transport=wss");
        (record.HangupCause, record.Q850, record.Disposition, record.Codec, record.RtpPacketsIn, record.RtpPacketsOut)
            .Should().Be(("NORMAL_CLEARING", 16, "send_bye", "opus", 174L, 177L));
        client.Events.Select(e => e.EventName).Should().Equal(ChannelEvents);
        client.Events.Should().OnlyContain(e => e.ReceivedAt != null);
        client.DisconnectNotice.Should().StartWith("Disconnected, goodbye.");
        client.IsConnected.Should().BeFalse();
        await server.Script;
        server.Connection!.Commands.Should().Equal(
            "auth ClueCon",
            "api sofia status",
            "api sofia status profile external",
            "event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE",
            "exit");
    }

    [Test]
    [CancelAfter(10000)]
    public async Task The_event_stream_yields_every_event_and_ends_after_the_disconnect_notice(CancellationToken ct)
    {
        await using var server = FakeEventSocketServer.Start(
            async (c, t) =>
            {
                var frames = await c.LogInFromCaptureAsync("esl-dtmf-rfc2833-and-info.txt", t);
                await c.ReadCommandAsync(t);
                await c.SendAsync(frames[4].Raw, t);

                // FreeSWITCH shutting down: events, then goodbye, without the client asking.
                foreach (var f in frames.Skip(5).Where(f => f.ContentType != "command/reply"))
                {
                    await c.SendAsync(f.Raw, t);
                }

                c.Close();
            },
            ct);
        await using var client = await EventSocketClient.ConnectAsync("127.0.0.1", server.Port, "ClueCon", Fast, ct);
        await client.SubscribeAsync(["CHANNEL_ANSWER", "DTMF"], ct);

        var names = new List<string>();
        await foreach (var e in client.ReadEventsAsync(ct))
        {
            names.Add(e.DtmfDigit ?? e.EventName);
        }

        names.Should().Equal("CHANNEL_ANSWER", "1", "2", "#", "3", "4");
        client.CloseReason.Should().StartWith("FreeSWITCH said goodbye (text/disconnect-notice: Disconnected, goodbye.)");
    }

    [Test]
    [CancelAfter(10000)]
    public async Task Bgapi_completes_with_the_body_of_its_BACKGROUND_JOB_while_other_events_interleave(CancellationToken ct)
    {
        const string result = "UP 0 years, 0 days, 0 hours, 1 minute\n\n7 session(s) since startup — ünïcode\n";
        await using var server = FakeEventSocketServer.Start(
            async (c, t) =>
            {
                var tone = await c.LogInFromCaptureAsync("esl-trunk-call-tone.txt", t);
                (await c.ReadCommandAsync(t)).Should().Be("event plain BACKGROUND_JOB");
                await c.SendFrameAsync("Content-Type: command/reply\nReply-Text: +OK event listener enabled plain", null, t);
                var bgapi = (await c.ReadCommandAsync(t)).Split('\n');
                bgapi[0].Should().Be("bgapi status");
                var jobUuid = bgapi[1]["Job-UUID: ".Length..];

                // An event of someone else's call arrives between the command and its reply.
                await c.SendAsync(tone[5].Raw, t);
                await c.SendFrameAsync($"Content-Type: command/reply\nReply-Text: +OK Job-UUID: {jobUuid}\nJob-UUID: {jobUuid}", null, t);
                await c.SendEventAsync("Event-Name: BACKGROUND_JOB\nJob-UUID: 00000000-0000-0000-0000-000000000000\nJob-Command: other", "not ours\n", t);
                await c.SendEventAsync($"Event-Name: BACKGROUND_JOB\nJob-UUID: {jobUuid}\nJob-Command: status", result, t);
                await c.ReadCommandAsync(t);
            },
            ct);
        await using var client = await EventSocketClient.ConnectAsync("127.0.0.1", server.Port, "ClueCon", Fast, ct);

        var output = await client.BackgroundApiAsync("status", ct: ct);

        output.Should().Be(result);
        client.Events.Select(e => e.EventName).Should().Equal("CHANNEL_CREATE", "BACKGROUND_JOB", "BACKGROUND_JOB");
    }

    [Test]
    [CancelAfter(10000)]
    public async Task A_reply_is_matched_to_its_command_even_with_events_in_between(CancellationToken ct)
    {
        await using var server = FakeEventSocketServer.Start(
            async (c, t) =>
            {
                var tone = await c.LogInFromCaptureAsync("esl-trunk-call-tone.txt", t);
                await c.ReadCommandAsync(t);
                await c.ReadCommandAsync(t);
                await c.SendAsync(tone[5].Raw, t);
                await c.SendFrameAsync("Content-Type: api/response", "first\n", t);
                await c.SendAsync(tone[6].Raw, t);
                await c.SendFrameAsync("Content-Type: api/response", "second\n", t);
                await c.ReadCommandAsync(t);
            },
            ct);
        await using var client = await EventSocketClient.ConnectAsync("127.0.0.1", server.Port, "ClueCon", Fast, ct);

        var first = client.ApiAsync("show one", ct);
        var second = client.ApiAsync("show two", ct);

        (await first).Should().Be("first\n");
        (await second).Should().Be("second\n");
        client.Events.Select(e => e.EventName).Should().Equal("CHANNEL_CREATE", "CHANNEL_ANSWER");
    }

    [Test]
    [CancelAfter(10000)]
    public async Task A_wrong_password_fails_with_the_reply_and_without_the_password(CancellationToken ct)
    {
        await using var server = FakeEventSocketServer.Start(
            async (c, t) =>
            {
                await c.LogInAsync("-ERR invalid", t);
                c.Close();
            },
            ct);

        var act = () => EventSocketClient.ConnectAsync("127.0.0.1", server.Port, "NotClueCon", Fast, ct);

        var ex = (await act.Should().ThrowAsync<EventSocketAuthException>()).Which;
        ex.Message.Should().Be($"the event socket at 127.0.0.1:{server.Port} refused the password: it answered '-ERR invalid' (the password is the 'password' param of event_socket.conf.xml; vanilla: ClueCon)");
        ex.Message.Should().NotContain("NotClueCon");
        await server.Script;
        server.Connection!.Commands.Should().Equal("auth NotClueCon");
    }

    [Test]
    [CancelAfter(10000)]
    public async Task An_ACL_rejection_says_the_ACL_refused_us(CancellationToken ct)
    {
        await using var server = FakeEventSocketServer.Start(
            async (c, t) =>
            {
                await c.SendFrameAsync("Content-Type: text/rude-rejection", "Access Denied, go away.\n", t);
                c.Close();
            },
            ct);

        var act = () => EventSocketClient.ConnectAsync("127.0.0.1", server.Port, "ClueCon", Fast, ct);

        (await act.Should().ThrowAsync<EventSocketRejectedException>()).Which.Message.Should().Be(
            $"the event socket at 127.0.0.1:{server.Port} refused this client by ACL before asking for a password (text/rude-rejection: \"Access Denied, go away.\"): mod_event_socket admits only sources in its apply-inbound-acl (built-in default loopback.auto); set listen-ip and an apply-inbound-acl that admits this host in event_socket.conf.xml");
    }

    [Test]
    [CancelAfter(10000)]
    public async Task A_server_closing_mid_reply_fails_the_pending_api_at_once_saying_what_was_pending(CancellationToken ct)
    {
        await using var server = FakeEventSocketServer.Start(
            async (c, t) =>
            {
                var tone = await c.LogInFromCaptureAsync("esl-trunk-call-tone.txt", t);
                await c.ReadCommandAsync(t);
                await c.SendAsync(tone[2].Raw[..120], t);
                c.Close();
            },
            ct);
        await using var client = await EventSocketClient.ConnectAsync("127.0.0.1", server.Port, "ClueCon", Fast with { ApiTimeout = TimeSpan.FromSeconds(30) }, ct);
        var ledger = CallLedger.Attach(client);
        var hangup = ledger.WaitForHangupAsync("pl01qfk4vfu4tslafqi4", TimeSpan.FromSeconds(30), ct);

        var act = () => client.ApiAsync("sofia status", ct);

        var message = (await act.Should().ThrowAsync<EventSocketClosedException>()).Which.Message;
        message.Should().StartWith($"api sofia status got no reply: the event socket at 127.0.0.1:{server.Port} closed (the connection closed in the middle of a frame: stream ended inside frame #2 at byte 82 (api/response): got 72 of its 644 body bytes (truncated body)) while waiting for: api sofia status (sent ");
        message.Should().Contain("last frames received: #0 auth/request, #1 command/reply '+OK accepted'; partly received: frame #2 (api/response) after 72 of 644 body bytes");
        await hangup.Awaiting(h => h).Should().ThrowAsync<EventSocketClosedException>().WithMessage("no CHANNEL_HANGUP_COMPLETE for Call-ID/Unique-ID pl01qfk4vfu4tslafqi4 within 30.0 s: no more events will come (the event socket at *closed: the connection closed in the middle of a frame*");
        client.IsConnected.Should().BeFalse();
    }

    [Test]
    [CancelAfter(10000)]
    public async Task A_disconnect_notice_while_an_api_is_pending_fails_it_with_the_notice(CancellationToken ct)
    {
        await using var server = FakeEventSocketServer.Start(
            async (c, t) =>
            {
                var tone = await c.LogInFromCaptureAsync("esl-trunk-call-tone.txt", t);
                await c.ReadCommandAsync(t);
                await c.SendAsync(tone[^1].Raw, t);
                c.Close();
            },
            ct);
        await using var client = await EventSocketClient.ConnectAsync("127.0.0.1", server.Port, "ClueCon", Fast with { ApiTimeout = TimeSpan.FromSeconds(30) }, ct);

        var act = () => client.ApiAsync("show calls", ct);

        await act.Should().ThrowAsync<EventSocketClosedException>()
            .WithMessage("api show calls got no reply: the event socket at * closed (FreeSWITCH said goodbye (text/disconnect-notice: Disconnected, goodbye.)) while waiting for: api show calls*#2 text/disconnect-notice (67 bytes)");
        var later = () => client.ApiAsync("show calls", ct);
        await later.Should().ThrowAsync<EventSocketClosedException>().WithMessage("cannot send api show calls: the event socket at * is closed (FreeSWITCH said goodbye*");
    }

    [Test]
    [CancelAfter(10000)]
    public async Task An_unanswered_api_times_out_and_its_late_reply_does_not_shift_the_next_one(CancellationToken ct)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = FakeEventSocketServer.Start(
            async (c, t) =>
            {
                await c.LogInAsync("+OK accepted", t);
                await c.ReadCommandAsync(t);
                await release.Task.WaitAsync(t);
                await c.SendFrameAsync("Content-Type: api/response", "late\n", t);
                await c.ReadCommandAsync(t);
                await c.SendFrameAsync("Content-Type: api/response", "next\n", t);
                await c.ReadCommandAsync(t);
            },
            ct);
        await using var client = await EventSocketClient.ConnectAsync("127.0.0.1", server.Port, "ClueCon", Fast with { ApiTimeout = TimeSpan.FromMilliseconds(300) }, ct);

        var slow = () => client.ApiAsync("originate user/1000 &park", ct);

        await slow.Should().ThrowAsync<TimeoutException>().WithMessage($"api originate user/1000 &park got no reply from the event socket at 127.0.0.1:{server.Port} within 0.3 s; last frames received: #0 auth/request, #1 command/reply '+OK accepted'");
        release.SetResult();
        (await client.ApiAsync("show calls", ct)).Should().Be("next\n");
    }

    [Test]
    [CancelAfter(10000)]
    public async Task Nothing_listening_is_reported_as_a_connection_failure(CancellationToken ct)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var act = () => EventSocketClient.ConnectAsync("127.0.0.1", port, "ClueCon", Fast, ct);

        await act.Should().ThrowAsync<EventSocketException>().WithMessage($"cannot connect to the event socket at 127.0.0.1:{port}: ConnectionRefused*is FreeSWITCH running with mod_event_socket listening there*");
    }

    [Test]
    [CancelAfter(10000)]
    public async Task A_server_that_never_asks_for_the_password_times_out_naming_the_stage(CancellationToken ct)
    {
        await using var server = FakeEventSocketServer.Start((c, t) => Task.Delay(Timeout.Infinite, t), ct);

        var act = () => EventSocketClient.ConnectAsync("127.0.0.1", server.Port, "ClueCon", Fast with { AuthTimeout = TimeSpan.FromMilliseconds(300) }, ct);

        await act.Should().ThrowAsync<TimeoutException>().WithMessage($"the event socket at 127.0.0.1:{server.Port} accepted the TCP connection but sent no auth/request within 0.3 s (AuthTimeout); last frames received: none");
    }

    [Test]
    [CancelAfter(10000)]
    public async Task Garbage_from_the_server_closes_the_connection_with_a_protocol_error(CancellationToken ct)
    {
        await using var server = FakeEventSocketServer.Start(
            async (c, t) =>
            {
                await c.LogInAsync("+OK accepted", t);
                await c.ReadCommandAsync(t);
                await c.SendAsync("HTTP/1.1 400 Bad Request\n\n"u8.ToArray(), t);
                await Task.Delay(Timeout.Infinite, t);
            },
            ct);
        await using var client = await EventSocketClient.ConnectAsync("127.0.0.1", server.Port, "ClueCon", Fast with { ApiTimeout = TimeSpan.FromSeconds(30) }, ct);

        var act = () => client.ApiAsync("status", ct);

        (await act.Should().ThrowAsync<EventSocketClosedException>()).Which.Message.Should()
            .Contain("FreeSWITCH sent bytes that are not event socket framing: event socket frame #2 at byte 82: header line 1 \"HTTP/1.1 400 Bad Request\" has no ':' (expected \"Name: value\")");
    }

    [Test]
    [CancelAfter(10000)]
    public async Task Tls_records_in_the_event_socket_are_named_as_sofia_writing_to_a_reused_descriptor(CancellationToken ct)
    {
        // Seen in a parallel suite run against FreeSWITCH 1.10.12: a TLS application-data record (0x17 0x03 0x03)
        // of a wss connection arrived in the middle of the event socket's stream, before a frame's headers.
        byte[] tlsThenFrame = [0x17, 0x03, 0x03, 0x00, 0x13, 0x32, 0x4d, 0x70, 0x6f, 0x48, 0x0b, 0x10, .. "Content-Length: 12\n\n"u8.ToArray()];
        await using var server = FakeEventSocketServer.Start(
            async (c, t) =>
            {
                await c.LogInAsync("+OK accepted", t);
                await c.ReadCommandAsync(t);
                await c.SendAsync(tlsThenFrame, t);
                await Task.Delay(Timeout.Infinite, t);
            },
            ct);
        await using var client = await EventSocketClient.ConnectAsync("127.0.0.1", server.Port, "ClueCon", Fast with { ApiTimeout = TimeSpan.FromSeconds(30) }, ct);

        var act = () => client.ApiAsync("status", ct);

        (await act.Should().ThrowAsync<EventSocketClosedException>()).Which.Message.Should()
            .Contain("FreeSWITCH sent bytes that are not event socket framing").And
            .Contain("these are TLS records").And.Contain("freeswitch/sofia-sip#131");
        EslConnection.TlsRecordHint("header line 1 \"HTTP/1.1 400 Bad Request\"").Should().BeEmpty("other garbage is not called TLS");
    }

    [Test]
    [CancelAfter(10000)]
    public async Task A_password_with_a_line_break_is_refused_before_anything_is_sent(CancellationToken ct)
    {
        var act = () => EventSocketClient.ConnectAsync("127.0.0.1", 8021, "Clue\nCon", Fast, ct);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("an event socket password cannot contain a line break*");
    }
}
