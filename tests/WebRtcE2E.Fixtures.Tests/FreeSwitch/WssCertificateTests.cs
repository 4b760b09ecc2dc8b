using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.FreeSwitch;

[Category("Unit")]
public sealed class WssCertificateTests : TempDirectoryTest
{
    [Test]
    public void Self_signed_certificate_has_every_name_the_browser_uses_as_subjectAltName()
    {
        using var cert = WssCertificate.CreateSelfSigned(["localhost", "freeswitch"], [IPAddress.Loopback, IPAddress.Parse("172.17.0.2")]);

        cert.SubjectAlternativeNames.Should().BeEquivalentTo("localhost", "freeswitch", "127.0.0.1", "172.17.0.2");
        cert.Certificate.HasPrivateKey.Should().BeTrue();
        cert.Certificate.GetRSAPublicKey()!.KeySize.Should().Be(2048);
        cert.Certificate.NotAfter.Should().BeAfter(DateTime.Now.AddDays(29));
    }

    [Test]
    public void Spki_pin_is_the_sha256_of_the_subject_public_key_info()
    {
        using var cert = WssCertificate.CreateSelfSigned(["localhost"], []);
        var expected = Convert.ToBase64String(SHA256.HashData(cert.Certificate.PublicKey.ExportSubjectPublicKeyInfo()));

        cert.SpkiSha256Base64.Should().Be(expected).And.HaveLength(44);
        using var other = WssCertificate.CreateSelfSigned(["localhost"], []);
        other.SpkiSha256Base64.Should().NotBe(cert.SpkiSha256Base64, "each run makes its own key");
    }

    [Test]
    public void Wss_pem_round_trips_with_the_same_key_and_names()
    {
        using var cert = WssCertificate.CreateSelfSigned(["localhost"], [IPAddress.Loopback]);
        var path = Path.Combine(Dir, "wss.pem");
        cert.WriteWssPem(path);

        var text = File.ReadAllText(path);
        text.IndexOf("BEGIN CERTIFICATE", StringComparison.Ordinal).Should().BeLessThan(text.IndexOf("BEGIN PRIVATE KEY", StringComparison.Ordinal), "the article's order: chain, then key");
        using var loaded = WssCertificate.LoadWssPem(path);
        loaded.Certificate.Thumbprint.Should().Be(cert.Certificate.Thumbprint);
        loaded.SpkiSha256Base64.Should().Be(cert.SpkiSha256Base64);
        loaded.Certificate.HasPrivateKey.Should().BeTrue();
        loaded.SubjectAlternativeNames.Should().BeEquivalentTo("localhost", "127.0.0.1");
    }

    [Test]
    public void Lets_encrypt_fullchain_and_privkey_combine_into_wss_pem_with_the_whole_chain()
    {
        var (fullchain, privkey) = WriteLetsEncryptLive(IssueLeafFromCa(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(89)));

        using var wss = WssCertificate.FromLetsEncrypt(fullchain, privkey);

        wss.Certificate.Subject.Should().Contain("CN=pbx.example.test");
        CountOf(wss.WssPem, "BEGIN CERTIFICATE").Should().Be(2, "leaf and intermediate both go into wss.pem");
        CountOf(wss.WssPem, "PRIVATE KEY-----").Should().Be(2, "one BEGIN and one END line");
    }

    [Test]
    public void Lets_encrypt_combine_refuses_a_key_that_is_not_the_certificates()
    {
        var (fullchain, _) = WriteLetsEncryptLive(IssueLeafFromCa(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(89)));
        using var otherKey = RSA.Create(2048);
        var wrongKey = Path.Combine(Dir, "old-privkey.pem");
        File.WriteAllText(wrongKey, otherKey.ExportPkcs8PrivateKeyPem());

        var act = () => WssCertificate.FromLetsEncrypt(fullchain, wrongKey);

        act.Should().Throw<WssCertificateException>().WithMessage("*private key does not match the certificate*CN=pbx.example.test*");
    }

    [Test]
    public void Lets_encrypt_combine_refuses_an_expired_certificate()
    {
        var (fullchain, privkey) = WriteLetsEncryptLive(IssueLeafFromCa(DateTimeOffset.UtcNow.AddDays(-100), DateTimeOffset.UtcNow.AddDays(-10)));

        var act = () => WssCertificate.FromLetsEncrypt(fullchain, privkey);

        act.Should().Throw<WssCertificateException>().WithMessage("*expired on*renew it, rebuild wss.pem and reload mod_sofia*");
    }

    [Test]
    public void Lets_encrypt_combine_names_the_missing_file()
    {
        var act = () => WssCertificate.FromLetsEncrypt(Path.Combine(Dir, "fullchain.pem"), Path.Combine(Dir, "privkey.pem"));

        act.Should().Throw<WssCertificateException>().WithMessage("fullchain.pem (the certificate chain) not found at*");
    }

    [Test]
    public void A_wss_pem_without_a_key_is_refused_with_the_reason()
    {
        using var cert = WssCertificate.CreateSelfSigned(["localhost"], []);
        var path = Path.Combine(Dir, "wss.pem");
        File.WriteAllText(path, cert.CertificatePem);

        var act = () => WssCertificate.LoadWssPem(path);

        act.Should().Throw<WssCertificateException>().WithMessage("*holds no private key*");
    }

    [Test]
    public void Dtls_certificate_is_separate_from_the_wss_certificate()
    {
        using var wss = WssCertificate.CreateSelfSigned(["localhost"], []);
        using var dtls = WssCertificate.CreateDtls();

        dtls.Certificate.Subject.Should().Contain("WebRtcE2E DTLS-SRTP");
        dtls.SpkiSha256Base64.Should().NotBe(wss.SpkiSha256Base64);
        dtls.Certificate.GetRSAPublicKey()!.KeySize.Should().BeGreaterThanOrEqualTo(4096, "FreeSWITCH regenerates a shorter dtls-srtp.pem on start");
    }

    [Test]
    public void Dtls_certificate_is_kept_between_runs_and_made_again_when_it_nears_expiry_or_is_unreadable()
    {
        var path = Path.Combine(Dir, "cache", "dtls-srtp.pem");
        var now = DateTimeOffset.UtcNow;

        using var first = WssCertificate.CachedDtls(path, now);
        File.Exists(path).Should().BeTrue("the first run writes the cache for the next");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "the cache holds a private key");
        }

        using var second = WssCertificate.CachedDtls(path, now);
        second.SpkiSha256Base64.Should().Be(first.SpkiSha256Base64, "a valid cached certificate is reused");
        second.Certificate.HasPrivateKey.Should().BeTrue();

        using var nearExpiry = WssCertificate.CachedDtls(path, now.AddDays(29));
        nearExpiry.SpkiSha256Base64.Should().NotBe(first.SpkiSha256Base64, "one expiring within 2 days is made again");
        nearExpiry.Certificate.GetRSAPublicKey()!.KeySize.Should().Be(4096);

        File.WriteAllText(path, "not a certificate");
        using var afterGarbage = WssCertificate.CachedDtls(path, now);
        afterGarbage.Certificate.HasPrivateKey.Should().BeTrue("an unreadable cache is replaced, not an error");
        WssCertificate.LoadWssPem(path).SpkiSha256Base64.Should().Be(afterGarbage.SpkiSha256Base64);
    }

    [Test]
    public void Wss_certificate_on_a_key_made_beforehand_uses_that_key()
    {
        using var key = WssCertificate.NewWssKeyAsync().GetAwaiter().GetResult();
        var spki = Convert.ToBase64String(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        var cert = WssCertificate.CreateSelfSigned(["freeswitch"], [IPAddress.Parse("10.213.7.10")], key);
        using (cert)
        {
            cert.SpkiSha256Base64.Should().Be(spki);
            cert.SubjectAlternativeNames.Should().BeEquivalentTo("freeswitch", "10.213.7.10");
        }
    }

    private static int CountOf(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    /// <summary>A leaf signed by a throwaway intermediate, as Let's Encrypt issues them.</summary>
    private static (X509Certificate2 Leaf, X509Certificate2 Intermediate, RSA LeafKey) IssueLeafFromCa(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var caKey = RSA.Create(2048);
        var caReq = new CertificateRequest("CN=Test Intermediate R99", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var ca = caReq.CreateSelfSigned(notBefore.AddDays(-10), notAfter.AddDays(10));

        var leafKey = RSA.Create(2048);
        var leafReq = new CertificateRequest("CN=pbx.example.test", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("pbx.example.test");
        leafReq.CertificateExtensions.Add(san.Build());
        var leaf = leafReq.Create(ca, notBefore, notAfter, [1, 2, 3, 4]);
        return (leaf, ca, leafKey);
    }

    private (string Fullchain, string Privkey) WriteLetsEncryptLive((X509Certificate2 Leaf, X509Certificate2 Intermediate, RSA LeafKey) issued)
    {
        var fullchain = Path.Combine(Dir, "fullchain.pem");
        var privkey = Path.Combine(Dir, "privkey.pem");
        File.WriteAllText(fullchain, issued.Leaf.ExportCertificatePem() + "\n" + issued.Intermediate.ExportCertificatePem() + "\n");
        File.WriteAllText(privkey, issued.LeafKey.ExportPkcs8PrivateKeyPem() + "\n");
        issued.Leaf.Dispose();
        issued.Intermediate.Dispose();
        issued.LeafKey.Dispose();
        return (fullchain, privkey);
    }
}
