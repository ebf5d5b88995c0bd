using System.Text;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Power;

namespace IoTMonitor.Firmware.Core.Tests.Power;

public class PowerModelTests
{
    private static DeviceConfig Parse(string json)
    {
        var config = new DeviceConfig();
        var b = Encoding.UTF8.GetBytes(json);
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(b, 0, b.Length, config));
        return config;
    }

    private const string Head = """{"v":1,"device":"d","site":"s","type":"water","wifi":{"ssid":"x"},"mqtt":{"host":"h"},""";

    // Every figure zeroed but the ones under test, so the expected value is computed by hand.
    private static PowerProfile Bare() => new()
    {
        ChipDeepSleepMa = 0,
        LdoQuiescentMa = 0,
        DividerOhms = double.PositiveInfinity,
        ColdCutoffOhmsNtc = double.PositiveInfinity,
        ColdCutoffOhmsRef = double.PositiveInfinity,
        ComparatorMa = 0,
        BmsMa = 0,
        ChargerDrainMa = 0,
        BoardLeakMa = 0,
        CpuMa = 100,
        RadioMa = 100,
        MeasuredUploadMs = 0, // the hand-computed phases below
        BootMs = 500,
        PersistMs = 500,
        WifiJoinMs = 0,
        DhcpMs = 0,
        MqttConnectMs = 0,
        SntpMs = 0,
        PublishMs = 0,
        ReceiveWindowMs = 1000,
        BoostEfficiency = 1,
        PackVolts = 4,
    };

    [Fact]
    public void Hand_computed_day_one_wake_and_one_upload_per_hour_no_sensors()
    {
        // 24 × (1 s at 100 mA) sampling + 24 × (1 s at 100 mA) upload = 4800 mA·s = 1.333 mAh/day.
        var c = Parse(Head + "\"sampleSec\":3600,\"uploadSec\":3600}");
        Assert.Equal(4800 / 3600.0, PowerModel.DailyMah(c, Bare()), 9);
    }

    [Fact]
    public void Hand_computed_rails_turbidity_on_a_boost_and_a_ds18b20()
    {
        // turbidity: 5 V × 40 mA / (4 V × 1) = 50 mA, warm-up 500 ms, 2 samples × 20 ms;
        // DS18B20: 1 mA, 1 sample × 770 ms. Rails on 500 + 40 + 770 = 1310 ms at 100 + 51 mA.
        var c = Parse(Head + """
            "sampleSec":3600,"uploadSec":3600,"sensors":[
            {"id":"t","kind":"analog","quantity":"water.turbidity","pin":34,"samples":2,"warmupMs":500},
            {"id":"w","kind":"ds18b20","quantity":"water.temp","tx":22,"rx":21,"samples":1}]}
            """);
        var p = Bare();
        Assert.Equal(1310, PowerModel.RailsOnMs(c, p, false));
        Assert.Equal(2310, PowerModel.SampleWakeMs(c, p));
        Assert.Equal((1.0 * 100) + (1.310 * 151), PowerModel.SampleWakeMas(c, p, false), 9);
    }

    [Fact]
    public void Sleep_floor_counts_the_divider_and_the_cold_cutoff_at_pack_voltage()
    {
        var p = new PowerProfile();
        Assert.Equal(0.0185, p.DividerMa(), 6); // 3.7 V / 200 kΩ
        Assert.Equal(0.0185 + 0.001 + 0.000075, p.ColdCutoffMa(), 6);
        Assert.True(p.SleepFloorMa() > 0.065 && p.SleepFloorMa() < 0.07, p.SleepFloorMa().ToString());
    }

    [Fact]
    public void Skipping_high_current_sensors_drops_the_pms_warm_up_and_its_current()
    {
        var c = ShippedConfigs.Load("air");
        var p = new PowerProfile();
        Assert.Equal(30000 + (3 * 1000) + (1 * 20) + (3 * 30) + (3 * 20), PowerModel.RailsOnMs(c, p, false));
        // Left: the BME280 (its 2 ms start-up, datasheet Table 1) and the battery divider.
        Assert.Equal(IoTMonitor.Firmware.Core.Sensors.SensorSettle.Bme280StartUpMs + (3 * 30) + (3 * 20), PowerModel.RailsOnMs(c, p, true));
        Assert.True(PowerModel.DailyMah(c, p, c.SampleSec, c.UploadSec, true) < PowerModel.DailyMah(c, p) / 5);
    }

    [Fact]
    public void Uploads_cost_more_per_batch_and_less_when_wifi_joins_only_on_upload_wakes()
    {
        var c = ShippedConfigs.Load("water");
        var p = new PowerProfile { MeasuredUploadMs = 0 }; // the assumed phases
        Assert.Equal(p.MqttConnectMs + p.SntpMs + (3 * p.PublishMs) + p.ReceiveWindowMs + p.WifiJoinMs + p.DhcpMs, PowerModel.UploadMs(c, p, 24));
        Assert.Equal(PowerModel.UploadMs(c, p, 24) + p.PublishMs, PowerModel.UploadMs(c, p, 51));
        var every = new PowerProfile { WifiOnEveryWake = true };
        Assert.True(PowerModel.LifeDays(c, every) < PowerModel.LifeDays(c, new PowerProfile()));
    }

    [Fact]
    public void The_upload_cost_is_the_runtime_models_measurement_when_there_is_one()
    {
        // The short soak's clean timer wakes (firmware/README.md): upload-wake awake time − sampling-only
        // awake time, water 6,081 ms, soil 6,414 ms, air 6,760 ms.
        var c = ShippedConfigs.Load("water");
        var p = new PowerProfile();
        Assert.Equal((6081 + 6414 + 6760) / 3, p.MeasuredUploadMs);
        Assert.Equal(p.MeasuredUploadMs, PowerModel.UploadMs(c, p, 24));
        Assert.Equal(p.MeasuredUploadMs - p.WifiJoinMs - p.DhcpMs, PowerModel.UploadMs(c, new PowerProfile { WifiOnEveryWake = true }, 24));
    }
}
