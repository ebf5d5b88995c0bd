using System.Text;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Power;
using IoTMonitor.Firmware.Core.Tests.Node;
using Xunit.Abstractions;

namespace IoTMonitor.Firmware.Core.Tests.Power;

public class PowerModelTests(ITestOutputHelper output)
{
    [Fact]
    public void Water_node_at_15_minute_sampling_and_hourly_upload_lasts_a_year_on_6_Ah()
    {
        var config = new DeviceConfig();
        var b = Encoding.UTF8.GetBytes(NodeHarness.Config);
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(b, 0, b.Length, config));
        Assert.Equal((900, 3600), (config.SampleSec, config.UploadSec));
        var p = new PowerProfile();

        double daily = PowerModel.DailyMah(config, p);
        double months = PowerModel.LifeMonths(config, p);
        output.WriteLine($"sample wake {PowerModel.SampleWakeMs(config, p)} ms, {daily:F2} mAh/day, battery life {PowerModel.LifeDays(config, p):F0} days = {months:F1} months on {p.CapacityMah} mAh");
        Assert.True(months >= 12, $"{months:F1} months");
    }

    [Fact]
    public void Hand_computed_case()
    {
        // 1 wake/hour of 1 s at 100 mA, upload 1/hour of 1 s at 100 mA, 0 sleep current:
        // 24 × (100 + 100) mAs = 4800 mAs = 1.333 mAh/day.
        var c = new DeviceConfig { SampleSec = 3600, UploadSec = 3600 };
        var p = new PowerProfile { ActiveMa = 100, SensorsMa = 0, RadioMa = 100, BootMs = 500, SamplingMs = 500, UploadMs = 1000, ChipDeepSleepMa = 0, BoardSleepMa = 0 };
        Assert.Equal(4800 / 3600.0, PowerModel.DailyMah(c, p), 9);
    }
}
