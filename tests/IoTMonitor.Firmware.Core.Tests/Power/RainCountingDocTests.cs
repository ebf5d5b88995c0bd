using System.Globalization;
using IoTMonitor.Firmware.Core.Power;
using Xunit.Abstractions;

namespace IoTMonitor.Firmware.Core.Tests.Power;

/// <summary>
/// The decision table for counting tips during deep sleep (Sensors/Rain/README.md and
/// hardware/common/power.md §8) is <see cref="RainCounting"/> on the power profile: both tables must
/// equal what <see cref="Row"/> computes now, cell for cell.
/// </summary>
public class RainCountingDocTests(ITestOutputHelper output)
{
    public const string Marker = "<!-- rain-counting-table: computed by Power/RainCountingDocTests (0.2 mm bucket) -->";

    private const double MmPerTip = 0.2;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly (int Way, string Name, string Writes)[] Ways =
    [
        (RainCounting.WakePerTip, "wake per tip (EXT1)", "1 per tip"),
        (RainCounting.ExternalCounter, "PCF8593 counter (chosen)", "0"),
        (RainCounting.PoweredGauge, "RS485 gauge kept powered", "0"),
    ];

    public static string[] Row(int way, string name, string writes)
    {
        var p = new PowerProfile();
        return
        [
            name,
            RainCounting.MahPerMm(way, 5, MmPerTip, p).ToString("F4", Inv),
            RainCounting.MahPerMm(way, 50, MmPerTip, p).ToString("F4", Inv),
            RainCounting.MahPerMm(way, 100, MmPerTip, p).ToString("F4", Inv),
            RainCounting.DryDayMah(way, p).ToString("F2", Inv),
            writes,
        ];
    }

    [Fact]
    public void Prints_the_table_and_the_counter_wins_at_every_intensity()
    {
        output.WriteLine(Marker);
        output.WriteLine("| way | mAh per mm at 5 mm/h | at 50 mm/h | at 100 mm/h | mAh per dry day | flash writes |");
        output.WriteLine("|---|---|---|---|---|---|");
        foreach (var w in Ways)
        {
            output.WriteLine("| " + string.Join(" | ", Row(w.Way, w.Name, w.Writes)) + " |");
        }

        var p = new PowerProfile();
        foreach (var rate in new[] { 5.0, 50.0, 100.0 })
        {
            double counter = RainCounting.MahPerMm(RainCounting.ExternalCounter, rate, MmPerTip, p);
            Assert.True(counter * 10 < RainCounting.MahPerMm(RainCounting.WakePerTip, rate, MmPerTip, p), $"at {rate} mm/h");
            Assert.True(counter * 10 < RainCounting.MahPerMm(RainCounting.PoweredGauge, rate, MmPerTip, p), $"at {rate} mm/h");
        }

        // A wake per tip: boot 1.5 s + commit 0.2 s at 50 mA = 85 mA·s per tip, 5 tips per mm.
        Assert.Equal(5 * 85 / 3600.0, RainCounting.MahPerMm(RainCounting.WakePerTip, 50, MmPerTip, p), 9);
    }

    [Theory]
    [InlineData("firmware/IoTMonitor.Firmware.Core/Sensors/Rain/README.md")]
    [InlineData("hardware/common/power.md")]
    public void Doc_table_matches_the_model(string doc)
    {
        var lines = File.ReadAllLines(RepoPaths.Combine(doc.Split('/')));
        int at = Array.IndexOf(lines, Marker);
        Assert.True(at >= 0, $"{doc}: no line '{Marker}'");
        var rows = lines.Skip(at + 3).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())
            .ToList();
        Assert.Equal(Ways.Length, rows.Count);
        for (int i = 0; i < Ways.Length; i++)
        {
            Assert.Equal(Row(Ways[i].Way, Ways[i].Name, Ways[i].Writes), rows[i]);
        }
    }
}

/// <summary>
/// The event-mode cost table in firmware/README.md and hardware/common/power.md (§8) is
/// <see cref="EventModeCost"/> on the shipped configs at the default <c>eventSampleSec</c>.
/// </summary>
public class EventModeCostDocTests(ITestOutputHelper output)
{
    public const string Marker = "<!-- event-cost-table: computed from firmware/IoTMonitor.Firmware/config/*.json by Power/EventModeCostDocTests -->";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string[] Row(string type)
    {
        var c = ShippedConfigs.Load(type);
        var p = new PowerProfile();
        double normal = EventModeCost.NormalHourMah(c, p);
        double ev = EventModeCost.EventHourMah(c, p);
        return
        [
            type,
            c.EventSampleSec.ToString(Inv),
            normal.ToString("F2", Inv),
            ev.ToString("F1", Inv),
            (6 * (ev - normal)).ToString("F0", Inv),
        ];
    }

    [Fact]
    public void Prints_the_table_and_an_event_hour_costs_more_than_a_normal_one()
    {
        output.WriteLine(Marker);
        output.WriteLine("| node | eventSampleSec | mAh per normal hour | mAh per event hour | a 6-hour storm adds mAh |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var t in ShippedConfigs.Types)
        {
            output.WriteLine("| " + string.Join(" | ", Row(t)) + " |");
            var c = ShippedConfigs.Load(t);
            Assert.True(EventModeCost.EventHourMah(c, new PowerProfile()) > EventModeCost.NormalHourMah(c, new PowerProfile()));
        }
    }

    [Theory]
    [InlineData("hardware/common/power.md")]
    [InlineData("firmware/README.md")]
    public void Doc_table_matches_the_model(string doc)
    {
        var lines = File.ReadAllLines(RepoPaths.Combine(doc.Split('/')));
        int at = Array.IndexOf(lines, Marker);
        Assert.True(at >= 0, $"{doc}: no line '{Marker}'");
        var rows = lines.Skip(at + 3).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())
            .ToDictionary(r => r[0]);
        foreach (var t in ShippedConfigs.Types)
        {
            Assert.True(rows.ContainsKey(t), $"{doc}: no row for {t}");
            Assert.Equal(Row(t), rows[t]);
        }
    }
}
