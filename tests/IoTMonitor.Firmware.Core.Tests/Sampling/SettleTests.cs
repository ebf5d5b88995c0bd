using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sampling;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Tests.Fakes;

namespace IoTMonitor.Firmware.Core.Tests.Sampling;

/// <summary>
/// The settle after a rail switches on (SensorSettle, datasheet figures): the sampler takes no
/// reading before it, waits it once from power-on for all sensors together, and drops the SCD41's
/// first shot after power-up (SCD4x datasheet v1.3 §3.1, §3.10; PMS5003 manual v2.3).
/// </summary>
public class SettleTests
{
    private const long Utc = 1_764_316_800;

    private static SensorConfig Config(string id, string kind, int quantity, int warmupMs = 0) =>
        new() { Id = id, Kind = kind, Quantities = [quantity], Samples = 1, WarmupMs = warmupMs };

    private static (Sampler, FakeClock) Bound(FakeSensorFactory f, params SensorConfig[] configs)
    {
        var s = new Sampler();
        s.Bind(configs, f);
        return (s, new FakeClock(Utc));
    }

    private static Reading[] Sample(Sampler s, FakeClock clock, int since)
    {
        var r = new Reading[8];
        int n = s.SampleAll(clock, Utc, since, r, 0);
        return r[..n];
    }

    [Fact]
    public void A_read_before_the_datasheet_settle_is_not_taken()
    {
        var pm = Config("pm", "pms5003", Quantities.AirPm25);
        var f = new FakeSensorFactory();
        var dust = new FakeSensor(1) { Values = [12.0] };
        f.ById["pm"] = dust;
        var (s, clock) = Bound(f, pm);
        dust.Clock = clock;

        s.StartAll(clock);
        clock.Advance(SensorSettle.Pms5003FanMs - 1);
        var early = Sample(s, clock, SensorSettle.Pms5003FanMs - 1).Single();
        Assert.Equal(0, dust.Reads);
        Assert.Equal(QualityFlags.NoValue | QualityFlags.WarmingUp, early.Flags & (QualityFlags.NoValue | QualityFlags.WarmingUp));

        s.WarmUp(clock, 60_000);
        Assert.Equal(SensorSettle.Pms5003FanMs, clock.Millis);
        var r = Sample(s, clock, SensorSettle.Pms5003FanMs).Single();
        Assert.Equal(12.0, r.Value);
        Assert.Equal(0, r.Flags & QualityFlags.NoValue);
        Assert.All(dust.ReadAtMs, t => Assert.True(t >= SensorSettle.Pms5003FanMs, $"read at {t} ms"));
    }

    [Fact]
    public void Sensors_sharing_a_rail_wait_once_not_one_after_another()
    {
        // Two RS485 probes on one 12 V rail, 1000 ms settle each (CWT manual), and a pH board with
        // warmupMs 2000: the wake waits 2000 ms from power-on, not 1000 + 1000 + 2000.
        var a = Config("npk1", "modbus", Quantities.SoilEc);
        var b = Config("npk2", "modbus", Quantities.SoilEc);
        var ph = Config("ph", "analog", Quantities.WaterPh, warmupMs: 2000);
        var f = new FakeSensorFactory();
        f.ById["npk1"] = new FakeSensor(1);
        f.ById["npk2"] = new FakeSensor(1);
        f.ById["ph"] = new FakeSensor(1);
        var (s, clock) = Bound(f, a, b, ph);

        s.StartAll(clock);
        Assert.Equal(0, clock.Millis); // none of them needs time before its first command
        s.WarmUp(clock, 60_000);
        Assert.Equal(2000, clock.Millis);
        Assert.All(Sample(s, clock, 2000), r => Assert.Equal(0, r.Flags & QualityFlags.NoValue));
    }

    [Fact]
    public void The_scd41_is_started_after_its_power_up_its_first_shot_dropped_all_within_the_dust_sensors_fan_time()
    {
        // The air node: BME280 (2 ms start-up), SCD41 (1000 ms to idle, 5 s per shot, first shot
        // after power-up discarded), PMS5003 (30 s fan) — all on at once, one wait of 30 s.
        var bme = Config("bme", "bme280", Quantities.AirTemp);
        var co2 = Config("co2", "scd4x", Quantities.AirCo2, warmupMs: 5000);
        var pm = Config("pm", "pms5003", Quantities.AirPm25, warmupMs: 30000);
        var f = new FakeSensorFactory();
        var bmeSensor = new FakeSensor(1, warmupMs: 10);
        var scd = new FakeSensor(1, warmupMs: 5000) { Sequence = i => i == 0 ? [9999.0] : [421.0] };
        var dust = new FakeSensor(1, warmupMs: 30000);
        f.ById["bme"] = bmeSensor;
        f.ById["co2"] = scd;
        f.ById["pm"] = dust;
        var (s, clock) = Bound(f, bme, co2, pm);
        scd.Clock = clock;

        s.StartAll(clock);
        Assert.Equal(SensorSettle.Scd41PowerUpMs, clock.Millis); // the SCD41 is the last to start
        Assert.Equal((1, 1, 1), (bmeSensor.Starts, scd.Starts, dust.Starts));

        s.WarmUp(clock, 120_000);
        Assert.Equal(30_000, clock.Millis); // the SCD41's 11 s ran inside the fan's 30 s
        Assert.Equal(2, scd.Starts); // first shot read at 6 s and dropped, second started
        Assert.Equal([6000L], scd.ReadAtMs);

        var r = Sample(s, clock, 30_000 - 1000);
        Assert.Equal(421.0, r[1].Value);
        Assert.Equal(0, r[1].Flags & (QualityFlags.NoValue | QualityFlags.WarmingUp));
        Assert.Equal(2, scd.Reads);
    }

    [Fact]
    public void Without_the_discard_done_the_scd41_is_not_read()
    {
        var co2 = Config("co2", "scd4x", Quantities.AirCo2);
        var f = new FakeSensorFactory();
        var scd = new FakeSensor(1, warmupMs: 5000) { Values = [9999.0] };
        f.ById["co2"] = scd;
        var (s, clock) = Bound(f, co2);
        s.StartAll(clock);

        // The awake budget ends before the second shot: nothing from the first shot is queued.
        s.WarmUp(clock, 7000);
        Assert.Equal(SensorSettle.Scd41PowerUpMs + 7000, clock.Millis);
        var r = Sample(s, clock, 7000).Single();
        Assert.True((r.Flags & QualityFlags.NoValue) != 0);
        Assert.True((r.Flags & QualityFlags.WarmingUp) != 0);
        Assert.Equal(1, scd.Reads); // only the dropped one
    }

    [Fact]
    public void The_power_model_counts_the_same_settle_the_sampler_waits()
    {
        var pm = Config("pm", "pms5003", Quantities.AirPm25);
        var co2 = Config("co2", "scd4x", Quantities.AirCo2);
        Assert.Equal(SensorSettle.SettleMs(pm.Kind), IoTMonitor.Firmware.Core.Power.SensorLoads.For(pm, 3.7, 0.85).SettleMs);
        Assert.Equal(SensorSettle.Scd41PowerUpMs + (2 * 5000), IoTMonitor.Firmware.Core.Power.SensorLoads.For(co2, 3.7, 0.85).SettleMs);
        Assert.Equal(2 * 296.0 / 3.3, IoTMonitor.Firmware.Core.Power.SensorLoads.For(co2, 3.7, 0.85).WakeMas, 9);
    }
}
