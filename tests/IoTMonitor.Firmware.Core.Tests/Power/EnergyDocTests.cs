using System.Globalization;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Power;
using Xunit.Abstractions;

namespace IoTMonitor.Firmware.Core.Tests.Power;

/// <summary>
/// The energy table in hardware/common/power.md and firmware/README.md is the power model run on
/// the shipped configs: each document's table (after the <see cref="Marker"/> line) must equal,
/// cell for cell, what <see cref="Row"/> computes now. Change a config, a current or a duration and
/// this fails until the docs are updated (the test output prints the new table).
/// </summary>
public class EnergyDocTests(ITestOutputHelper output)
{
    public const string Marker = "<!-- energy-table: computed from firmware/IoTMonitor.Firmware/config/*.json by Power/EnergyDocTests -->";

    /// <summary>Design peak-sun hours of the worst site (Sichuan basin, December; power.md §5).</summary>
    public const double WorstPsh = 1.0;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string[] Row(string type)
    {
        DeviceConfig c = ShippedConfigs.Load(type);
        var p = new PowerProfile();
        var every = new PowerProfile { WifiOnEveryWake = true };
        int readings = PowerModel.ReadingsPerWake(c, false) * (c.UploadSec / c.SampleSec);
        return
        [
            type,
            $"{c.SampleSec} / {c.UploadSec}",
            (PowerModel.SampleWakeMs(c, p) / 1000.0).ToString("F1", Inv),
            (PowerModel.UploadMs(c, p, readings) / 1000.0).ToString("F1", Inv),
            (p.SleepFloorMa() * 1000).ToString("F0", Inv),
            PowerModel.DailyMah(c, p).ToString("F1", Inv),
            PowerModel.DailyMah(c, p, c.SampleSec * c.PowerStretch, c.UploadSec * c.PowerStretch, true).ToString("F1", Inv),
            PowerModel.LifeDays(c, p).ToString("F0", Inv),
            PowerModel.LifeDays(c, every).ToString("F0", Inv),
            PowerModel.SolarMargin(c, p, WorstPsh).ToString("F1", Inv) + "×",
        ];
    }

    [Fact]
    public void Prints_the_table()
    {
        output.WriteLine(Marker);
        output.WriteLine("| node | sampleSec / uploadSec | sampling wake s | an upload adds s | sleep floor µA | mAh/day | mAh/day in survival mode | days without sun | days if every wake joins Wi-Fi | sun / load at PSH 1.0 |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var t in ShippedConfigs.Types)
        {
            output.WriteLine("| " + string.Join(" | ", Row(t)) + " |");
        }

        foreach (var t in ShippedConfigs.Types)
        {
            Assert.Equal(10, Row(t).Length);
        }
    }

    [Theory]
    [InlineData("hardware/common/power.md")]
    [InlineData("firmware/README.md")]
    public void Doc_table_matches_the_model_on_the_shipped_configs(string doc)
    {
        var rows = ReadTable(RepoPaths.Combine(doc.Split('/')));
        foreach (var t in ShippedConfigs.Types)
        {
            Assert.True(rows.ContainsKey(t), $"{doc}: no row for {t}");
            Assert.Equal(Row(t), rows[t]);
        }
    }

    /// <summary>
    /// Every shipped config names the DS3231 (hardware/common/rtc-backup.md). Its VCC is on the sensor
    /// rail, so it costs the pack its datasheet current for the rails-on time of each sampling wake
    /// and nothing in deep sleep (it runs from its CR2032 there): the table above includes it.
    /// </summary>
    [Theory]
    [InlineData("water")]
    [InlineData("soil")]
    [InlineData("air")]
    public void The_rtc_each_config_names_costs_its_rail_time_and_nothing_in_sleep(string type)
    {
        DeviceConfig c = ShippedConfigs.Load(type);
        Assert.True(c.RtcBus >= 0, $"{type}: the shipped config names no rtc");
        var p = new PowerProfile();
        double with = PowerModel.DailyMah(c, p);
        c.RtcBus = -1;
        double without = PowerModel.DailyMah(c, p);
        double wakesPerDay = 86400.0 / c.SampleSec;
        double railsSec = PowerModel.RailsOnMs(c, p, false) / 1000.0;
        Assert.Equal(wakesPerDay * railsSec * p.RtcVccMa / 3600.0, with - without, 9);
        Assert.True(with - without > 0);
        Assert.Equal(0.2, p.RtcVccMa); // DS3231 datasheet 19-5170 Rev 10: I_CCA max at VCC 3.63 V
        Assert.True(p.SleepFloorMa() * 1000 < 70, "the sleep floor grew: the DS3231 must not be fed from the pack in sleep");
    }

    [Fact]
    public void The_old_twelve_month_claim_is_gone()
    {
        foreach (var doc in new[] { "hardware/common/power.md", "firmware/README.md" })
        {
            var text = File.ReadAllText(RepoPaths.Combine(doc.Split('/')));
            Assert.DoesNotContain("12.9 months", text);
            Assert.DoesNotContain("≈ 394 days", text);
        }
    }

    private static Dictionary<string, string[]> ReadTable(string path)
    {
        var lines = File.ReadAllLines(path);
        int at = Array.FindIndex(lines, l => l.Trim() == Marker);
        Assert.True(at >= 0, $"{path}: no energy table marker");
        var rows = new Dictionary<string, string[]>();
        for (int i = at + 3; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            var cells = lines[i].Trim().Trim('|').Split('|').Select(s => s.Trim()).ToArray();
            rows[cells[0]] = cells;
        }

        return rows;
    }
}
