using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Emulator.Network;
using IoTMonitor.Firmware.Emulator.Runner;
using IoTMonitor.Testing;

namespace IoTMonitor.Firmware.Emulator.Tests.Wake;

/// <summary>
/// The radio stays off while a node samples. ConnectDhcp saves the Wi-Fi config with AutoConnect
/// (reference §6), with which the runtime joins before Main at every boot: the air node's soak showed
/// wakes whose radio was on through the PMS5003's 30 s warm-up after a join had failed in a Wi-Fi
/// outage, and after a power cut that came between that save and the app's restore.
/// </summary>
public sealed class BootJoinOnModelTests
{
    private const string Host = "iotmon-gateway.test";

    [Fact]
    public async Task A_join_that_failed_in_a_wifi_outage_leaves_no_join_at_boot()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        var (node, radio, runner) = NewNode("air", "aq-join", mosquitto.Port);
        WakeOutcome first = runner.Run(node, WakeCause.Undefined); // a cold start samples and uploads
        Assert.Equal(1, first.MqttConnects);
        Assert.False(node.WifiAutoConnectSaved, "the config was left with AutoConnect after a good join");

        // The access point is down: a button wake samples and tries to upload, and the join fails.
        radio.WifiUp = _ => false;
        node.SleepFor(first.TimerWakeMs / 2);
        WakeOutcome failed = runner.Run(node, WakeCause.Ext0);
        Assert.Null(failed.HangReason);
        Assert.Equal(0, failed.MqttConnects);
        Assert.False(node.WifiAutoConnectSaved, "a failed join left the config with AutoConnect: every later wake joins at boot");

        // The access point is back; the next timer wake samples with the radio off.
        radio.WifiUp = _ => true;
        node.SleepFor(failed.TimerWakeMs);
        WakeOutcome next = runner.Run(node, WakeCause.Timer);
        Assert.True(next.Sampled);
        Assert.InRange(next.RailsOnMs + next.RadioOnMs, 0, next.AwakeMs); // never on together
    }

    [Fact]
    public async Task A_boot_join_left_by_a_power_cut_is_dropped_before_sampling()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        var (node, _, runner) = NewNode("air", "aq-cut", mosquitto.Port);
        WakeOutcome first = runner.Run(node, WakeCause.Undefined);
        Assert.Equal(1, first.MqttConnects);

        // What a cut between ConnectDhcp's save and the app's restore leaves behind.
        node.WifiAutoConnectSaved = true;
        node.SleepFor(first.TimerWakeMs);
        WakeOutcome o = runner.Run(node, WakeCause.Timer);

        Assert.True(o.Sampled);
        Assert.False(node.WifiAutoConnectSaved);
        if (o.MqttConnects == 0)
        {
            Assert.InRange(o.RadioOnMs, 0, 100); // only the moments before Main dropped the join
        }

        Assert.InRange(o.RailsOnMs + o.RadioOnMs, 0, o.AwakeMs + 100);
    }

    private static (Esp32Device Node, RadioEnvironment Radio, WakeRunner Runner) NewNode(string type, string device, int brokerPort)
    {
        JsonObject config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "config", type + ".json")))!.AsObject();
        config["device"] = device;
        config["site"] = "bench";
        config["mqtt"]!["host"] = Host;
        var radio = new RadioEnvironment { BrokerPort = brokerPort };
        radio.Dns[Host] = "127.0.0.1";

        // A charged battery: raw 2420 reads ≈ 3.9 V through the divider.
        var node = new Esp32Device(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 86_400_000, radio) { AdcRaw = _ => 2420 };
        node.Flash.WriteAllBytes("config.json", JsonSerializer.SerializeToUtf8Bytes(config));
        return (node, radio, new WakeRunner(Path.Combine(AppContext.BaseDirectory, "IoTMonitor.Firmware.Emulator.App.dll")));
    }
}
