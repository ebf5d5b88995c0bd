using System.Text;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Host.Modem;
using IoTMonitor.Firmware.Host.Node;
using IoTMonitor.Firmware.Host.Sensors;
using IoTMonitor.Firmware.Host.Signals;
using IoTMonitor.Firmware.Host.Storage;
using IoTMonitor.Testing;
using Xunit.Abstractions;

namespace IoTMonitor.EndToEnd.Tests.Cellular;

/// <summary>
/// A node over "cellular": the unchanged NodeCycle drives <see cref="ModemLink"/> on the modem model,
/// whose MQTT client connects to the real gateway's broker; readings land in a real influxd. Modem
/// faults along the way (a PUBACK that never comes, the broker closing, a modem reset, a hang that
/// needs a power cycle) must cost no reading and duplicate none.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class CellularNode_Tests(InfluxDbFixture influx, ITestOutputHelper output)
{
    [Theory]
    [InlineData(ModemKind.Simcom)]
    [InlineData(ModemKind.Quectel)]
    public async Task Readings_flow_through_the_modem_to_influx_exactly_once_through_modem_faults(ModemKind kind)
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);
        var spec = (await Fleets.ProvisionAsync(gw, "water", 1, sampleSec: 300, uploadSec: 10))[0];
        var flash = Path.Combine(Path.GetTempPath(), "iotmon-cell-" + Guid.NewGuid().ToString("N"));
        var clock = new StepClock { StartUtcSeconds = DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds() };
        var behaviour = new ModemBehaviour { Kind = kind, BootMs = 3000, RegistrationMs = 2000, NetworkUtc = () => DateTimeOffset.FromUnixTimeSeconds(clock.UtcSeconds).UtcDateTime };
        behaviour.FaultTopic = "/telemetry";
        behaviour.PubAckNever.Add(2);
        behaviour.BrokerClosesAt.Add(4);
        behaviour.SignalLossAt.Add(6);
        behaviour.ResetAt.Add(8);
        behaviour.HangAt.Add(10);
        behaviour.PubAckDelayMs = 500;
        using var modem = new SimulatedModem(clock, behaviour, new MqttRelay());
        var link = new ModemLink(modem, clock, kind, "cmnet", null, modem, clock);
        var env = new SiteEnvironment(spec.Site, spec.Lat, spec.Lon, spec.Alt);
        var battery = new BatteryModel(t => env.Sun(t), stateOfCharge: 0.9);
        var power = new VirtualPower(battery);
        var board = new NodeBoard(spec.Type, env, () => clock.UtcSeconds, () => battery.Volts, _ => ProbeFault.None, 7);
        var sensors = new SimulatedSensorFactory(board, clock);
        var files = new DirectoryFileStore(flash);
        var config = Encoding.UTF8.GetBytes(spec.ConfigJson);
        long sampled = 0;
        var queued = 0;
        try
        {
            for (var wake = 0; wake < 14; wake++)
            {
                var cycle = new NodeCycle(clock, link, power, sensors, files, VirtualNode.QueueBudgetBytes, config);
                var r = cycle.Run();
                sampled += r.Sampled;
                queued = cycle.Queue.Count;
                output.WriteLine($"wake {wake}: sampled {r.Sampled}, uploaded {r.Uploaded}, link {r.LinkError}, queued {queued}, telemetry publishes {modem.FaultPublishes}, step {link.Info.FailedStep}");
                power.NextRun();
                clock.Sleep(Math.Max(1, r.SleepSeconds) * 1000);
            }

            Assert.True(modem.FaultPublishes >= 10, $"the faults were not all reached ({modem.FaultPublishes} telemetry publishes)");
            Assert.True(link.Info.ModemResets >= 1, "the modem reset was not seen");
            Assert.True(modem.PowerCycles >= 14, "the modem is powered off between wakes");
            Assert.Equal(modem.Iccid, link.Info.Iccid);

            // Drain: a last clean wake so nothing is left in flash, then compare with influx.
            for (var extra = 0; extra < 3 && queued > 0; extra++)
            {
                var cycle = new NodeCycle(clock, link, power, sensors, files, VirtualNode.QueueBudgetBytes, config);
                var r = cycle.Run();
                sampled += r.Sampled;
                queued = cycle.Queue.Count;
                power.NextRun();
                clock.Sleep(Math.Max(1, r.SleepSeconds) * 1000);
            }

            await Task.Delay(1500); // the gateway's write batch
            var counts = await Counts.PerDeviceAsync(influx.Server, gw.Database);
            Assert.True(sampled > 10, "the node sampled too little");
            Assert.Equal(sampled - queued, counts.GetValueOrDefault(spec.Device));
        }
        finally
        {
            Directory.Delete(flash, recursive: true);
        }
    }

    [Fact]
    public async Task Below_the_modem_cut_off_readings_wait_in_flash_and_arrive_once_when_the_battery_recovers()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);
        var spec = (await Fleets.ProvisionAsync(gw, "water", 1, sampleSec: 300, uploadSec: 10))[0];
        var flash = Path.Combine(Path.GetTempPath(), "iotmon-cell-" + Guid.NewGuid().ToString("N"));
        var clock = new StepClock { StartUtcSeconds = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds() };
        var behaviour = new ModemBehaviour { Kind = ModemKind.SimcomSm, BootMs = 3000, RegistrationMs = 2000, NetworkUtc = () => DateTimeOffset.FromUnixTimeSeconds(clock.UtcSeconds).UtcDateTime };
        using var modem = new SimulatedModem(clock, behaviour, new MqttRelay());
        var env = new SiteEnvironment(spec.Site, spec.Lat, spec.Lon, spec.Alt);
        var battery = new BatteryModel(t => env.Sun(t), stateOfCharge: 0.9);
        var power = new VirtualPower(battery);

        // The cut-off above the pack's voltage stands for a weak pack: the node itself runs on (its own
        // low-battery modes are below), only the module must not be started.
        var link = new ModemLink(modem, clock, ModemKind.SimcomSm, "cmnet", null, modem, clock) { MinBatteryVolts = 4.3 };
        var board = new NodeBoard(spec.Type, env, () => clock.UtcSeconds, () => battery.Volts, _ => ProbeFault.None, 7);
        var sensors = new SimulatedSensorFactory(board, clock);
        var files = new DirectoryFileStore(flash);
        var config = Encoding.UTF8.GetBytes(spec.ConfigJson);
        long sampled = 0;
        var queued = 0;
        try
        {
            for (var wake = 0; wake < 5; wake++)
            {
                var cycle = new NodeCycle(clock, link, power, sensors, files, VirtualNode.QueueBudgetBytes, config) { Network = link.Report };
                var r = cycle.Run();
                sampled += r.Sampled;
                queued = cycle.Queue.Count;
                output.WriteLine($"weak wake {wake}: battery {battery.Volts:F2} V, sampled {r.Sampled}, link {r.LinkError}, step {link.Info.FailedStep}, queued {queued}");
                power.NextRun();
                clock.Sleep(Math.Max(1, r.SleepSeconds) * 1000);
            }

            Assert.Equal(0, modem.PowerCycles); // never powered
            Assert.Empty(modem.Log); // not one AT command
            Assert.Equal("battery", link.Info.FailedStep);
            Assert.True(link.Info.BatteryCutoffs >= 3, $"{link.Info.BatteryCutoffs} cut-offs");
            Assert.Equal(sampled, queued); // every reading waits in flash

            link.MinBatteryVolts = 3.0; // the pack recovered (sun)
            for (var wake = 0; wake < 4 && queued > 0; wake++)
            {
                var cycle = new NodeCycle(clock, link, power, sensors, files, VirtualNode.QueueBudgetBytes, config) { Network = link.Report };
                var r = cycle.Run();
                sampled += r.Sampled;
                queued = cycle.Queue.Count;
                output.WriteLine($"recovered wake {wake}: sampled {r.Sampled}, uploaded {r.Uploaded}, link {r.LinkError}, queued {queued}");
                power.NextRun();
                clock.Sleep(Math.Max(1, r.SleepSeconds) * 1000);
            }

            Assert.Equal(0, queued);
            Assert.Equal(link.Info.BatteryCutoffs, link.Report.BatteryCutoffs); // sent as mlb in the recovered uploads' health
            Assert.Equal(0, link.Report.PowerMode); // this link was given no PSM interval: off between uploads
            await Task.Delay(1500); // the gateway's write batch
            var counts = await Counts.PerDeviceAsync(influx.Server, gw.Database);
            Assert.Equal(sampled, counts.GetValueOrDefault(spec.Device));
        }
        finally
        {
            Directory.Delete(flash, recursive: true);
        }
    }
}
