using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Rain;
using IoTMonitor.Firmware.Core.Time;
using IoTMonitor.Firmware.Host.Sensors;
using IoTMonitor.Firmware.Host.Signals;

namespace IoTMonitor.Firmware.Host.Tests.Sensors;

/// <summary>
/// The virtual tipping bucket (a PCF8593 counting the bucket's tips, fed by an <see cref="IRainSignal"/>)
/// read by the core's own driver through the catalog, as a virtual flash-flood node reads it.
/// </summary>
public sealed class TippingBucket_Tests
{
    private const long Start = 1_764_316_800;

    [Fact]
    public void Steady_rain_accumulates_linearly_between_its_start_and_end()
    {
        var rain = new SteadyRain(Start, Start + 3600, 30);
        Assert.Equal(0, rain.CumulativeMm(Start - 60));
        Assert.Equal(15, rain.CumulativeMm(Start + 1800), 9);
        Assert.Equal(30, rain.CumulativeMm(Start + 7200), 9);
    }

    [Fact]
    public void The_core_driver_reports_the_rain_since_boot_as_the_bucket_tipped()
    {
        long now = Start;
        var board = new NodeBoard("water", new SiteEnvironment("s", 30, 104, 500), () => now, () => 3.9, _ => ProbeFault.None, 1);
        SimulatedTippingBucket bucket = board.AttachRainGauge(() => now, new SteadyRain(Start, Start + 7200, 50), 0.2);
        var factory = new SimulatedSensorFactory(board, new StubMs());
        var tally = new TipTally();
        factory.RainTally = tally;
        var config = new SensorConfig { Id = "rain", Kind = "rain-pcf8593", Quantities = [Quantities.RainTotal], Bus = 0, MmPerTip = 0.2 };
        ISensor gauge = factory.Create(config);
        var raw = new double[1];

        // First read: the fresh chip is in clock mode, so the driver sets it up (nothing counted yet).
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal(0, raw[0]);

        now += 900; // 12.5 mm at 50 mm/h: 62 whole tips
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal(62 * 0.2, raw[0], 9);

        // A cold start of the node (the counter keeps its supply): the new boot counts from the last read.
        tally.StartBoot();
        now += 900;
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal((bucket.Tips - 62) * 0.2, raw[0], 9);
        Assert.Equal(125, bucket.Tips);

        // The counter's own supply is cut: it comes back in clock mode and the tips in between are lost.
        bucket.PowerCut();
        now += 360; // 5 mm more fell
        double before = raw[0];
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal(before, raw[0], 9);
        now += 72; // one more mm: 5 tips counted again
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal(before + 1.0, raw[0], 9);
    }

    private sealed class StubMs : IClock
    {
        public long UtcSeconds => 0;
        public long Millis => 0;
        public void Sleep(int ms) { }
    }
}
