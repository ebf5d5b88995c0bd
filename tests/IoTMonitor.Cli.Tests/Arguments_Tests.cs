using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Cli.Tests;

/// <summary>Help text with an example for every command; clear non-zero exits for bad arguments and an unreachable gateway.</summary>
public sealed class Arguments_Tests
{
    public static TheoryData<string> Commands => new() { "provision", "flash", "check", "simulate", "devices", "query", "export", "alerts" };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_command_has_help_with_an_example(string command)
    {
        var r = await Iotmon.RunAsync(command, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Example", r.Out, StringComparison.Ordinal);
        Assert.Contains("iotmon " + command, r.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("provision", "--site", "s1", "--device", "d1", "--type", "sea")]
    [InlineData("devices", "--no-such-option")]
    [InlineData("simulate", "--devices", "0")]
    [InlineData("simulate", "--profile", "ocean")]
    [InlineData("export", "--out", "x.csv")]
    [InlineData("check")]
    [InlineData("nonsense")]
    public async Task Bad_arguments_exit_2_with_a_message(params string[] args)
    {
        var r = await Iotmon.RunAsync(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("iotmon", r.Err, StringComparison.Ordinal);
        Assert.Contains("--help", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provision_rejects_an_id_outside_the_protocol_alphabet()
    {
        var r = await Iotmon.RunAsync("provision", "--site", "Wei River", "--device", "d1", "--type", "water", "--gateway", "http://127.0.0.1:9");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("must match", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_gateway_url_exits_2()
    {
        var r = await Iotmon.RunAsync("devices", "--gateway", "not a url");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--gateway", r.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("devices")]
    [InlineData("query", "--site", "s1")]
    [InlineData("alerts")]
    [InlineData("export", "--site", "s1", "--out", "never-written.csv")]
    [InlineData("check", "--device", "d1")]
    [InlineData("provision", "--site", "s1", "--device", "d1", "--type", "air")]
    [InlineData("simulate", "--devices", "2", "--duration", "5s")]
    public async Task An_unreachable_gateway_exits_3_and_says_so(params string[] args)
    {
        var port = FreePort.Next(); // nothing listens there
        var r = await Iotmon.RunAsync([.. args, "--gateway", $"http://127.0.0.1:{port}", "--api-key", "k"]);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("cannot reach the gateway", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists("never-written.csv"));
    }

    [Fact]
    public async Task Flash_without_nanoff_says_how_to_install_it()
    {
        var dir = Directory.CreateTempSubdirectory("iotmon-cli-flash-").FullName;
        var config = Path.Combine(dir, "a1.json");
        await File.WriteAllTextAsync(config, Firmware.Host.Fleet.DeviceConfigDocument.Build(new("s1", "a1", "air", "gw", 1883, "secret")));
        try
        {
            var r = await Iotmon.RunAsync("flash", "--config", config, "--serial-port", "/dev/ttyUSB7", "--nanoff", Path.Combine(dir, "nanoff"));
            Assert.Equal(4, r.ExitCode);
            Assert.Contains("dotnet tool install -g nanoff", r.Err, StringComparison.Ordinal);
            Assert.Contains("nanoff --filedeployment", r.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("--nanodevice --filedeployment", r.Out, StringComparison.Ordinal);
            Assert.Contains("--update --target ESP32_REV3 --fwversion " + FirmwareImage.Version, r.Out, StringComparison.Ordinal);
            Assert.Contains("/dev/ttyUSB7", r.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
