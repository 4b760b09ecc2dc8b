using System.Diagnostics;
using WebRtcE2E.Sip.Parsing;

namespace WebRtcE2E.Sip.Tests.Parsing;

[Category("Unit")]
public class ParserFuzzTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);
    private const int MaxIterations = 20000;

    [Test]
    public void Mutated_and_random_input_only_parses_or_fails_with_SipParseException()
    {
        var seeds = TortureTestData.Valid.Concat(TortureTestData.Invalid).Select(TortureTestData.Bytes).ToArray();
        var rng = new Random(4475);
        var sw = Stopwatch.StartNew();
        int iterations = 0, parsed = 0, refused = 0;
        long worstAllocated = 0;
        while (iterations < MaxIterations && sw.Elapsed < Budget)
        {
            var input = Mutate(seeds[rng.Next(seeds.Length)], rng);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var msg = SipMessageParser.Parse(input);
                _ = msg.ToBytes();
                parsed++;
            }
            catch (SipParseException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"input #{iterations} made the parser throw {e.GetType().Name}: {e.Message}\n{Convert.ToBase64String(input)}");
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            worstAllocated = Math.Max(worstAllocated, allocated);
            // Bounded allocation: a parse never costs more than a small multiple of its input.
            allocated.Should().BeLessThan(200_000 + (input.Length * 64L), $"input #{iterations} of {input.Length} bytes");
            iterations++;
        }

        TestContext.Out.WriteLine($"{iterations} inputs in {sw.Elapsed.TotalSeconds:0.0} s: {parsed} parsed, {refused} refused, worst allocation {worstAllocated} bytes");
        iterations.Should().BeGreaterThan(1000);
        parsed.Should().BeGreaterThan(0);
        refused.Should().BeGreaterThan(0);
    }

    [Test]
    public void Stream_framer_survives_random_chunks()
    {
        var rng = new Random(3261);
        var seeds = TortureTestData.Valid.Select(TortureTestData.Bytes).ToArray();
        const int Streams = 2000;
        var (streams, messages) = (new FuzzTally("framed stream"), new FuzzTally("framed message"));
        for (int n = 0; n < Streams; n++)
        {
            var framer = new SipStreamFramer();
            var input = Mutate(seeds[rng.Next(seeds.Length)], rng);

            // A stream is refused when the framer itself gives up on it (a length it cannot frame).
            streams.Parse<SipParseException>(() =>
            {
                int at = 0;
                while (at < input.Length)
                {
                    int len = Math.Min(input.Length - at, rng.Next(1, 200));
                    framer.Append(input.AsSpan(at, len));
                    at += len;
                    while (framer.TryTake() is { } m)
                    {
                        messages.Parse<SipParseException>(() => SipMessageParser.Parse(m));
                    }
                }
            });
        }

        streams.ShouldHaveParsedAndRefused(Streams);
        messages.Parsed.Should().BeGreaterThan(0, "the framer must hand whole messages the parser accepts");
        messages.Refused.Should().BeGreaterThan(0, "mutated streams must also frame messages the parser refuses");
    }

    private static byte[] Mutate(byte[] seed, Random rng)
    {
        switch (rng.Next(6))
        {
            case 0:
                var random = new byte[rng.Next(0, 600)];
                rng.NextBytes(random);
                return random;
            case 1:
                return seed[..rng.Next(seed.Length + 1)];
            default:
                var b = (byte[])seed.Clone();
                int flips = rng.Next(1, 8);
                for (int i = 0; i < flips && b.Length > 0; i++)
                {
                    int at = rng.Next(b.Length);
                    b[at] = rng.Next(3) switch
                    {
                        0 => (byte)rng.Next(256),
                        1 => "<>\";,:@[]%\\ \r\n\t"u8[rng.Next(15)],
                        _ => (byte)'0',
                    };
                }

                if (rng.Next(4) == 0)
                {
                    int at = rng.Next(b.Length + 1);
                    var dup = b[..at].Concat(b[(at / 2)..]).ToArray();
                    return dup;
                }

                return b;
        }
    }
}
