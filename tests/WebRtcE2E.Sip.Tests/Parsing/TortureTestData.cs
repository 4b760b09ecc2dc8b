namespace WebRtcE2E.Sip.Tests.Parsing;

/// <summary>The RFC 4475 message files and the RFC's verdict on each.</summary>
public static class TortureTestData
{
    /// <summary>Well-formed messages (RFC 4475 §3.1.1, §3.2, §3.3 except insuf/multi01/mcl01, §3.4).</summary>
    public static readonly string[] Valid =
    [
        "wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri", "transports",
        "mpart01", "unreason", "noreason", "badbranch", "unkscm", "novelsc", "unksm2", "bext01", "invut", "regaut01",
        "bcast", "zeromf", "cparam01", "cparam02", "regescrt", "sdp01", "inv2543",
    ];

    /// <summary>Messages an element must refuse (RFC 4475 §3.1.2, and §3.3.1/§3.3.9/§3.3.10 for missing and repeated headers).</summary>
    public static readonly string[] Invalid =
    [
        "badinv01", "clerr", "ncl", "scalar02", "scalarlg", "quotbal", "ltgtruri", "lwsruri", "lwsstart", "trws",
        "escruri", "baddate", "regbadct", "badaspec", "baddn", "badvers", "mismatch01", "mismatch02", "bigcode",
        "insuf", "multi01", "mcl01",
    ];

    /// <summary>The bytes of a torture message.</summary>
    public static byte[] Bytes(string name) =>
        File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "rfc4475", name + ".sip"));
}
