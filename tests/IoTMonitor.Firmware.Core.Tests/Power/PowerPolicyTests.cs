using System.Text;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Power;

namespace IoTMonitor.Firmware.Core.Tests.Power;

public class PowerPolicyTests
{
    // Defaults: economy 3.60, survival 3.45, cutoff 3.35, resume 3.55, hysteresis 0.05, stretch 4, check 3600 s.
    private static readonly DeviceConfig Defaults = new();

    [Theory]
    [InlineData(PowerMode.Normal, 3700, PowerMode.Normal)]
    [InlineData(PowerMode.Normal, 3599, PowerMode.Economy)]
    [InlineData(PowerMode.Normal, 3449, PowerMode.Survival)]
    [InlineData(PowerMode.Normal, 3349, PowerMode.Cutoff)] // a step down skips levels at once
    [InlineData(PowerMode.Economy, 3620, PowerMode.Economy)] // above 3.60 but within the hysteresis
    [InlineData(PowerMode.Economy, 3650, PowerMode.Normal)]
    [InlineData(PowerMode.Survival, 3480, PowerMode.Survival)]
    [InlineData(PowerMode.Survival, 3500, PowerMode.Economy)]
    [InlineData(PowerMode.Survival, 3700, PowerMode.Normal)]
    [InlineData(PowerMode.Cutoff, 3400, PowerMode.Cutoff)] // above cutoff + hysteresis, still below resume
    [InlineData(PowerMode.Cutoff, 3549, PowerMode.Cutoff)]
    [InlineData(PowerMode.Cutoff, 3550, PowerMode.Economy)] // resume: 3.55 − 0.05 = 3.50, the economy band
    [InlineData(PowerMode.Cutoff, 3660, PowerMode.Normal)]
    public void Steps_down_at_once_and_up_only_past_the_hysteresis(PowerMode current, int trendMv, PowerMode expected)
    {
        Assert.Equal(expected, PowerPolicy.Next(Defaults, current, trendMv));
    }

    [Fact]
    public void Thresholds_at_zero_are_off()
    {
        var c = new DeviceConfig { PowerEconomyMv = 0, PowerSurvivalMv = 0, PowerCutoffMv = 0 };
        Assert.Equal(PowerMode.Normal, PowerPolicy.Next(c, PowerMode.Normal, 3000));
        var onlyCutoff = new DeviceConfig { PowerEconomyMv = 0, PowerSurvivalMv = 0 };
        Assert.Equal(PowerMode.Cutoff, PowerPolicy.Next(onlyCutoff, PowerMode.Normal, 3300));
        Assert.Equal(PowerMode.Normal, PowerPolicy.Next(onlyCutoff, PowerMode.Cutoff, 3600));
    }

    [Fact]
    public void Trend_follows_a_quarter_of_each_step_so_one_sagging_reading_switches_nothing()
    {
        var p = new PowerPolicy();
        p.Begin(Defaults, 0, 0);
        Assert.Equal(PowerMode.Normal, p.Update(3.90));
        Assert.Equal(3900, p.TrendMv);
        Assert.Equal(PowerMode.Normal, p.Update(3.30)); // one reading under load: trend 3750
        Assert.Equal(3750, p.TrendMv);
        Assert.Equal(PowerMode.Normal, p.Update(double.NaN)); // no reading: nothing moves
        Assert.Equal(3750, p.TrendMv);
        for (int i = 0; i < 12; i++)
        {
            p.Update(3.30);
        }

        Assert.Equal(PowerMode.Cutoff, p.Mode);
    }

    [Fact]
    public void Entering_cutoff_allows_one_last_upload_then_none()
    {
        var p = new PowerPolicy();
        p.Begin(Defaults, (int)PowerMode.Survival, 3360);
        p.Update(3.30); // 3360 + (3300 − 3360)/4 = 3345 < 3350
        Assert.Equal(PowerMode.Cutoff, p.Mode);
        Assert.True(p.LastReportDue);
        Assert.True(p.Uploads);
        Assert.Equal(3600, p.SampleSec(900));

        p.Begin(Defaults, (int)p.Mode, p.TrendMv); // next wake
        p.Update(3.30);
        Assert.False(p.LastReportDue);
        Assert.False(p.Uploads);
    }

    [Fact]
    public void Intervals_stretch_per_mode_and_are_capped()
    {
        var p = new PowerPolicy();
        p.Begin(Defaults, (int)PowerMode.Normal, 0);
        Assert.Equal((900, 3600), (p.SampleSec(900), p.UploadSec(3600)));
        p.Begin(Defaults, (int)PowerMode.Economy, 0);
        Assert.Equal((900, 14400), (p.SampleSec(900), p.UploadSec(3600)));
        p.Begin(Defaults, (int)PowerMode.Survival, 0);
        Assert.Equal((3600, 14400), (p.SampleSec(900), p.UploadSec(3600)));
        Assert.Equal((86400, 7 * 86400), (p.SampleSec(86400), p.UploadSec(7 * 86400)));
    }

    [Fact]
    public void Survival_leaves_particle_and_co2_sensors_off_cutoff_reads_only_the_battery()
    {
        var air = ShippedConfigs.Load("air");
        var p = new PowerPolicy();
        p.Begin(air, (int)PowerMode.Economy, 0);
        Assert.Same(air.Sensors, p.Select(air.Sensors));
        p.Begin(air, (int)PowerMode.Survival, 0);
        Assert.Equal(["bme280", "battery"], p.Select(air.Sensors).Select(s => s.Id));
        p.Begin(air, (int)PowerMode.Cutoff, 0);
        Assert.Equal(["battery"], p.Select(air.Sensors).Select(s => s.Id));

        var water = ShippedConfigs.Load("water");
        p.Begin(water, (int)PowerMode.Survival, 0);
        Assert.Same(water.Sensors, p.Select(water.Sensors)); // water and soil probes are what the node is for: stretched, kept
    }

    [Fact]
    public void A_stored_mode_out_of_range_reads_as_normal()
    {
        var p = new PowerPolicy();
        p.Begin(Defaults, 9, -5);
        Assert.Equal((PowerMode.Normal, 0), (p.Mode, p.TrendMv));
    }

    [Fact]
    public void Survival_mode_cuts_the_daily_charge_at_least_threefold_on_every_shipped_config()
    {
        // What the modes buy, computed with the same model as the docs' table.
        var profile = new PowerProfile();
        foreach (var t in ShippedConfigs.Types)
        {
            var c = ShippedConfigs.Load(t);
            double normal = PowerModel.DailyMah(c, profile);
            double survival = PowerModel.DailyMah(c, profile, c.SampleSec * c.PowerStretch, c.UploadSec * c.PowerStretch, true);
            Assert.True(survival < normal / 3, $"{t}: {survival:F1} vs {normal:F1} mAh/day");
        }
    }
}

public class PowerConfigTests
{
    private const string Head = """{"v":1,"device":"d","site":"s","type":"air","wifi":{"ssid":"x"},"mqtt":{"host":"h"}""";

    private static (ConfigError, DeviceConfig) Parse(string power)
    {
        var c = new DeviceConfig();
        var b = Encoding.UTF8.GetBytes(Head + (power.Length == 0 ? "" : ",\"power\":" + power) + "}");
        return (new ConfigParser().ParseDevice(b, 0, b.Length, c), c);
    }

    [Fact]
    public void Without_power_the_defaults_are_in_force()
    {
        var (e, c) = Parse("");
        Assert.Equal(ConfigError.None, e);
        Assert.Equal((3600, 3450, 3350, 3550, 50, 4, 3600), (c.PowerEconomyMv, c.PowerSurvivalMv, c.PowerCutoffMv, c.PowerResumeMv, c.PowerHysteresisMv, c.PowerStretch, c.PowerCheckSec));
    }

    [Fact]
    public void Every_key_is_read()
    {
        var (e, c) = Parse("""{"economyV":3.7,"survivalV":3.5,"cutoffV":3.3,"resumeV":3.6,"hysteresisV":0.1,"stretch":8,"checkSec":7200,"future":1}""");
        Assert.Equal(ConfigError.None, e);
        Assert.Equal((3700, 3500, 3300, 3600, 100, 8, 7200), (c.PowerEconomyMv, c.PowerSurvivalMv, c.PowerCutoffMv, c.PowerResumeMv, c.PowerHysteresisMv, c.PowerStretch, c.PowerCheckSec));
    }

    [Fact]
    public void Zero_turns_a_step_off()
    {
        var (e, c) = Parse("""{"economyV":0,"survivalV":0}""");
        Assert.Equal(ConfigError.None, e);
        Assert.Equal((0, 0, 3350), (c.PowerEconomyMv, c.PowerSurvivalMv, c.PowerCutoffMv));
    }

    [Theory]
    [InlineData("""{"cutoffV":2.9}""", ConfigError.BadValue)] // below 3.0 V: the BMS cuts at ~2.5 V, the LDO drops out long before
    [InlineData("""{"economyV":4.3}""", ConfigError.BadValue)]
    [InlineData("""{"survivalV":3.7}""", ConfigError.BadValue)] // survival above economy (3.60)
    [InlineData("""{"cutoffV":3.5}""", ConfigError.BadValue)] // cutoff above survival (3.45)
    [InlineData("""{"resumeV":3.3}""", ConfigError.BadValue)] // resume not above cutoff: never leaves it
    [InlineData("""{"hysteresisV":0.6}""", ConfigError.BadValue)]
    [InlineData("""{"stretch":0}""", ConfigError.BadValue)]
    [InlineData("""{"checkSec":60}""", ConfigError.BadValue)]
    [InlineData("""{"cutoffV":"3.3"}""", ConfigError.BadValue)]
    [InlineData("3.3", ConfigError.BadValue)]
    public void Bad_values_are_refused_with_their_code(string power, ConfigError expected)
    {
        var (e, c) = Parse(power);
        Assert.Equal(expected, e);
        Assert.Equal(3350, c.PowerCutoffMv); // the target is untouched
    }

    [Fact]
    public void A_remote_config_cannot_change_it()
    {
        var (_, c) = Parse("");
        var remote = Encoding.UTF8.GetBytes("""{"v":1,"rev":3,"power":{"cutoffV":3.0}}""");
        Assert.Equal(ConfigError.None, new ConfigParser().ParseRemote(remote, 0, remote.Length, c, out _));
        Assert.Equal(3350, c.PowerCutoffMv);
    }
}
