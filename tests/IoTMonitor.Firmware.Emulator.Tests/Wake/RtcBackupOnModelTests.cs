using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Emulator.Network;
using IoTMonitor.Firmware.Emulator.Runner;
using IoTMonitor.Firmware.Host.Sensors;
using IoTMonitor.Testing;
using MQTTnet;

namespace IoTMonitor.Firmware.Emulator.Tests.Wake;

/// <summary>
/// The ESP32 app on the runtime model with a DS3231 on its I2C bus (hardware/common/rtc-backup.md):
/// a Wi-Fi outage with two power cuts. With the RTC every power-on sets the clock from it, so every
/// reading reaches the broker stamped with real time; without it the boot cut before any sync sends
/// 1970 stamps (the gateway dead-letters them as unsynced_time, protocol §3).
/// </summary>
public sealed class RtcBackupOnModelTests
{
    private const string Host = "iotmon-gateway.test";
    private const long Synced = 1_600_000_000;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_outage_with_two_power_cuts(bool fitted)
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        var received = new List<(long Boot, long N, long T)>();
        using var listener = await ListenAsync(mosquitto.Port, received);
        var (node, radio, runner) = NewNode(fitted ? "rtc-fitted" : "rtc-none", mosquitto.Port, fitted);
        var chip = new SimulatedDs3231(() => node.TrueMs, driftPpm: 2);
        node.I2cTargets[SimulatedDs3231.Address] = new Ds3231Target(chip);

        WakeOutcome o = runner.Run(node, WakeCause.Undefined); // cold start: uploads and syncs the clock
        Assert.Equal(1, o.MqttConnects);
        Assert.Equal(fitted, !chip.OscillatorStopped); // written (OSF cleared) only when configured

        radio.WifiUp = _ => false;
        var restored = new List<bool>();
        for (int cut = 0; cut < 2; cut++)
        {
            for (int i = 0; i < 3; i++)
            {
                node.SleepFor(o.TimerWakeMs);
                o = runner.Run(node, WakeCause.Timer);
            }

            node.PowerOffFor(3_600_000); // the cell keeps the DS3231 running
            o = runner.Run(node, WakeCause.Undefined);
            restored.Add(node.RtcMs / 1000 >= Synced);
        }

        Assert.Equal([fitted, fitted], restored);

        radio.WifiUp = _ => true;
        for (int i = 0; i < 3; i++)
        {
            node.SleepFor(o.TimerWakeMs);
            o = runner.Run(node, WakeCause.Ext0); // the service button: uploads at once
        }

        await Task.Delay(500);
        lock (received)
        {
            Assert.Equal(received.Count, received.Select(r => (r.Boot, r.N)).Distinct().Count()); // none twice
            Assert.Equal(3, received.Select(r => r.Boot).Distinct().Count());
            long bootCutBeforeSync = received.Select(r => r.Boot).Distinct().Order().ElementAt(1);
            var ofIt = received.Where(r => r.Boot == bootCutBeforeSync).ToList();
            Assert.NotEmpty(ofIt);
            if (fitted)
            {
                Assert.All(received, r => Assert.True(r.T >= Synced, $"boot {r.Boot} n {r.N} t {r.T}"));
            }
            else
            {
                Assert.All(ofIt, r => Assert.True(r.T < Synced)); // unplaceable: dead-lettered by the gateway
            }
        }
    }

    private static (Esp32Device Node, RadioEnvironment Radio, WakeRunner Runner) NewNode(string device, int brokerPort, bool fitted)
    {
        JsonObject config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "config", "water.json")))!.AsObject();
        config["device"] = device;
        config["site"] = "bench";
        config["mqtt"]!["host"] = Host;
        Assert.NotNull(config["rtc"]); // shipped on every board
        if (!fitted)
        {
            config.Remove("rtc");
        }

        var radio = new RadioEnvironment { BrokerPort = brokerPort };
        radio.Dns[Host] = "127.0.0.1";

        // A charged battery: raw 2420 reads ≈ 3.9 V through the divider.
        var node = new Esp32Device(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (3 * 86_400_000L), radio) { AdcRaw = _ => 2420 };
        node.Flash.WriteAllBytes("config.json", JsonSerializer.SerializeToUtf8Bytes(config));
        return (node, radio, new WakeRunner(Path.Combine(AppContext.BaseDirectory, "IoTMonitor.Firmware.Emulator.App.dll")));
    }

    // Every telemetry batch the broker passes on: its boot and each reading's n and t (protocol §4).
    private static async Task<IMqttClient> ListenAsync(int port, List<(long Boot, long N, long T)> received)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            using var doc = JsonDocument.Parse(e.ApplicationMessage.ConvertPayloadToString());
            if (doc.RootElement.TryGetProperty("r", out JsonElement r))
            {
                long boot = doc.RootElement.GetProperty("boot").GetInt64();
                lock (received)
                {
                    foreach (JsonElement reading in r.EnumerateArray())
                    {
                        received.Add((boot, reading[0].GetInt64(), reading[1].GetInt64()));
                    }
                }
            }

            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("listener").Build());
        await client.SubscribeAsync("iotmon/v1/+/+/telemetry", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        return client;
    }
}
