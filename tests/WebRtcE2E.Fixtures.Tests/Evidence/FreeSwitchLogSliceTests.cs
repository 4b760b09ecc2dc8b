using System.Text.RegularExpressions;
using WebRtcE2E.Fixtures.Evidence;
using WebRtcE2E.Fixtures.Tests.EventSocket;

namespace WebRtcE2E.Fixtures.Tests.Evidence;

/// <summary>The lines of one call cut out of a real FreeSWITCH log that holds two calls and profile start-up.</summary>
[Category("Unit")]
public class FreeSwitchLogSliceTests
{
    [Test]
    public void Slice_keeps_the_channel_lines_and_siptrace_of_the_call_and_nothing_else()
    {
        var log = File.ReadAllText(Captures.PathOf("freeswitch-log-echo-call-siptrace.txt"));
        var uuids = FreeSwitchLogSlice.UniqueIdsFor(log, "r1qbque4kkon061ab9q3");

        var slice = FreeSwitchLogSlice.Cut(log, uuids, ["r1qbque4kkon061ab9q3"]);

        uuids.Should().Equal("a8aaf895-dcfa-4fe1-8e63-19aa0da89b78");
        slice.Should().Contain("Responding to INVITE with: 486").And.Contain("Reason: Q.850;cause=17;text=\"USER_BUSY\"");
        Regex.Matches(slice, @"^(recv|send) \d+ bytes", RegexOptions.Multiline).Select(m => m.Value)
            .Should().Equal("recv 2215 bytes", "send 316 bytes", "send 686 bytes", "recv 409 bytes");
        slice.Should().NotContain("6d7e56ef-f31a-4e61-9005-248102c318da", "that is the echo call's channel")
            .And.NotContain("nnk3953vncghfafleng5")
            .And.NotContain("sofia.c:4727 wss-binding", "profile start-up lines belong to no call");
        var channelLines = slice.Split('\n').Count(l => l.StartsWith("a8aaf895-dcfa-4fe1-8e63-19aa0da89b78 ", StringComparison.Ordinal));
        channelLines.Should().Be(log.Split('\n').Count(l => l.StartsWith("a8aaf895-dcfa-4fe1-8e63-19aa0da89b78 ", StringComparison.Ordinal)));
    }

    [Test]
    public void Slice_of_an_unknown_call_is_empty()
    {
        var log = File.ReadAllText(Captures.PathOf("freeswitch-log-echo-call-siptrace.txt"));

        FreeSwitchLogSlice.Cut(log, ["00000000-0000-0000-0000-000000000000"], ["no-such-call"]).Should().BeEmpty();
        FreeSwitchLogSlice.UniqueIdsFor(log, "no-such-call").Should().BeEmpty();
    }
}
