using WebRtcE2E.Fixtures.EventSocket;

namespace WebRtcE2E.Fixtures.Tests.EventSocket;

[Category("Unit")]
public class CallLedgerTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    /// <summary>The ledger of a captured event socket session.</summary>
    private static CallLedger Ledger(string capture) => CallLedger.From(Captures.Events(capture));

    /// <summary>The hangup record of <paramref name="callId"/> in a captured session.</summary>
    private static Task<HangupRecord> HangupAsync(string capture, string callId, CancellationToken ct) =>
        Ledger(capture).WaitForHangupAsync(callId, Short, ct);

    [Test]
    [CancelAfter(5000)]
    public async Task The_tone_call_ends_normal_clearing_with_opus_and_its_RTP_counters(CancellationToken ct)
    {
        var record = await HangupAsync("esl-trunk-call-tone.txt", "pl01qfk4vfu4tslafqi4", ct);

        record.HangupCause.Should().Be("NORMAL_CLEARING");
        record.Cause.Should().Be(HangupCause.NormalClearing);
        record.Q850.Should().Be(16);
        record.Disposition.Should().Be("send_bye");
        record.Codec.Should().Be("opus");
        record.RtpPacketsIn.Should().Be(174);
        record.RtpPacketsOut.Should().Be(177);
        record.Mos.Should().Be(4.5);
        record.UniqueId.Should().Be("90cb7698-6702-4e6c-902e-2518e2c6c0c3");
        record.CallId.Should().Be("pl01qfk4vfu4tslafqi4");
        record.Direction.Should().Be("inbound");
        record.Profile.Should().Be("external");
        record.DestinationNumber.Should().Be("07010002000");
        record.ViaProtocol.Should().Be("wss");
        record.SipTermStatus.Should().BeNull("FreeSWITCH sent the BYE itself; sip_term_status is not in the capture");
        record.WasAnswered.Should().BeTrue();
        record.Talked!.Value.TotalSeconds.Should().BeApproximately(3.50, 0.01, "answered at …317.106831, hung up at …320.607198");
        record.Describe().Should().StartWith("NORMAL_CLEARING (q850 16), send_bye; inbound wss call to 07010002000 on external");
    }

    [Test]
    [CancelAfter(5000)]
    public async Task The_hangup_is_found_by_Unique_ID_as_well(CancellationToken ct)
    {
        var ledger = Ledger("esl-trunk-call-tone.txt");

        var record = await ledger.WaitForHangupAsync("90cb7698-6702-4e6c-902e-2518e2c6c0c3", Short, ct);

        record.CallId.Should().Be("pl01qfk4vfu4tslafqi4");
        ledger.ChannelEvents("pl01qfk4vfu4tslafqi4").Select(e => e.EventName)
            .Should().Equal("CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE");
    }

    [Test]
    [CancelAfter(5000)]
    public async Task The_busy_call_is_refused_user_busy_and_never_answered(CancellationToken ct)
    {
        var record = await HangupAsync("esl-echo-and-busy.txt", "r1qbque4kkon061ab9q3", ct);

        record.Cause.Should().Be(HangupCause.UserBusy);
        record.Q850.Should().Be(17);
        record.Disposition.Should().Be("send_refuse");
        record.DestinationNumber.Should().Be("07010002486");
        record.WasAnswered.Should().BeFalse();
    }

    [Test]
    [CancelAfter(5000)]
    public async Task The_media_timeout_call_ends_MEDIA_TIMEOUT_with_q850_16_and_no_RTP(CancellationToken ct)
    {
        var record = await HangupAsync("esl-udp-blocked-media-timeout.txt", "7umv2krliuocj3nbenje", ct);

        record.HangupCause.Should().Be("MEDIA_TIMEOUT");
        record.Cause.Should().Be(HangupCause.MediaTimeout);
        ((int)record.Cause!.Value).Should().Be(804);
        record.Cause.Value.ToQ850().Should().Be(16);
        record.Q850.Should().Be(16);
        record.Disposition.Should().Be("send_bye");
        record.RtpPacketsIn.Should().Be(0);
        record.RtpPacketsOut.Should().Be(0);
        record.DestinationNumber.Should().Be("07010002003");
    }

    [Test]
    [CancelAfter(5000)]
    public async Task The_native_UDP_call_ends_normal_clearing_with_PCMA(CancellationToken ct)
    {
        var record = await HangupAsync("esl-native-udp-call.txt", "1-26743@127.0.0.1", ct);

        record.Cause.Should().Be(HangupCause.NormalClearing);
        record.Codec.Should().Be("PCMA");
        record.ViaProtocol.Should().Be("udp");
        record.RtpPacketsIn.Should().Be(116);
        record.RtpPacketsOut.Should().Be(100);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task An_outbound_channel_is_joined_to_its_Call_ID_learned_after_CHANNEL_CREATE(CancellationToken ct)
    {
        var ledger = Ledger("esl-register-and-originate.txt");

        var record = await ledger.WaitForHangupAsync("6c15677b-65b7-1240-4b96-5e0fe76043a9", Short, ct);

        record.Direction.Should().Be("outbound");
        record.Profile.Should().Be("internal");
        record.Q850.Should().Be(16);
        ledger.ChannelEvents("6c15677b-65b7-1240-4b96-5e0fe76043a9").Select(e => e.EventName)
            .Should().Equal("CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE");
        ledger.ChannelEvents("6c15677b-65b7-1240-4b96-5e0fe76043a9")[0].CallId.Should().BeNull("an outbound CHANNEL_CREATE has no sip_call_id yet");
    }

    [Test]
    [CancelAfter(5000)]
    public async Task DTMF_digits_come_in_order_with_their_source(CancellationToken ct)
    {
        var ledger = Ledger("esl-dtmf-rfc2833-and-info.txt");

        var digits = await ledger.WaitForDtmfAsync("v3m96uumot0peagv9ij8", 5, Short, ct);

        digits.Select(d => d.Digit).Should().Equal('1', '2', '#', '3', '4');
        digits.Select(d => d.Source).Should().Equal("RTP", "RTP", "RTP", "ENDPOINT", "ENDPOINT");
        // DTMF-Duration 4800 and 800 samples at 8 kHz.
        digits.Select(d => d.Duration).Should().Equal(TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
        digits.Select(d => d.At).Should().BeInAscendingOrder();
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Waiting_for_more_DTMF_than_came_fails_with_the_digits_seen(CancellationToken ct)
    {
        var ledger = Ledger("esl-dtmf-rfc2833-and-info.txt");

        var act = () => ledger.WaitForDtmfAsync("v3m96uumot0peagv9ij8", 6, Short, ct);

        await act.Should().ThrowAsync<TimeoutException>().WithMessage("expected 6 DTMF digits for Call-ID/Unique-ID v3m96uumot0peagv9ij8 within 0.2 s, got \"12#34\"*");
    }

    [Test]
    [CancelAfter(5000)]
    public async Task A_call_whose_media_is_blocked_times_out_listing_what_was_seen(CancellationToken ct)
    {
        var ledger = Ledger("esl-udp-blocked.txt");

        var act = () => ledger.WaitForHangupAsync("nnk3953vncghfafleng5", Short, ct);

        (await act.Should().ThrowAsync<TimeoutException>()).Which.Message.Should().StartWith(
            "no CHANNEL_HANGUP_COMPLETE for Call-ID/Unique-ID nnk3953vncghfafleng5 within 0.2 s; seen for it: CHANNEL_CREATE uuid 6d7e56ef-f31a-4e61-9005-248102c318da Call-ID nnk3953vncghfafleng5 dest 07010002001 at 09:00:15.626; no other calls");
    }

    [Test]
    [CancelAfter(5000)]
    public async Task The_timeout_message_names_the_other_calls_and_how_they_ended(CancellationToken ct)
    {
        var ledger = Ledger("esl-echo-and-busy.txt");

        var act = () => ledger.WaitForHangupAsync("cghilelv9u3g6lsdq5m8", Short, ct);

        var message = (await act.Should().ThrowAsync<TimeoutException>()).Which.Message;
        message.Should().Contain("seen for it: CHANNEL_CREATE uuid bf204918-5796-42ac-9fef-f506b2ab8827 Call-ID cghilelv9u3g6lsdq5m8 dest 07010002001 at 08:59:08.806, CHANNEL_ANSWER");
        message.Should().Contain("other calls: uuid a8aaf895-dcfa-4fe1-8e63-19aa0da89b78 (Call-ID r1qbque4kkon061ab9q3, dest 07010002486): CHANNEL_CREATE, CHANNEL_HANGUP, CHANNEL_HANGUP_COMPLETE USER_BUSY");
        message.Should().EndWith("5 events in total (0 not about a channel)");
    }

    [Test]
    [CancelAfter(5000)]
    public async Task A_hangup_that_arrives_later_completes_the_wait(CancellationToken ct)
    {
        var events = Captures.Events("esl-trunk-call-tone.txt");
        var ledger = CallLedger.From(events.Take(3));

        var wait = ledger.WaitForHangupAsync("pl01qfk4vfu4tslafqi4", TimeSpan.FromSeconds(4), ct);
        wait.IsCompleted.Should().BeFalse();
        ledger.Observe(events[3]);

        (await wait).RtpPacketsIn.Should().Be(174);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task A_ledger_whose_source_closed_fails_pending_and_new_waits_at_once(CancellationToken ct)
    {
        var ledger = Ledger("esl-udp-blocked.txt");
        var pending = ledger.WaitForHangupAsync("nnk3953vncghfafleng5", TimeSpan.FromSeconds(30), ct);

        ledger.Complete(new EventSocketClosedException("FreeSWITCH closed the connection"));

        (await pending.Awaiting(t => t).Should().ThrowAsync<EventSocketClosedException>())
            .WithMessage("no CHANNEL_HANGUP_COMPLETE for Call-ID/Unique-ID nnk3953vncghfafleng5 within 30.0 s: no more events will come (FreeSWITCH closed the connection); seen for it: CHANNEL_CREATE*");
        var later = () => ledger.WaitForHangupAsync("nnk3953vncghfafleng5", TimeSpan.FromSeconds(30), ct);
        await later.Should().ThrowAsync<EventSocketClosedException>();
    }

    [Test]
    [CancelAfter(5000)]
    public async Task An_empty_ledger_says_it_saw_nothing_and_suggests_the_subscription(CancellationToken ct)
    {
        var ledger = new CallLedger();

        var act = () => ledger.WaitForHangupAsync("x", Short, ct);

        await act.Should().ThrowAsync<TimeoutException>().WithMessage("*seen: no events at all (is the event socket subscribed*");
    }

    [Test]
    [CancelAfter(5000)]
    public async Task A_registration_and_its_end_are_seen_as_sofia_events(CancellationToken ct)
    {
        var ledger = Ledger("esl-register-and-originate.txt");

        var register = await ledger.WaitForSofiaEventAsync("1000", timeout: Short, ct: ct);
        var unregister = await ledger.WaitForSofiaEventAsync("1000", "sofia::unregister", Short, ct);

        register["status"].Should().Be("Registered(WSS-NAT)");
        register["profile-name"].Should().Be("internal");
        unregister["reason"].Should().Be("socket-disconnection");
        var other = () => ledger.WaitForSofiaEventAsync("1001", timeout: Short, ct: ct);
        await other.Should().ThrowAsync<TimeoutException>().WithMessage("no CUSTOM sofia::register for user 1001 within 0.2 s; channels: *");
    }

    [Test]
    public void Hangups_lists_every_ended_channel()
    {
        var ledger = Ledger("esl-echo-and-busy.txt");

        ledger.Hangups.Should().ContainSingle().Which.CallId.Should().Be("r1qbque4kkon061ab9q3");
        ledger.FindHangup("cghilelv9u3g6lsdq5m8").Should().BeNull();
    }

    [Test]
    public void A_hangup_record_is_built_only_from_CHANNEL_HANGUP_COMPLETE()
    {
        var create = Captures.Events("esl-trunk-call-tone.txt")[0];

        var act = () => HangupRecord.FromEvent(create);

        act.Should().Throw<ArgumentException>().WithMessage("a hangup record is built from CHANNEL_HANGUP_COMPLETE, not CHANNEL_CREATE uuid*");
    }

    [TestCase("NORMAL_CLEARING", HangupCause.NormalClearing, 16)]
    [TestCase("USER_BUSY", HangupCause.UserBusy, 17)]
    [TestCase("INCOMPATIBLE_DESTINATION", HangupCause.IncompatibleDestination, 88)]
    [TestCase("ORIGINATOR_CANCEL", HangupCause.OriginatorCancel, 16)]
    [TestCase("MEDIA_TIMEOUT", HangupCause.MediaTimeout, 16)]
    [TestCase("BEARERCAPABILITY_NOTAUTH", HangupCause.BearerCapabilityNotAuthorized, 57)]
    public void Hangup_cause_names_and_numbers_follow_FreeSWITCH(string name, HangupCause cause, int q850)
    {
        HangupCauses.Parse(name).Should().Be(cause);
        cause.ToFreeSwitchName().Should().Be(name);
        cause.ToQ850().Should().Be(q850);
    }

    [Test]
    public void An_unknown_cause_name_is_refused_by_name()
    {
        var act = () => HangupCauses.Parse("NOT_A_CAUSE");

        act.Should().Throw<ArgumentException>().WithMessage("'NOT_A_CAUSE' is not a FreeSWITCH hangup cause*");
    }
}
