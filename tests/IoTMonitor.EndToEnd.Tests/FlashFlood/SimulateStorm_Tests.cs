using System.Globalization;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Testing;

namespace IoTMonitor.EndToEnd.Tests.FlashFlood;

/// <summary><c>iotmon simulate --profile storm</c> against the real gateway: water nodes on their normal schedule with the PCF8593 rain gauge and event mode replay the storm, the watched site gets both warning levels from the pack's default figures, and the nodes report it in event mode (health ev 1).</summary>
[Collection(InfluxCollection.Name)]
public sealed class SimulateStorm_Tests(InfluxDbFixture influx)
{
    [Fact]
    public async Task Simulate_with_the_storm_profile_brings_rain_and_both_warning_levels()
    {
        var site = SiteCatalog.Plan(SiteCatalog.BuiltIn(), "water", 1)[0].Site.Id; // what the CLI's plan picks first
        await using var gw = await GatewayUnderTest.StartAsync(
            influx.Server,
            "--Alerts:LiveWindowSeconds=172800",
            $"--Alerts:FlashFlood:Sites:{site}:Targets:0:Name=Shangba village");
        var state = Directory.CreateTempSubdirectory("iotmon-storm-cli-").FullName;
        try
        {
            var r = await Iotmon.RunAsync("simulate", "--gateway", gw.Url, "--api-key", GatewayUnderTest.AdminKey,
                "--profile", "storm", "--devices", "1", "--speedup", "600", "--backfill", "4h", "--duration", "40s",
                "--outages-per-day", "0", "--faulty-share", "0", "--start-spread", "0s",
                "--mqtt-host", "127.0.0.1", "--mqtt-port", gw.MqttPort.ToString(CultureInfo.InvariantCulture), "--no-live", "--state-dir", state);
            Assert.True(r.ExitCode == 0, r.Err + r.Out);
            Assert.Contains("storm (chicago", r.Out, StringComparison.Ordinal);

            var alerts = gw.Service<AlertsService>();
            await alerts.Engine.FlushAsync();
            var ledger = alerts.Engine.FlashFlood!.Rain;
            var newest = ledger.Newest(site) ?? throw new Xunit.Sdk.XunitException("no rain reading reached the gateway: " + r.Out);
            Assert.InRange(ledger.Sum(site, newest, 5 * 3600), 99.0, 99.8); // the 3-h design storm's ~99.7 mm, in whole 0.2-mm tips
            var levels = alerts.Store.ListAlerts(new AlertQuery(Site: site)).Select(a => a.RuleId).Where(id => id.StartsWith("flashflood.", StringComparison.Ordinal)).Order().ToList();
            Assert.Equal(["flashflood.immediate", "flashflood.prepare"], levels);

            // on the water schedule (900 s, upload 3600 s) the node reported the storm in event mode
            var ev = await influx.Server.RowsAsync("SELECT \"ev\" FROM \"health\" WHERE \"ev\" = 1", gw.Database);
            Assert.NotEmpty(ev);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
