namespace WebRtcE2E.Sip.Tests.Parsing;

/// <summary>
/// What a fuzz run's inputs came to: parsed, or refused with the parser's own exception (anything else escapes and
/// fails the test). A run passes only when it saw both: all refused would mean the mutations never reached the
/// parser's accepting paths, all parsed that they never broke anything, and either way the run tested nothing.
/// </summary>
internal sealed class FuzzTally(string what)
{
    /// <summary>Inputs the parser accepted.</summary>
    public int Parsed { get; private set; }

    /// <summary>Inputs the parser refused with its own exception (or a null from a TryParse).</summary>
    public int Refused { get; private set; }

    /// <summary>Runs one parse: counts it parsed when it returns, refused when it throws <typeparamref name="TRefusal"/>.</summary>
    public void Parse<TRefusal>(Action parse)
        where TRefusal : Exception
    {
        try
        {
            parse();
            Parsed++;
        }
        catch (TRefusal)
        {
            Refused++;
        }
    }

    /// <summary>Counts a TryParse's answer: a value is parsed, null refused.</summary>
    public void Count(bool parsed)
    {
        if (parsed)
        {
            Parsed++;
        }
        else
        {
            Refused++;
        }
    }

    /// <summary>Prints the counts and asserts that the run both parsed and refused, <paramref name="inputs"/> in all.</summary>
    public void ShouldHaveParsedAndRefused(int inputs)
    {
        TestContext.Out.WriteLine($"{what}: {inputs} inputs, {Parsed} parsed, {Refused} refused");
        (Parsed + Refused).Should().Be(inputs, $"every {what} input is either parsed or refused");
        Parsed.Should().BeGreaterThan(0, $"some mutated {what} inputs must still parse, or the accepting paths went untested");
        Refused.Should().BeGreaterThan(0, $"some mutated {what} inputs must be refused, or the mutations broke nothing");
    }
}
