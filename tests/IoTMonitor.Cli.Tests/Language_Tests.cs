using System.Net.Http.Json;
using System.Globalization;
using System.Text.RegularExpressions;
using IoTMonitor.Cli.Text;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Host.Fleet;

namespace IoTMonitor.Cli.Tests;

/// <summary>
/// What a technician reads on site (provision, flash, check) in Simplified Chinese or English,
/// chosen by <c>--lang</c> or the locale environment; against a real gateway and the nanoff double.
/// </summary>
[Collection(NanoffBoard.Collection)]
public sealed partial class Language_Tests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData(null, null, null, "zh_CN.UTF-8", "zh-CN")]
    [InlineData(null, "en_US.UTF-8", null, "zh_CN.UTF-8", "en")] // LC_ALL wins over LANG
    [InlineData(null, null, "zh_CN.UTF-8", "en_US.UTF-8", "zh-CN")] // LC_MESSAGES wins over LANG
    [InlineData(null, null, null, "C.UTF-8", "en")]
    [InlineData(null, null, null, null, "en")]
    [InlineData(null, null, null, "zh_TW.UTF-8", "en")] // Traditional Chinese is not written
    [InlineData("zh", "en_US.UTF-8", null, null, "zh-CN")] // --lang wins over everything
    [InlineData("en", null, null, "zh_CN.UTF-8", "en")]
    public void The_language_comes_from_the_option_then_LC_ALL_LC_MESSAGES_LANG(string? option, string? lcAll, string? lcMessages, string? lang, string expected)
    {
        var env = new Dictionary<string, string?> { ["LC_ALL"] = lcAll, ["LC_MESSAGES"] = lcMessages, ["LANG"] = lang };
        Assert.Equal(expected, CliLanguage.Resolve(option, n => env.GetValueOrDefault(n)));
    }

    [Fact]
    public void Every_Chinese_message_keeps_the_placeholders_of_its_English_one_and_is_Chinese()
    {
        Assert.NotEmpty(CliText.Chinese);
        foreach (var (en, zh) in CliText.Chinese)
        {
            Assert.Equal(Placeholders(en), Placeholders(zh));
            if (en.Any(char.IsLetter))
            {
                Assert.True(zh.Any(c => c is >= '\u4e00' and <= '\u9fff'), $"'{en}' has no Chinese text: '{zh}'");
            }
        }
    }

    [Fact]
    public async Task An_unknown_language_is_refused_with_the_choices()
    {
        var r = await Iotmon.RunAsync(["check", "--device", "x", "--lang", "fr", .. fx.Key]);
        Assert.Equal(ExitCodes.BadArguments, r.ExitCode);
        Assert.Contains("--lang 'fr' is not a language iotmon speaks: zh-CN (also zh, zh_CN) or en", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_speaks_Chinese_with_lang_zh()
    {
        var report = Path.Combine(fx.Dir, "check-zh.md");
        var r = await Iotmon.RunAsync(["check", "--device", "no-such-node-zh", "--out", report, "--lang", "zh", .. fx.Key]);
        Assert.Equal(ExitCodes.CheckFailed, r.ExitCode);
        Assert.Contains("no-such-node-zh 调试验收检查", r.Out, StringComparison.Ordinal);
        var row = Assert.Single(r.Out.Split('\n'), l => l.Contains("已注册", StringComparison.Ordinal));
        Assert.Contains("否", row, StringComparison.Ordinal);
        Assert.Contains("不合格", row, StringComparison.Ordinal);
        Assert.Contains("用 iotmon provision 注册", row, StringComparison.Ordinal);
        Assert.Contains($"不合格:通过 0 项,警告 0 项,不合格 1 项。报告:{report}", r.Out, StringComparison.Ordinal);

        // the report file handed in is in the technician's language too, with the time in China's zone named
        var zh = await File.ReadAllTextAsync(report);
        Assert.StartsWith("# 调试验收检查:no-such-node-zh\n", zh, StringComparison.Ordinal);
        Assert.Contains("- 结论:**不合格**(不合格 1 项)", zh, StringComparison.Ordinal);
        Assert.Matches(@"- 时间:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+8 \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)", zh);
        Assert.Contains("| 检查项 | 实测 | 要求 | 结果 | 说明 |", zh, StringComparison.Ordinal);
        Assert.Contains("| 已注册 | 否 |", zh, StringComparison.Ordinal);
        Assert.Contains("| 不合格 | 用 iotmon provision 注册 |", zh, StringComparison.Ordinal);
        Assert.Contains("技术人员:", zh, StringComparison.Ordinal);
        Assert.DoesNotContain("registered", zh, StringComparison.Ordinal);

        var en = await Iotmon.RunAsync(["check", "--device", "no-such-node-zh", "--out", report, "--lang", "en", .. fx.Key]);
        Assert.Contains("FAILED: 0 pass, 0 warning, 1 fail.", en.Out, StringComparison.Ordinal);
        var enReport = await File.ReadAllTextAsync(report);
        Assert.StartsWith("# Commissioning check: no-such-node-zh\n", enReport, StringComparison.Ordinal);
        Assert.Contains("- result: **FAILED** (1 failed check(s))", enReport, StringComparison.Ordinal);
        Assert.Contains("| registered | no |", enReport, StringComparison.Ordinal);
        Assert.Matches(@"- time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n", enReport);
        Assert.DoesNotContain(enReport, c => c is >= '\u4e00' and <= '\u9fff');
    }

    [Fact]
    public async Task Devices_speaks_Chinese_and_shows_China_time()
    {
        var api = await fx.Gateway.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/devices");
        var seen = api.EnumerateArray().First(d => d.TryGetProperty("lastSeen", out var l) && l.ValueKind == System.Text.Json.JsonValueKind.String);
        var r = await Iotmon.RunAsync(["devices", "--lang", "zh_CN.UTF-8", .. fx.Key]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"上的 {api.GetArrayLength()} 台设备", r.Out, StringComparison.Ordinal);
        Assert.Contains("最近上报(北京时间 UTC+8)", r.Out, StringComparison.Ordinal);
        var line = r.Out.Split('\n').Single(l => l.Contains(seen.GetProperty("id").GetString()!, StringComparison.Ordinal));
        Assert.Contains("是", line, StringComparison.Ordinal);
        var china = seen.GetProperty("lastSeen").GetDateTimeOffset().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        Assert.Contains(china, line, StringComparison.Ordinal);

        var en = await Iotmon.RunAsync(["devices", "--lang", "en", .. fx.Key]);
        Assert.Contains($"{api.GetArrayLength()} device(s)", en.Out, StringComparison.Ordinal);
        Assert.Contains(seen.GetProperty("lastSeen").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), en.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provision_and_flash_speak_Chinese_with_lang_zh_CN()
    {
        const string device = "wq-0951";
        var dir = Directory.CreateTempSubdirectory("iotmon-lang-").FullName;
        var config = Path.Combine(dir, device + ".json");
        using var board = new NanoffBoard();
        try
        {
            string[] provision = ["provision", .. fx.Key, "--site", "wei-xianyang", "--device", device, "--type", "water", "--mqtt-host", "127.0.0.1",
                "--mqtt-port", fx.Gateway.MqttPort.ToString(CultureInfo.InvariantCulture), "--serial-port", board.Port, "--out", config, "--lang", "zh_CN"];
            var p = await Iotmon.RunAsync(provision);
            Assert.True(p.ExitCode == 0, p.Out + p.Err);
            Assert.Contains("已登记", p.Out, StringComparison.Ordinal);
            Assert.Contains($"现场技术员操作步骤(开发板接在 {board.Port};`iotmon flash --config {device}.json` 会依次执行):", p.Out, StringComparison.Ordinal);
            Assert.Contains($"  1. 刷写 nanoCLR ESP32_REV3 {FirmwareImage.Version}(保留 I: 盘):", p.Out, StringComparison.Ordinal);

            var again = await Iotmon.RunAsync(provision);
            Assert.NotEqual(0, again.ExitCode);
            Assert.Contains($"设备“{device}”已注册;其密钥只在创建时显示过一次。", again.Err, StringComparison.Ordinal);

            var image = Path.Combine(dir, "app.bin");
            await File.WriteAllBytesAsync(image, [0x4E, 0x46, 0x4D, 0x52, 1, 2, 3, 4]);
            var f = await Iotmon.RunAsync(["flash", "--config", config, "--serial-port", board.Port, "--image", image, "--nanoff", NanoffBoard.Executable, "--lang", "zh"]);
            Assert.True(f.ExitCode == 0, f.Out + f.Err);
            Assert.Contains("[2/3] 上传设备配置到 I:\\config.json", f.Out, StringComparison.Ordinal);
            Assert.Contains("  第 3 步完成", f.Out, StringComparison.Ordinal);
            Assert.Contains($"{device} 已刷写完成:配置哈希 ", f.Out, StringComparison.Ordinal);
            Assert.Contains($"确认其已上报:iotmon check --device {device} --config {device}.json", f.Out, StringComparison.Ordinal);
            Assert.Equal(await File.ReadAllBytesAsync(config), board.VolumeFile("config.json")); // the language changes the words, not the work
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_failed_flash_step_is_explained_in_Chinese()
    {
        var dir = Directory.CreateTempSubdirectory("iotmon-lang-fail-").FullName;
        var config = Path.Combine(dir, "wq-0952.json");
        await File.WriteAllTextAsync(config, DeviceConfigDocument.Build(new("wei-xianyang", "wq-0952", "water", "127.0.0.1", 1883, "secret")));
        var image = Path.Combine(dir, "app.bin");
        await File.WriteAllBytesAsync(image, [0x4E, 0x46, 0x4D, 0x52, 1, 2, 3, 4]);
        using var board = new NanoffBoard("/dev/ttyUSB7", "file");
        try
        {
            var r = await Iotmon.RunAsync(["flash", "--config", config, "--serial-port", board.Port, "--image", image, "--nanoff", NanoffBoard.Executable, "--lang", "zh"]);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("第 2 步(上传设备配置到 I:\\config.json)失败:", r.Err, StringComparison.Ordinal);
            Assert.Contains("nanoCLR 必须在运行", r.Err, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static List<string> Placeholders(string format) => [.. PlaceholderPattern().Matches(format).Select(m => m.Value).Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"\{[0-9]+(:[^}]*)?\}")]
    private static partial Regex PlaceholderPattern();
}
