using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WebRtcE2E.Sip.Tests.Interop;

/// <summary>Self-signed certificates for the in-process loopback TLS and WSS servers: valid for an hour, 127.0.0.1 in the SAN.</summary>
internal static class LoopbackCertificate
{
    /// <summary>
    /// A P-256 certificate for <paramref name="commonName"/>, with 127.0.0.1 and <paramref name="dnsNames"/> as
    /// subject alternative names, loaded with its private key (a server can present it).
    /// </summary>
    public static X509Certificate2 Create(string commonName, params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        using var c = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(c.Export(X509ContentType.Pkcs12), null);
    }
}
