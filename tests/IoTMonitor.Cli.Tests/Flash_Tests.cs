using System.Globalization;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Node;

namespace IoTMonitor.Cli.Tests;

/// <summary>
/// <c>iotmon flash</c> against the nanoff test double: the double's own silent-success behaviours
/// first (each as nanoff's source has it), then the flow, which must end with the config on I:, the
/// app at the deployment partition and nanoCLR at the pinned version, and fail loudly otherwise; then
/// <c>--verify</c> against a real gateway and a virtual node booting the flashed document.
/// </summary>
[Collection(NanoffBoard.Collection)]
public sealed class Flash_Tests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private static async Task<(string Dir, string Config, string Image)> NodeFilesAsync(string device = "wq-0901")
    {
        var dir = Directory.CreateTempSubdirectory("iotmon-flash-").FullName;
        var config = Path.Combine(dir, device + ".json");
        await File.WriteAllTextAsync(config, DeviceConfigDocument.Build(new("wei-xianyang", device, "water", "127.0.0.1", 1883, "secret")));
        var image = Path.Combine(dir, "IoTMonitor.Firmware.bin");
        await File.WriteAllBytesAsync(image, [0x4E, 0x46, 0x4D, 0x52, 1, 2, 3, 4]);
        return (dir, config, image);
    }

    private static string[] Flash(NanoffBoard board, string config, string image, params string[] more) =>
        ["flash", "--config", config, "--serial-port", board.Port, "--image", image, "--nanoff", NanoffBoard.Executable, .. more];

    [Fact]
    public void Double_nanodevice_with_filedeployment_does_nothing_and_exits_0()
    {
        using var board = new NanoffBoard();
        var json = Path.Combine(board.Dir, "deploy.json");
        File.WriteAllText(json, """{"Files":[{"DestinationFilePath":"I:\\config.json","SourceFilePath":"/etc/hostname"}]}""");
        NanoffBoard.Run("--update", "--target", "ESP32_REV3", "--fwversion", "1.0.0", "--serialport", board.Port);
        var (code, output) = NanoffBoard.Run("--nanodevice", "--filedeployment", json, "--serialport", board.Port);
        Assert.Equal(0, code);
        Assert.Contains("No operation was performed with the options supplied.", output, StringComparison.Ordinal);
        Assert.Null(board.VolumeFile("config.json"));
    }

    [Fact]
    public void Double_a_failed_file_exits_0_and_a_good_one_lands_on_I()
    {
        var src = Path.GetTempFileName();
        File.WriteAllText(src, "{}");
        try
        {
            using (var failing = new NanoffBoard("/dev/ttyUSB7", "file"))
            {
                NanoffBoard.Run("--update", "--target", "ESP32_REV3", "--serialport", failing.Port);
                var json = Path.Combine(failing.Dir, "deploy.json");
                File.WriteAllText(json, $$"""{"Files":[{"DestinationFilePath":"I:\\config.json","SourceFilePath":"{{src}}"}]}""");
                var (code, output) = NanoffBoard.Run("--filedeployment", json, "--serialport", failing.Port);
                Assert.Equal(0, code);
                Assert.Contains($"Error deploying content file {src} to I:\\config.json", output, StringComparison.Ordinal);
            }

            using var good = new NanoffBoard();
            NanoffBoard.Run("--update", "--target", "ESP32_REV3", "--serialport", good.Port);
            var ok = Path.Combine(good.Dir, "deploy.json");
            File.WriteAllText(ok, $$"""{"Files":[{"DestinationFilePath":"I:\\config.json","SourceFilePath":"{{src}}"}]}""");
            var r = NanoffBoard.Run("--filedeployment", ok, "--serialport", good.Port);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains($"Deploying file {src} to I:\\config.json...OK", r.Output, StringComparison.Ordinal);
            Assert.Equal("{}"u8.ToArray(), good.VolumeFile("config.json"));
        }
        finally
        {
            File.Delete(src);
        }
    }

    [Fact]
    public void Double_a_failed_deploy_exits_0_under_quiet_and_210_at_normal_verbosity()
    {
        using var board = new NanoffBoard("/dev/ttyUSB7", "deploy");
        var image = Path.Combine(board.Dir, "app.img");
        File.WriteAllBytes(image, [1, 2, 3]);
        NanoffBoard.Run("--update", "--target", "ESP32_REV3", "--serialport", board.Port);
        Assert.Equal(0, NanoffBoard.Run("--nanodevice", "--deploy", "--image", image, "--serialport", board.Port, "-v", "q").ExitCode);
        Assert.Equal(0, NanoffBoard.Run("--nanodevice", "--deploy", "--image", image, "--serialport", board.Port, "-v", "m").ExitCode);
        var (code, output) = NanoffBoard.Run("--nanodevice", "--deploy", "--image", image, "--serialport", board.Port);
        Assert.Equal(2002 % 256, code);
        Assert.Contains("FAILED!", output, StringComparison.Ordinal);
        Assert.False(board.Flash.ContainsKey("appAddress"));
    }

    [Fact]
    public void Double_exit_codes_are_seen_mod_256_and_the_esptool_deploy_needs_an_address()
    {
        using var board = new NanoffBoard();
        Assert.Equal(9000 % 256, NanoffBoard.Run("--nanodevice", "--target", "ESP32_REV3", "--deploy", "--image", "x", "--serialport", board.Port).ExitCode);
        Assert.Equal(9000 % 256, NanoffBoard.Run("--no-such-option").ExitCode);
        var image = Path.Combine(board.Dir, "app.img");
        File.WriteAllBytes(image, [1]);
        Assert.Equal(0, NanoffBoard.Run("--target", "ESP32_REV3", "--deploy", "--image", image, "--serialport", board.Port).ExitCode);
        Assert.Equal("0x1B0000", (string?)board.Flash["appAddress"]); // nanoff's built-in address, not the partition
        Assert.Equal(0, NanoffBoard.Run("--target", "ESP32_REV3", "--deploy", "--image", image, "--address", "0x1E0000", "--serialport", board.Port).ExitCode);
        Assert.Equal("0x1E0000", (string?)board.Flash["appAddress"]);
    }

    [Fact]
    public async Task Flash_puts_the_pinned_nanoclr_the_config_and_the_app_on_the_board()
    {
        var (dir, config, image) = await NodeFilesAsync();
        using var board = new NanoffBoard();
        try
        {
            var r = await Iotmon.RunAsync(Flash(board, config, image));
            Assert.True(r.ExitCode == 0, r.Out + r.Err);
            Assert.Equal(await File.ReadAllBytesAsync(config), board.VolumeFile("config.json"));
            Assert.Equal("ESP32_REV3", (string?)board.Flash["clrTarget"]);
            Assert.Equal(FirmwareImage.Version, (string?)board.Flash["clrVersion"]);
            Assert.Equal("0x1E0000", (string?)board.Flash["appAddress"]);
            Assert.DoesNotContain("-v", r.Out.Split(' '));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("file", "could not write I:\\config.json")]
    [InlineData("deploy", "exited with code 210 (E2002")]
    public async Task Flash_fails_loudly_when_nanoff_fails_a_step(string fault, string message)
    {
        var (dir, config, image) = await NodeFilesAsync();
        using var board = new NanoffBoard("/dev/ttyUSB7", fault);
        try
        {
            var r = await Iotmon.RunAsync(Flash(board, config, image));
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains(message, r.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("flashed", r.Out.Split('\n').LastOrDefault(l => l.Length > 0) ?? string.Empty, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Flash_fails_when_no_board_answers_on_the_port()
    {
        var (dir, config, image) = await NodeFilesAsync();
        using var board = new NanoffBoard("/dev/ttyUSB3");
        try
        {
            var r = await Iotmon.RunAsync(["flash", "--config", config, "--serial-port", "/dev/ttyUSB9", "--image", image, "--nanoff", NanoffBoard.Executable]);
            Assert.Equal(ExitCodes.Failed, r.ExitCode);
            Assert.Contains("E4005", r.Err, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Flash_verify_waits_for_the_node_to_report_the_flashed_config(bool bootsAnotherConfig)
    {
        var device = bootsAnotherConfig ? "wq-0903" : "wq-0902";
        var dir = Directory.CreateTempSubdirectory("iotmon-flash-verify-").FullName;
        var config = Path.Combine(dir, device + ".json");
        using var board = new NanoffBoard();
        try
        {
            var p = await Iotmon.RunAsync(["provision", .. fx.Key, "--site", "wei-xianyang", "--device", device, "--type", "water", "--mqtt-host", "127.0.0.1",
                "--mqtt-port", fx.Gateway.MqttPort.ToString(CultureInfo.InvariantCulture), "--sample-sec", "300", "--upload-sec", "300", "--out", config]);
            Assert.True(p.ExitCode == 0, p.Out + p.Err);
            var image = Path.Combine(dir, "app.bin");
            await File.WriteAllBytesAsync(image, [1, 2, 3]);

            var flashing = Iotmon.RunAsync([.. Flash(board, config, image, "--verify", "--verify-timeout", "120s"), .. fx.Key]);

            // the board boots what is on its I: once the app is deployed (the test plays the node's first wake)
            // a loaded CI machine starts each nanoff run slowly: wait on the flashing itself, not on a fixed clock
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (!board.Flash.ContainsKey("appAddress") && !flashing.IsCompleted && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            if (!board.Flash.ContainsKey("appAddress"))
            {
                var early = flashing.IsCompleted ? await flashing : null;
                Assert.Fail("the app was never deployed: " + (early is null ? "flash still running after 120 s" : early.Out + early.Err));
            }

            var booted = System.Text.Encoding.UTF8.GetString(board.VolumeFile("config.json")!);
            if (bootsAnotherConfig)
            {
                var other = System.Text.Json.Nodes.JsonNode.Parse(booted)!;
                other["sampleSec"] = 600;
                booted = other.ToJsonString();
            }

            var sim = new SimulationClock(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 60);
            using (var node = new VirtualNode(new NodeSpec("wei-xianyang", device, "water", booted), sim))
            {
                node.Wake();
            }

            var r = await flashing;
            if (bootsAnotherConfig)
            {
                Assert.Equal(ExitCodes.Failed, r.ExitCode);
                Assert.Contains("runs config", r.Err, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(r.ExitCode == 0, r.Out + r.Err);
                Assert.Contains($"verified: {device} reported config {DeviceCfg(config)}", r.Out, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string DeviceCfg(string config) => FlashVerification.ConfigHash(File.ReadAllBytes(config));
}
