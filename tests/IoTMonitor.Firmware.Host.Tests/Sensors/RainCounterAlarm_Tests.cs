using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Rain;
using IoTMonitor.Firmware.Host.Sensors;
using IoTMonitor.Firmware.Host.Signals;

namespace IoTMonitor.Firmware.Host.Tests.Sensors;

/// <summary>
/// The PCF8593 model's event alarm driven by the core's own driver: INT (open drain, active low)
/// goes low when the count reaches the alarm count, stays low until the flag is written 0, and the
/// flag shows in control bit 1 (PCF8593 data sheet Rev. 04 §7, alarm control and alarm registers in
/// event-counter mode, interrupt output).
/// </summary>
public sealed class RainCounterAlarm_Tests
{
    private const long Start = 1_764_316_800;

    [Fact]
    public void Int_goes_low_at_the_alarm_count_and_is_released_only_by_clearing_the_flag()
    {
        long now = Start;
        var board = new NodeBoard("water", new SiteEnvironment("s", 30, 104, 500), () => now, () => 3.9, _ => ProbeFault.None, 1);
        SimulatedTippingBucket bucket = board.AttachRainGauge(() => now, new SteadyRain(Start, Start + 7200, 60), 0.2); // a tip every 12 s
        var counter = new Pcf8593TipCounter(board.I2c);

        Assert.Equal(ReadResult.Ok, counter.Read(out long count, out bool restarted)); // sets up event-counter mode
        Assert.True(restarted);
        Assert.Equal(0, count);
        Assert.False(bucket.IntLow);

        Assert.Equal(ReadResult.Ok, counter.ArmAlarm(25));
        Assert.True(counter.AlarmOn);
        Assert.Equal(Start + 300, bucket.IntLowBetween(Start, Start + 900)); // 25 tips × 12 s
        Assert.Null(bucket.IntLowBetween(Start, Start + 299));

        now = Start + 299;
        Assert.False(bucket.IntLow);
        now = Start + 300;
        Assert.True(bucket.IntLow);
        now = Start + 400; // the flag latches: INT stays low while the count goes on
        Assert.True(bucket.IntLow);
        Assert.Equal(ReadResult.Ok, counter.Read(out count, out restarted));
        Assert.False(restarted);
        Assert.Equal(33, count); // reading the count does not release INT
        Assert.True(bucket.IntLow);
        Assert.True(bucket.AlarmFlag);

        // Re-arming writes the flag 0: INT is released and goes low again at the new count.
        Assert.Equal(ReadResult.Ok, counter.ArmAlarm(count + 5));
        Assert.False(bucket.IntLow);
        Assert.Equal(Start + 456, bucket.IntLowBetween(now, now + 900)); // the 38th tip

        // Disarmed: no INT however much it rains.
        Assert.Equal(ReadResult.Ok, counter.DisarmAlarm());
        Assert.False(counter.AlarmOn);
        Assert.Null(bucket.IntLowBetween(now, now + 3600));
        now += 3600;
        Assert.False(bucket.IntLow);
    }

    [Fact]
    public void A_power_cut_of_the_counter_drops_its_alarm()
    {
        long now = Start;
        var board = new NodeBoard("water", new SiteEnvironment("s", 30, 104, 500), () => now, () => 3.9, _ => ProbeFault.None, 1);
        SimulatedTippingBucket bucket = board.AttachRainGauge(() => now, new SteadyRain(Start, Start + 7200, 60), 0.2);
        var counter = new Pcf8593TipCounter(board.I2c);
        counter.Read(out _, out _);
        Assert.Equal(ReadResult.Ok, counter.ArmAlarm(5));
        bucket.PowerCut();
        Assert.Null(bucket.IntLowBetween(now, now + 3600));
    }
}
