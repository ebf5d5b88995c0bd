using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Testing;

namespace IoTMonitor.EndToEnd.Tests.Cellular;

/// <summary>
/// MQTT over TLS through the modem to the gateway's TLS listener: the node provisions the CA that
/// signed the gateway's certificate, the modem checks the server against it (authmode 1 / seclevel 1)
/// and against the host name; a certificate from another CA is refused. The operator's procedure is in
/// docs/cellular.md ("Certificates").
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class CellularTls_Tests(InfluxDbFixture influx)
{
    private const string GatewayName = "gateway.iotmon.test";

    [Theory]
    [InlineData(ModemKind.Simcom)]
    [InlineData(ModemKind.Quectel)]
    [InlineData(ModemKind.SimcomSm)]
    public async Task Connects_over_tls_with_the_provisioned_ca_uploads_it_once_and_refuses_another_ca(ModemKind kind)
    {
        var dir = Directory.CreateTempSubdirectory("iotmon-tls-").FullName;
        try
        {
            using var ca = NewCa("CN=IoTMonitor test CA");
            using var otherCa = NewCa("CN=Somebody else");
            var pfx = Path.Combine(dir, "gateway.pfx");
            using (var server = Issue(ca, GatewayName))
            {
                File.WriteAllBytes(pfx, server.Export(X509ContentType.Pfx, "pw"));
            }

            var tlsPort = FreePort.Next();
            await using var gw = await GatewayUnderTest.StartAsync(influx.Server, $"--Mqtt:CertificatePath={pfx}", "--Mqtt:CertificatePassword=pw", $"--Mqtt:TlsPort={tlsPort}");
            var spec = (await Fleets.ProvisionAsync(gw, "water", 1))[0];
            var mqtt = JsonDocument.Parse(spec.ConfigJson).RootElement.GetProperty("mqtt");
            var settings = ModemLink_Tests.Settings();
            settings.Host = GatewayName;
            settings.Port = tlsPort;
            settings.Tls = true;
            settings.ClientId = spec.Site + "/" + spec.Device;
            settings.User = mqtt.GetProperty("user").GetString();
            settings.Password = mqtt.GetProperty("password").GetString();
            settings.WillTopic = $"iotmon/v1/{spec.Site}/{spec.Device}/status";
            settings.SubscribeTopics = [$"iotmon/v1/{spec.Site}/{spec.Device}/config"];
            var caPem = Encoding.ASCII.GetBytes(ca.ExportCertificatePem());

            using (var rig = new ModemLink_Tests.Rig(kind, tlsPort, ca: caPem))
            {
                var st = rig.Link.Connect(settings, 60_000);
                Assert.True(st == LinkStatus.Ok, $"{st} at {rig.Link.Info.FailedStep}: {string.Join(" | ", rig.Modem.Log)}");
                var online = Encoding.UTF8.GetBytes("{\"v\":1,\"state\":\"sleeping\",\"next\":1,\"clk\":1}");
                Assert.Equal(LinkStatus.Ok, rig.Link.Publish(settings.WillTopic, online, 0, online.Length, true, 20_000));
                rig.Link.Disconnect();
                Assert.Equal(LinkStatus.Ok, rig.Link.Connect(settings, 60_000));
                var uploads = rig.Modem.Log.Count(l => l.StartsWith("AT+CCERTDOWN", StringComparison.Ordinal) || l.StartsWith("AT+QFUPL", StringComparison.Ordinal) || l.StartsWith("AT+CFSWFILE", StringComparison.Ordinal));
                Assert.Equal(1, uploads); // the CA stays in the modem's flash, found by its name
                rig.Link.Disconnect();
            }

            using (var rig = new ModemLink_Tests.Rig(kind, tlsPort, ca: Encoding.ASCII.GetBytes(otherCa.ExportCertificatePem())))
            {
                Assert.Equal(LinkStatus.BrokerUnreachable, rig.Link.Connect(settings, 60_000));
                Assert.Equal("mqtt", rig.Link.Info.FailedStep);
            }

            using (var rig = new ModemLink_Tests.Rig(kind, tlsPort, ca: null))
            {
                Assert.Equal(LinkStatus.BrokerUnreachable, rig.Link.Connect(settings, 60_000));
                Assert.Equal("tls", rig.Link.Info.FailedStep); // no CA provisioned: TLS is not tried unchecked
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static X509Certificate2 NewCa(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string dnsName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), serial);
        return cert.CopyWithPrivateKey(key);
    }
}
