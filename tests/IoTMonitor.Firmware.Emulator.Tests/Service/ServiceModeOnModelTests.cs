using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Emulator.Network;
using IoTMonitor.Firmware.Emulator.Runner;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTMonitor.Firmware.Emulator.Tests.Service;

/// <summary>The ESP32 app on the runtime model against a real Mosquitto: service mode and RSSI.</summary>
public sealed class ServiceModeOnModelTests
{
    private const string Host = "iotmon-gateway.test";
    private const int ServiceButtonGpio = 4;

    [Fact]
    public async Task Button_held_at_power_on_keeps_the_app_awake_past_the_watchdog_cap_uploading_every_round_with_the_scanned_rssi()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        var messages = new ConcurrentQueue<(string Topic, string Payload)>();
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            messages.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString()));
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mosquitto.Port).WithClientId("watch").Build());
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("iotmon/v1/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        JsonObject config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "config", "water.json")))!.AsObject();
        config["device"] = "wq-svc";
        config["site"] = "bench";
        config["mqtt"]!["host"] = Host;
        config["serviceMinutes"] = 2; // longer than maxAwakeSec 60 + the watchdog's 5 s grace
        var radio = new RadioEnvironment { BrokerPort = mosquitto.Port, RssiDbm = _ => -58 };
        radio.Dns[Host] = "127.0.0.1";
        // A charged battery: raw 2420 reads ≈ 3.9 V through the divider (1800 reads 2.9 V, the no-upload mode).
        var node = new Esp32Device(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 86_400_000, radio) { AdcRaw = _ => 2420 };
        node.Flash.WriteAllBytes("config.json", JsonSerializer.SerializeToUtf8Bytes(config));
        var runner = new WakeRunner(Path.Combine(AppContext.BaseDirectory, "IoTMonitor.Firmware.Emulator.App.dll"));

        node.InputLevels[ServiceButtonGpio] = false; // the technician holds the button while powering on
        WakeOutcome o = runner.Run(node, WakeCause.Undefined);
        node.InputLevels[ServiceButtonGpio] = true;

        Assert.Null(o.HangReason);
        Assert.Equal(ResetKind.DeepSleep, o.Kind);
        Assert.InRange(o.AwakeMs, 110_000, 135_000);  // the 2 min hold (its last whole round), past the 60 s cap + 5 s watchdog grace
        Assert.Equal(1, o.MqttConnects);
        Assert.Equal(1, radio.Scans);
        await WaitFor(() => messages.Any(m => m.Payload.Contains("\"state\":\"sleeping\"")));

        var telemetry = messages.Where(m => m.Topic == "iotmon/v1/bench/wq-svc/telemetry").Select(m => JsonDocument.Parse(m.Payload)).ToList();
        Assert.InRange(telemetry.Count, 10, 13);        // one batch per 10 s round
        Assert.All(telemetry, t => Assert.Equal(-58, t.RootElement.GetProperty("h").GetProperty("rssi").GetInt32()));
        var online = messages.First(m => m.Topic == "iotmon/v1/bench/wq-svc/status").Payload;
        Assert.Contains("\"state\":\"online\"", online);
        Assert.Contains("\"wake\":10,", online);
        Assert.Contains("\"svc\":", online);
        Assert.InRange(o.TimerWakeMs, 1_000, 900_000); // back on the 900 s schedule

        // The next timer wake is an ordinary one: no hold, and the hour's RSSI is already measured.
        messages.Clear();
        node.SleepFor(o.TimerWakeMs);
        WakeOutcome next = runner.Run(node, WakeCause.Timer);
        Assert.Null(next.HangReason);
        Assert.InRange(next.AwakeMs, 0, 60_000);
        Assert.Equal(1, radio.Scans);
    }

    private static async Task WaitFor(Func<bool> done)
    {
        for (int i = 0; i < 100 && !done(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(done(), "the broker did not deliver the node's closing status within 5 s");
    }
}
