using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Modem;
using IoTMonitor.Testing;
using Xunit.Abstractions;

namespace IoTMonitor.EndToEnd.Tests.Cellular;

/// <summary>
/// A virtual fleet mixing Wi-Fi and cellular nodes (FleetOptions.CellularEvery, <c>iotmon simulate
/// --cellular-every</c>) against the real gateway and influxd. The cellular nodes run the unchanged
/// NodeCycle over ModemLink on the AT-level modem model (SIMCom and Quectel), whose MQTT side is a real
/// connection to the gateway. Through the run: a Wi-Fi outage for the Wi-Fi nodes and a coverage outage
/// for the cellular ones (3 simulated hours: no registration), registration denied on a SIMCom and a
/// Quectel node and no SIM on the other two, and on every modem a lost PUBACK, a broker close
/// (+CMQTTCONNLOST / +QMTSTAT), signal loss, a modem restart, a hang that needs a power cycle and line
/// noise at numbered telemetry publishes, garbage on the line at every power-on, and ERROR to every
/// command the node sends (one per power-on, until each has failed once). Every reading each node
/// sampled is stored once: the per-device point count equals what the node sampled and no (boot, seq)
/// is stored twice; the modem model's counters prove each fault really hit.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class MixedFleet_Tests(InfluxDbFixture influx, ITestOutputHelper output)
{
    [Fact]
    public async Task Wifi_and_cellular_nodes_deliver_every_reading_exactly_once_through_modem_faults()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);
        var specs = await Fleets.ProvisionAsync(gw, "mix", 12, sampleSec: 300, uploadSec: 10);
        var start = DateTimeOffset.UtcNow.AddHours(-12).ToUnixTimeMilliseconds();
        var options = new FleetOptions { Speedup = 1800, StartUtcMs = start, StartSpread = TimeSpan.FromMinutes(5), Workers = 16, CellularEvery = 3 };
        options.Outages.PerDay = 0;
        long h = 3600 * 1000;
        options.Outages.Windows.Add((start + (2 * h), start + (5 * h)));

        await using var fleet = new VirtualFleet(options);
        foreach (var spec in specs)
        {
            fleet.Add(spec);
        }

        var cellular = fleet.Nodes.Where(n => n.ModemModel is not null).ToList();
        Assert.Equal(4, cellular.Count);
        Assert.Contains(cellular, n => n.ModemModel!.Behaviour.Kind == ModemKind.Simcom);
        Assert.Contains(cellular, n => n.ModemModel!.Behaviour.Kind == ModemKind.Quectel);
        foreach (var n in cellular)
        {
            var b = n.ModemModel!.Behaviour;
            b.FaultTopic = "/telemetry";
            b.PubAckNever.Add(3);
            b.BrokerClosesAt.Add(6);
            b.SignalLossAt.Add(9);
            b.ResetAt.Add(12);
            b.HangAt.Add(15);
            b.GarbageAt.Add(18);
            b.GarbageAtBoot = true;
            b.ErrorSweep = true;
        }

        // Denied and no SIM each on one node of each dialect (the fleet alternates SIMCom and Quectel).
        var denied = new[] { cellular[0], cellular[1] };
        var noSim = new[] { cellular[2], cellular[3] };
        Assert.NotEqual(denied[0].ModemModel!.Behaviour.Kind, denied[1].ModemModel!.Behaviour.Kind);
        Assert.NotEqual(noSim[0].ModemModel!.Behaviour.Kind, noSim[1].ModemModel!.Behaviour.Kind);

        fleet.Start();
        while (fleet.Clock.NowUtcMs < start + (long)(7.5 * h))
        {
            await Task.Delay(100);
            long now = fleet.Clock.NowUtcMs;
            foreach (var n in cellular)
            {
                n.ModemModel!.Behaviour.NoNetwork = now >= start + (2 * h) && now < start + (5 * h);
            }

            foreach (var n in denied)
            {
                n.ModemModel!.Behaviour.RegistrationDenied = now >= start + (5.5 * h) && now < start + (6 * h);
            }

            foreach (var n in noSim)
            {
                n.ModemModel!.Behaviour.NoSim = now >= start + (5.5 * h) && now < start + (6 * h);
            }
        }

        await fleet.StopAsync();
        var snap = fleet.Snapshot();
        output.WriteLine($"wakes {snap.Wakes}, sampled {snap.Sampled}, uploaded {snap.Uploaded}, connect failures {snap.ConnectFailures}");
        foreach (var n in cellular)
        {
            output.WriteLine($"{n.Id} {n.ModemModel!.Behaviour.Kind}: telemetry publishes {n.ModemModel.FaultPublishes}, power cycles {n.ModemModel.PowerCycles}, modem resets seen {n.Modem!.Info.ModemResets}, connect failures {n.ConnectFailures}, sampled {n.Sampled}");
            output.WriteLine("  faults: " + string.Join(", ", n.ModemModel.Fired.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value}")));
            output.WriteLine("  ERROR to: " + string.Join(" ", n.ModemModel.Errored.Order(StringComparer.Ordinal)));
        }

        Assert.Empty(fleet.Errors);
        Assert.All(fleet.Nodes, n => Assert.Equal(0, n.Queued));
        Assert.All(cellular, n => Assert.True(n.ModemModel!.FaultPublishes >= 18, $"{n.Id}: the numbered faults were not all reached ({n.ModemModel.FaultPublishes} telemetry publishes)"));
        string[] everyNode = [Faults.NoRegistration, Faults.SignalLoss, Faults.BrokerClosed, Faults.Error, Faults.Hang, Faults.HangPowerCycled, Faults.Garbage, Faults.Reset, Faults.PubAckLost];
        foreach (var n in cellular)
        {
            var expectedFaults = everyNode.Append(denied.Contains(n) ? Faults.RegistrationDenied : Faults.NoSim);
            Assert.All(expectedFaults, f => Assert.True(n.ModemModel!.Fired.GetValueOrDefault(f) > 0, $"{n.Id} ({n.ModemModel.Behaviour.Kind}): '{f}' never happened"));

            // ERROR to any command: every command this node sent was answered ERROR at least once.
            var sent = n.ModemModel!.Log.Where(l => l.StartsWith("AT", StringComparison.Ordinal)).Select(SimulatedModem.CommandName).ToHashSet(StringComparer.Ordinal);
            Assert.True(sent.Count >= 15, $"{n.Id} sent only {sent.Count} different commands");
            Assert.Empty(sent.Except(n.ModemModel.Errored));
        }

        Assert.All(cellular, n => Assert.True(n.ConnectFailures > 0, $"{n.Id} never failed to connect (coverage outage)"));
        Assert.All(cellular, n => Assert.Equal("89860012345678901234", n.Modem!.Info.Iccid));

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
            Assert.True(sampled > 50, $"{device} sampled only {sampled}");
            Assert.Equal(sampled, stored.GetValueOrDefault(device));
        }

        var duplicates = await Counts.DuplicateSequencesAsync(influx.Server, gw.Database, expected.Keys);
        Assert.All(duplicates, d =>
        {
            Assert.Equal(expected[d.Key], d.Value.Points);
            Assert.True(d.Value.Duplicates.Count == 0, $"{d.Key}: (boot, seq) stored more than once: {string.Join(" ", d.Value.Duplicates.Take(10))}");
        });
    }
}
