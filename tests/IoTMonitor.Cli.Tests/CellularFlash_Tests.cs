using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Core.Config;

namespace IoTMonitor.Cli.Tests;

/// <summary>
/// A cellular node through <c>iotmon provision --cellular</c> and <c>iotmon flash --ca</c>
/// (docs/config.md "Cellular node: configure, flash, diagnose"): the written config is one the
/// firmware's own parser takes as a cellular node with TLS, the CA goes to the node with the config in
/// one file deployment (nanoff test double), and a cellular config without its CA is refused before
/// the board is touched, since the node would refuse every TLS connect.
/// </summary>
[Collection(NanoffBoard.Collection)]
public sealed class CellularFlash_Tests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Provision_writes_a_cellular_config_and_flash_deploys_it_with_the_ca()
    {
        var dir = Directory.CreateTempSubdirectory("iotmon-cellular-flash-").FullName;
        try
        {
            var ca = Path.Combine(dir, "ca.pem");
            await File.WriteAllTextAsync(ca, SelfSignedCaPem());
            var config = Path.Combine(dir, "wq-0950.json");
            var p = await Iotmon.RunAsync(["provision", .. fx.Key, "--site", "shule-guazhou", "--device", "wq-0950", "--type", "water", "--mqtt-host", "gw.example.org",
                "--cellular", "quectel", "--apn", "cmiot", "--ca", ca, "--out", config]);
            Assert.True(p.ExitCode == 0, p.Out + p.Err);

            // The firmware's parser: cellular, Quectel, the APN, TLS on, the TLS port.
            var bytes = await File.ReadAllBytesAsync(config);
            var parsed = new DeviceConfig();
            Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(bytes, 0, bytes.Length, parsed));
            Assert.True(parsed.Cellular);
            Assert.Equal((1, "cmiot", true, 8883), (parsed.CellularModem, parsed.CellularApn, parsed.MqttTls, parsed.MqttPort));
            Assert.Equal("wq-0950", parsed.Device);
            using (var json = JsonDocument.Parse(bytes))
            {
                Assert.False(json.RootElement.TryGetProperty("wifi", out _));
                Assert.Equal("I:\\ca.pem", json.RootElement.GetProperty("cellular").GetProperty("ca").GetString());
            }

            // The printed deployment lists both files; the printed flash command carries --ca.
            using (var deploy = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(config, ".deploy.json"))))
            {
                var files = deploy.RootElement.GetProperty("Files").EnumerateArray().Select(f => (f.GetProperty("SourceFilePath").GetString(), f.GetProperty("DestinationFilePath").GetString())).ToList();
                Assert.Equal([(config, "I:\\config.json"), (ca, "I:\\ca.pem")], files);
            }

            Assert.Contains("--ca " + ca, p.Out, StringComparison.Ordinal);

            var image = Path.Combine(dir, "IoTMonitor.Firmware.bin");
            await File.WriteAllBytesAsync(image, [0x4E, 0x46, 0x4D, 0x52, 1, 2, 3, 4]);
            using var board = new NanoffBoard();
            string[] flash = ["flash", "--config", config, "--serial-port", board.Port, "--image", image, "--nanoff", NanoffBoard.Executable];

            var refused = await Iotmon.RunAsync(flash);
            Assert.Equal(ExitCodes.BadArguments, refused.ExitCode);
            Assert.Contains("--ca", refused.Err, StringComparison.Ordinal);
            Assert.False(board.Flash.ContainsKey("clrTarget"), "the board was touched before the missing CA was found");

            var notPem = Path.Combine(dir, "gw.key");
            await File.WriteAllTextAsync(notPem, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
            var wrong = await Iotmon.RunAsync([.. flash, "--ca", notPem]);
            Assert.Equal(ExitCodes.BadArguments, wrong.ExitCode);
            Assert.Contains("not a PEM certificate", wrong.Err, StringComparison.Ordinal);

            var r = await Iotmon.RunAsync([.. flash, "--ca", ca]);
            Assert.True(r.ExitCode == 0, r.Out + r.Err);
            Assert.Equal(bytes, board.VolumeFile("config.json"));
            Assert.Equal(await File.ReadAllBytesAsync(ca), board.VolumeFile("ca.pem"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Flash_fails_loudly_when_the_ca_file_does_not_land()
    {
        var dir = Directory.CreateTempSubdirectory("iotmon-cellular-flash-").FullName;
        try
        {
            var ca = Path.Combine(dir, "ca.pem");
            await File.WriteAllTextAsync(ca, SelfSignedCaPem());
            var config = Path.Combine(dir, "sm-0950.json");
            await File.WriteAllTextAsync(config, """{"v":1,"device":"sm-0950","site":"s1","type":"soil","cellular":{"modem":"simcom","ca":"I:\\gw-ca.pem"},"mqtt":{"host":"gw.example.org","port":8883,"user":"sm-0950","password":"x"}}""");
            using var board = new NanoffBoard("/dev/ttyUSB7", "file");
            NanoffBoard.Run("--update", "--target", "ESP32_REV3", "--serialport", board.Port);
            var r = await Iotmon.RunAsync(["flash", "--config", config, "--serial-port", board.Port, "--nanoff", NanoffBoard.Executable, "--config-only", "--ca", ca]);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("could not write I:\\config.json", r.Err, StringComparison.Ordinal);

            // The CA goes where the config's cellular.ca says.
            using var good = new NanoffBoard();
            NanoffBoard.Run("--update", "--target", "ESP32_REV3", "--serialport", good.Port);
            var ok = await Iotmon.RunAsync(["flash", "--config", config, "--serial-port", good.Port, "--nanoff", NanoffBoard.Executable, "--config-only", "--ca", ca]);
            Assert.True(ok.ExitCode == 0, ok.Out + ok.Err);
            Assert.Equal(await File.ReadAllBytesAsync(ca), good.VolumeFile("gw-ca.pem"));
            Assert.Contains("I:\\gw-ca.pem", ok.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Provision_refuses_cellular_without_a_ca_and_ca_without_cellular()
    {
        var dir = Directory.CreateTempSubdirectory("iotmon-cellular-flash-").FullName;
        try
        {
            var noCa = await Iotmon.RunAsync(["provision", .. fx.Key, "--site", "s1", "--device", "wq-0951", "--type", "water", "--cellular", "simcom", "--out", Path.Combine(dir, "a.json")]);
            Assert.Equal(ExitCodes.BadArguments, noCa.ExitCode);
            Assert.Contains("--cellular needs --ca", noCa.Err, StringComparison.Ordinal);
            var ca = Path.Combine(dir, "ca.pem");
            await File.WriteAllTextAsync(ca, SelfSignedCaPem());
            var wifi = await Iotmon.RunAsync(["provision", .. fx.Key, "--site", "s1", "--device", "wq-0952", "--type", "water", "--ca", ca, "--out", Path.Combine(dir, "b.json")]);
            Assert.Equal(ExitCodes.BadArguments, wifi.ExitCode);
            Assert.False(File.Exists(Path.Combine(dir, "a.json")) || File.Exists(Path.Combine(dir, "b.json")));

            // Nothing was registered: the ids are still free.
            var devices = await fx.Gateway.Http.GetStringAsync("/api/v1/devices");
            Assert.DoesNotContain("wq-0951", devices, StringComparison.Ordinal);
            Assert.DoesNotContain("wq-0952", devices, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string SelfSignedCaPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=IoTMonitor test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        return cert.ExportCertificatePem() + "\n";
    }
}
