using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sampling;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Sensors.Calibration;
using IoTMonitor.Firmware.Core.Tests.Fakes;

using FakeAnalogInput = IoTMonitor.Firmware.Core.Tests.Fakes.Sensors.FakeAnalogInput;

namespace IoTMonitor.Firmware.Core.Tests.Sampling;

/// <summary><c>calMaxAgeDays</c>: an old record still converts, but its readings show UNCALIBRATED again.</summary>
public class CalibrationExpiryTests
{
    private const long MadeAt = 1_764_547_200; // 2025-12-01
    private const long Day = 86_400;

    // A pH record that differs from the vendor defaults (1.5 V = pH 7), so which one converted shows.
    private static readonly CalibrationRecord PhRecord = new("cal-20251201-ph", CalibrationKind.Ph, [1.6, 2.1], [7.0, 4.0], 2, 0, 25, MadeAt);

    private static Reading Sample(long time, int configDays, int entryDays = -1, CalibrationRecord? record = null)
    {
        var c = new SensorConfig
        {
            Id = "ph",
            Kind = "analog",
            Quantities = [Quantities.WaterPh],
            Samples = 1,
            Calibration = record ?? PhRecord,
            CalMaxAgeDays = entryDays,
        };
        var f = new FakeSensorFactory();
        f.Drivers["ph"] = new AnalogProbeSensor(new FakeAnalogInput { Volts = 1.6 }, new PhProbe());
        var s = new Sampler();
        s.Bind([c], f, configDays);
        var clock = new FakeClock(time);
        s.StartAll(clock);
        var r = new Reading[1];
        Assert.Equal(1, s.SampleAll(clock, time, 100_000, r, 0));
        return r[0];
    }

    [Fact]
    public void A_record_older_than_calMaxAgeDays_flags_uncalibrated_and_still_converts_with_it()
    {
        var young = Sample(MadeAt + (30 * Day), configDays: 45);
        var old = Sample(MadeAt + (46 * Day), configDays: 45);

        Assert.Equal((7.0, QualityFlags.None), (Math.Round(young.Value, 9), young.Flags));
        Assert.Equal((7.0, QualityFlags.Uncalibrated), (Math.Round(old.Value, 9), old.Flags)); // vendor defaults would give 6.44
    }

    [Fact]
    public void Without_calMaxAgeDays_a_record_never_expires()
    {
        Assert.Equal(QualityFlags.None, Sample(MadeAt + (3650 * Day), configDays: 0).Flags);
    }

    [Fact]
    public void The_entrys_own_calMaxAgeDays_overrides_the_configs_and_zero_there_means_never()
    {
        long at = MadeAt + (20 * Day);
        Assert.Equal(QualityFlags.Uncalibrated, Sample(at, configDays: 0, entryDays: 10).Flags);
        Assert.Equal(QualityFlags.None, Sample(at, configDays: 10, entryDays: 0).Flags);
        Assert.Equal(QualityFlags.None, Sample(at, configDays: 10, entryDays: 30).Flags);
    }

    [Fact]
    public void An_unsynced_clock_expires_nothing()
    {
        // After a power-on the RTC counts from 0 until SNTP: no age can be told from it.
        Assert.Equal(QualityFlags.None, Sample(1_000_000, configDays: 1).Flags);
        Assert.Equal(QualityFlags.None, Sample(1_599_999_999, configDays: 1).Flags);
    }

    [Fact]
    public void A_record_without_a_date_cannot_be_aged_and_does_not_expire()
    {
        var undated = new CalibrationRecord("cal-undated", CalibrationKind.Ph, [1.6, 2.1], [7.0, 4.0], 2, 0, 25, 0);
        Assert.Equal(QualityFlags.None, Sample(MadeAt, configDays: 1, record: undated).Flags);
    }

    [Fact]
    public void The_sampler_gives_the_calibrated_battery_volts_of_its_round()
    {
        // Divider 100k/100k (nominal: 1.9 V at the pin = 3.8 V); the multimeter said 3.99 V.
        var c = new SensorConfig
        {
            Id = "bat",
            Kind = "battery",
            Quantities = [Quantities.DeviceBattery],
            Samples = 1,
            Calibration = new CalibrationRecord("cal-bat", CalibrationKind.Linear, [1.9], [3.99], 1, 0, 25, 0),
        };
        var adc = new FakeAnalogInput { Volts = 1.9 };
        var f = new FakeSensorFactory();
        f.Drivers["bat"] = new AnalogProbeSensor(adc, new BatteryDivider(100_000, 100_000));
        var s = new Sampler();
        s.Bind([c], f);
        var clock = new FakeClock(MadeAt);
        s.StartAll(clock);
        var r = new Reading[1];
        s.SampleAll(clock, MadeAt, 100_000, r, 0);

        Assert.Equal(3.99, r[0].Value, 9);
        Assert.Equal(r[0].Value, s.BatteryVolts);

        adc.Fails = true; // a round without a battery value gives none, not the last one
        s.SampleAll(new FakeClock(MadeAt), MadeAt, 100_000, r, 0);
        Assert.True(double.IsNaN(s.BatteryVolts));
    }
}
