using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Testing;

namespace IoTMonitor.EndToEnd.Tests;

[Collection(InfluxCollection.Name)]
public sealed class Smoke_Tests(InfluxDbFixture influx)
{
    [Fact]
    public async Task One_node_reaches_influx()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);
        var specs = await Fleets.ProvisionAsync(gw, "water", 1);
        var options = new FleetOptions { Speedup = 600, Backfill = TimeSpan.FromHours(2), StartSpread = TimeSpan.Zero };
        options.Outages.PerDay = 0;
        await using var fleet = new VirtualFleet(options);
        var node = fleet.Add(specs[0]);
        fleet.Start();
        await Task.Delay(5000);
        await fleet.StopAsync();
        var counts = await Counts.PerDeviceAsync(influx.Server, gw.Database);
        Assert.True(node.Sampled > 0, "node sampled nothing");
        Assert.Empty(fleet.Errors);
        Assert.Equal(node.Sampled - node.Queued, counts.GetValueOrDefault(node.Id));
    }
}
