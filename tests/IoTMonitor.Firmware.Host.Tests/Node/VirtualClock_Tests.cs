using IoTMonitor.Firmware.Core.Time;
using IoTMonitor.Firmware.Host.Node;

namespace IoTMonitor.Firmware.Host.Tests.Node;

public sealed class VirtualClock_Tests
{
    private static readonly long Past = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds();

    [Fact]
    public void Simulated_time_runs_at_the_speedup_between_wakes()
    {
        var sim = new SimulationClock(Past, 3600);
        var before = sim.NowUtcMs;
        Thread.Sleep(200);
        var advanced = sim.NowUtcMs - before;
        Assert.InRange(advanced, 3600L * 150, 3600L * 1000); // ≈ 200 ms × 3600, generous for a busy machine
    }

    [Fact]
    public void Simulated_time_never_runs_ahead_of_the_real_clock()
    {
        var sim = new SimulationClock(DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds(), 100_000);
        Thread.Sleep(100);
        Assert.True(sim.NowUtcMs <= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.True(sim.IsCaughtUp);
    }

    [Fact]
    public void Sleep_costs_no_real_time_but_the_node_sees_it()
    {
        var clock = new VirtualClock(new SimulationClock(Past, 60));
        clock.BeginWake();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        clock.Sleep(30_000);
        Assert.True(watch.ElapsedMilliseconds < 1000);
        Assert.InRange(clock.Millis, 30_000, 31_000);

        // The drivers are handed the node's clock as IClock; it reads one live wake stopwatch, so
        // compare against readings taken either side.
        var before = clock.Millis;
        var driverClock = ((IClock)clock).Millis;
        var after = clock.Millis;
        Assert.InRange(driverClock, before, after);
    }

    [Fact]
    public void After_power_on_the_rtc_is_unsynced_until_sync()
    {
        var clock = new VirtualClock(new SimulationClock(Past, 60));
        clock.PowerOn();
        Assert.True(clock.UtcSeconds < 1_600_000_000, $"unsynced clock reads {clock.UtcSeconds}");
        clock.Sync();
        Assert.InRange(clock.UtcSeconds, (Past / 1000) - 5, (Past / 1000) + 120);
    }
}
