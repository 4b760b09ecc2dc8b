using System.Net;
using WebRtcE2E.Fixtures.Doctor;
using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.Doctor;

/// <summary>
/// A small FreeSWITCH conf in a temporary folder that the doctor finds nothing wrong with; each test replaces one
/// file to show one pitfall. Our own few lines, not FreeSWITCH's files.
/// </summary>
internal sealed class TestConf : IDisposable
{
    public const string Profile = """
        <profile name="webrtc">
          <settings>
            <param name="sip-port" value="5080"/>
            <param name="ext-sip-ip" value="$${external_ip}"/>
            <param name="ext-rtp-ip" value="$${external_ip}"/>
            <param name="inbound-codec-prefs" value="$${global_codec_prefs}"/>
            <param name="wss-binding" value=":7443"/>
            <param name="tls-cert-dir" value="$${tls_dir}"/>
            <param name="apply-candidate-acl" value="localnet.auto"/>
            <param name="apply-candidate-acl" value="rfc1918.auto"/>
          </settings>
        </profile>
        """;

    public TestConf()
    {
        Directory = Path.Combine(Path.GetTempPath(), "webrtc-e2e-doctor-" + Guid.NewGuid().ToString("N")[..8]);
        CertsDirectory = Path.Combine(Directory, "tls");
        Write("freeswitch.xml", """
            <?xml version="1.0"?>
            <document type="freeswitch/xml">
              <X-PRE-PROCESS cmd="include" data="vars.xml"/>
              <section name="configuration" description="Modules and profiles">
                <X-PRE-PROCESS cmd="include" data="autoload_configs/*.xml"/>
              </section>
              <section name="directory" description="Users">
                <X-PRE-PROCESS cmd="include" data="directory/*.xml"/>
              </section>
            </document>
            """);
        Write("vars.xml", $"""
            <include>
              <X-PRE-PROCESS cmd="set" data="external_ip=192.0.2.10"/>
              <X-PRE-PROCESS cmd="set" data="default_password=a-long-random-one"/>
              <X-PRE-PROCESS cmd="set" data="global_codec_prefs=OPUS,PCMU,PCMA"/>
              <X-PRE-PROCESS cmd="set" data="tls_dir={CertsDirectory}"/>
            </include>
            """);
        Write("autoload_configs/sofia.conf.xml", """
            <configuration name="sofia.conf" description="SIP profiles">
              <profiles>
                <X-PRE-PROCESS cmd="include" data="../sip_profiles/*.xml"/>
              </profiles>
            </configuration>
            """);
        Write("sip_profiles/webrtc.xml", Profile);
        Write("autoload_configs/event_socket.conf.xml", """
            <configuration name="event_socket.conf" description="Event socket">
              <settings>
                <param name="listen-ip" value="127.0.0.1"/>
                <param name="listen-port" value="8021"/>
                <param name="password" value="not-the-default"/>
              </settings>
            </configuration>
            """);
        Write("autoload_configs/modules.conf.xml", """
            <configuration name="modules.conf" description="Modules">
              <modules>
                <load module="mod_event_socket"/>
                <load module="mod_sofia"/>
                <load module="mod_opus"/>
              </modules>
            </configuration>
            """);
        Write("directory/default.xml", """
            <include>
              <domain name="example.test">
                <users>
                  <user id="1000">
                    <params>
                      <param name="password" value="$${default_password}"/>
                    </params>
                  </user>
                </users>
              </domain>
            </include>
            """);
        using var cert = WssCertificate.CreateSelfSigned(["localhost", "pbx.example.test"], [IPAddress.Loopback]);
        cert.WriteWssPem(Path.Combine(CertsDirectory, "wss.pem"));
    }

    public string Directory { get; }

    public string CertsDirectory { get; }

    /// <summary>The module list of a test image: what the base conf loads.</summary>
    public static ImageModules Modules { get; } = new(new HashSet<string> { "mod_event_socket", "mod_sofia", "mod_opus" }, "the test's list");

    public DoctorOptions Options { get; init; } = new() { ImageModules = Modules };

    public TestConf Write(string relative, string text)
    {
        var path = Path.Combine(Directory, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
        return this;
    }

    public DoctorReport Run(DoctorOptions? options = null) => ConfDoctor.Run(Directory, options ?? Options);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a temporary folder: the next cleanup of /tmp takes it
        }
    }
}
