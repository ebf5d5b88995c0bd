using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Node;

namespace IoTMonitor.Firmware.Host.Tests.Fleet;

/// <summary>
/// A host that runs a node's wakes late must not make the node skip samplings: on a real node the
/// sleep timer fires on time whatever else happens. Each wake here costs 10 ms real, 200 s simulated
/// at 20,000×, far more than the node's 60-s interval. No broker: the uploads fail and are retried
/// later, which does not move the sampling grid.
/// </summary>
public sealed class VirtualFleetSchedule_Tests
{
    private const int SampleSec = 60;

    [Fact]
    public async Task A_wake_the_host_runs_late_starts_when_the_node_timer_fired()
    {
        var starts = await WakeStartsAsync(TimeSpan.FromHours(6));
        var gaps = starts.Zip(starts.Skip(1), (a, b) => (b - a) / 1000.0).ToList();
        // the node sleeps whole RTC seconds from the end of a wake to its next sampling: a wake
        // start can move by up to a second or two against the sampling grid (as on the ESP32)
        Assert.All(gaps, g => Assert.InRange(g, SampleSec - 5, SampleSec + 5));
    }

    [Fact]
    public async Task A_host_further_behind_than_the_lag_bound_starts_wakes_at_the_fleet_time()
    {
        var starts = await WakeStartsAsync(TimeSpan.Zero);
        var gaps = starts.Zip(starts.Skip(1), (a, b) => (b - a) / 1000.0).ToList();
        Assert.All(gaps, g => Assert.True(g >= 150, $"gap {g} s: the 10-ms wake is 200 s simulated late")); // the node skipped samplings
    }

    private static async Task<List<long>> WakeStartsAsync(TimeSpan maxLag)
    {
        var start = DateTimeOffset.UtcNow.AddDays(-60).ToUnixTimeMilliseconds();
        var options = new FleetOptions { Speedup = 20_000, StartUtcMs = start, StartSpread = TimeSpan.Zero, FaultyShare = 0, Workers = 1, MaxWakeLag = maxLag };
        options.Outages.PerDay = 0;
        var json = DeviceConfigDocument.Build(new DeviceConfigRequest("site-1", "wq-1", "water", "127.0.0.1", 1, "secret", SampleSec: SampleSec, UploadSec: 3600));
        var starts = new List<long>();
        await using (var fleet = new VirtualFleet(options))
        {
            var node = fleet.Add(new NodeSpec("site-1", "wq-1", "water", json));
            node.WakeBegan += simMs =>
            {
                lock (starts)
                {
                    starts.Add(simMs);
                }

                Thread.Sleep(10); // the busy host
            };
            fleet.Start();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                lock (starts)
                {
                    if (starts.Count >= 10)
                    {
                        break;
                    }
                }

                await Task.Delay(20);
            }

            await fleet.StopAsync();
            Assert.Empty(fleet.Errors);
        }

        lock (starts)
        {
            Assert.True(starts.Count >= 10, $"{starts.Count} wakes in 20 s");
            return starts.Skip(1).ToList(); // from the first wake after the cold start's
        }
    }
}
