using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Testing;
using Xunit.Abstractions;

namespace IoTMonitor.EndToEnd.Tests;

/// <summary>
/// 50 virtual nodes (mixed water/soil/air, the firmware core unchanged) report through the
/// embedded broker into a real influxd; in the middle every node loses WiFi for three simulated
/// hours, so readings pile up in each node's flash queue and drain afterwards. Every reading must
/// arrive exactly once: per device, the points in InfluxDB equal the readings the node itself
/// sampled. A fifth of the nodes also get a drifting, stuck or failed probe during the run (its
/// readings still travel, flagged or as NO_VALUE).
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class ExactlyOnce_Tests(InfluxDbFixture influx, ITestOutputHelper output)
{
    [Fact]
    public async Task Fifty_nodes_with_an_outage_deliver_every_reading_exactly_once()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);

        // Every wake samples and uploads (uploadSec 10 s is always due at a 300 s sampling
        // interval), so a node that ends a wake online has an empty queue: what it sampled is
        // exactly what must be stored.
        var specs = await Fleets.ProvisionAsync(gw, "mix", 50, sampleSec: 300, uploadSec: 10);
        var start = DateTimeOffset.UtcNow.AddHours(-12).ToUnixTimeMilliseconds();
        var options = new FleetOptions { Speedup = 1800, StartUtcMs = start, StartSpread = TimeSpan.FromMinutes(5), Workers = 32, FaultyShare = 0.2, FaultWindow = TimeSpan.FromHours(7) };
        options.Outages.PerDay = 0;
        var outageFrom = start + TimeSpan.FromHours(2).Ms();
        var outageTo = start + TimeSpan.FromHours(5).Ms();
        options.Outages.Windows.Add((outageFrom, outageTo));

        await using var fleet = new VirtualFleet(options);
        foreach (var spec in specs)
        {
            fleet.Add(spec);
        }

        fleet.Start();
        long peakBacklog = 0;
        var sawOutage = false;
        while (fleet.Clock.NowUtcMs < start + TimeSpan.FromHours(7.5).Ms())
        {
            await Task.Delay(250);
            var s = fleet.Snapshot();
            peakBacklog = Math.Max(peakBacklog, s.Backlog);
            sawOutage |= s.InOutage == 50;
        }

        await fleet.StopAsync();
        var snap = fleet.Snapshot();
        output.WriteLine($"wakes {snap.Wakes}, sampled {snap.Sampled}, uploaded {snap.Uploaded}, peak backlog {peakBacklog}, connect failures {snap.ConnectFailures}");

        Assert.Empty(fleet.Errors);
        Assert.True(sawOutage, "the outage window was never observed");
        Assert.All(fleet.Nodes, n => Assert.True(n.ConnectFailures > 0, $"{n.Id} never saw the outage"));
        Assert.True(peakBacklog > 50 * 20, $"backlog during the outage was only {peakBacklog}");
        Assert.All(fleet.Nodes, n => Assert.Equal(0, n.Queued));

        var expected = fleet.Nodes.ToDictionary(n => n.Id, n => n.Sampled);
        Dictionary<string, long> stored = new();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            stored = await Counts.PerDeviceAsync(influx.Server, gw.Database);
            if (expected.All(e => stored.GetValueOrDefault(e.Key) >= e.Value))
            {
                await Task.Delay(500); // settle: a late duplicate would show as a count above expected
                stored = await Counts.PerDeviceAsync(influx.Server, gw.Database);
                break;
            }

            await Task.Delay(250);
        }

        foreach (var (device, sampled) in expected)
        {
            Assert.True(sampled > 70, $"{device} sampled only {sampled}");
            Assert.Equal(sampled, stored.GetValueOrDefault(device));
        }
    }
}

internal static class TimeSpanMs
{
    public static long Ms(this TimeSpan t) => (long)t.TotalMilliseconds;
}
