using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTMonitor.Stranger.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests;

/// <summary><c>Mqtt:BindAddress=127.0.0.1</c> means IPv4 loopback only, for the plain and the TLS listener.</summary>
[Collection("stranger")]
public sealed class BindAddress_Tests(InfluxDbFixture influx)
{
    [Fact]
    public async Task BindAddress_127_0_0_1_listens_on_IPv4_loopback_only_for_plain_and_TLS()
    {
        var dir = Directory.CreateTempSubdirectory("iotmon-stranger-cert-").FullName;
        try
        {
            var pfx = Path.Combine(dir, "gateway.pfx");
            using (var key = RSA.Create(2048))
            {
                var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
                File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pfx, "pw"));
            }

            var tlsPort = FreePort.Next();
            using var gw = new StrangerGateway(influx.Server, $"--Mqtt:CertificatePath={pfx}", "--Mqtt:CertificatePassword=pw", $"--Mqtt:TlsPort={tlsPort}");
            await gw.StartAsync();
            Assert.True(FreePort.IsListening(tlsPort), "the TLS listener is not up:\n" + gw.Log);
            foreach (var port in new[] { gw.MqttPort, tlsPort })
            {
                // /proc/net/tcp6: local address:port in hex, state 0A = LISTEN
                var hexPort = ":" + port.ToString("X4", CultureInfo.InvariantCulture) + " ";
                var v6 = File.ReadAllLines("/proc/net/tcp6").Where(l => l.Contains(hexPort, StringComparison.Ordinal) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3] == "0A").ToList();
                Assert.True(v6.Count == 0, $"port {port} listens on IPv6: {string.Join("; ", v6)}");
                var v4 = File.ReadAllLines("/proc/net/tcp").Where(l => l.Contains(hexPort, StringComparison.Ordinal) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3] == "0A").ToList();
                Assert.True(v4.Count == 1 && v4[0].Contains("0100007F" + hexPort, StringComparison.Ordinal), $"port {port}: IPv4 listeners {string.Join("; ", v4)}");
                if (Socket.OSSupportsIPv6)
                {
                    using var client = new TcpClient(AddressFamily.InterNetworkV6);
                    await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.IPv6Loopback, port));
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
