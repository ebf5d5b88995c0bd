using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Emulator.Network;
using IoTMonitor.Firmware.Emulator.Runner;
using IoTMonitor.Testing;
using MQTTnet;

namespace IoTMonitor.Firmware.Emulator.Tests.Wake;

/// <summary>
/// The air node's ESP32 app on the runtime model with an SCD41 at 0x62 on its I2C bus (the datasheet
/// model, <see cref="Scd41Target"/>): the CO₂ path from the rail through single shot, read-out and CRC
/// to the telemetry the broker receives. The first shot after the rail comes on reads
/// <c>FirstShotErrorPpm</c> high in the model, so a node that kept it would report the wrong value.
/// </summary>
public sealed class Scd41OnModelTests
{
    private const string Host = "iotmon-gateway.test";
    private const double Co2Ppm = 612;

    /// <summary>Protocol §2 flag bit 2, NO_VALUE: sensor absent or bus error, value null.</summary>
    private const long NoValue = 4;

    [Fact]
    public async Task The_air_node_reports_the_co2_of_its_second_single_shot()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        var received = new List<(long Boot, long N, string Quantity, JsonElement Value, long Flags)>();
        using var listener = await ListenAsync(mosquitto.Port, received);
        var (node, runner) = NewNode("air-scd41", mosquitto.Port);
        var scd41 = new Scd41Target(node, () => Co2Ppm);
        node.I2cTargets[0x62] = scd41;

        WakeOutcome first = runner.Run(node, WakeCause.Undefined); // cold start: samples and uploads at once
        Assert.Equal(ResetKind.DeepSleep, first.Kind);
        Assert.Equal(1, first.MqttConnects);
        Assert.Equal(2, scd41.Chip.ShotsSincePowerUp); // one dropped, one kept (§3.10)
        Assert.Equal(0, scd41.Chip.RefusedWhileMeasuring); // the app waited out each 5 s shot
        Assert.False(scd41.Rail.IsOn); // deep sleep took the rail down

        // A second sampling wake: the rail cycles, so the chip powers up again and its first shot is off again.
        node.SleepFor(first.TimerWakeMs);
        WakeOutcome second = runner.Run(node, WakeCause.Ext0); // the service button: samples and uploads now
        Assert.Equal(ResetKind.DeepSleep, second.Kind);

        await Task.Delay(500);
        List<(long Boot, long N, string Quantity, JsonElement Value, long Flags)> co2;
        lock (received)
        {
            co2 = received.Where(r => r.Quantity == "air.co2").ToList();
        }

        Assert.Equal(2, co2.Count);
        Assert.All(co2, r =>
        {
            Assert.Equal(JsonValueKind.Number, r.Value.ValueKind);
            Assert.Equal(Co2Ppm, r.Value.GetDouble());
            Assert.Equal(0L, r.Flags & NoValue);
        });
    }

    [Fact]
    public async Task Without_the_chip_the_co2_reading_is_no_value()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        var received = new List<(long Boot, long N, string Quantity, JsonElement Value, long Flags)>();
        using var listener = await ListenAsync(mosquitto.Port, received);
        var (node, runner) = NewNode("air-no-scd41", mosquitto.Port);

        WakeOutcome first = runner.Run(node, WakeCause.Undefined);
        Assert.Equal(1, first.MqttConnects);

        await Task.Delay(500);
        lock (received)
        {
            var co2 = Assert.Single(received, r => r.Quantity == "air.co2");
            Assert.Equal(JsonValueKind.Null, co2.Value.ValueKind);
            Assert.Equal(NoValue, co2.Flags & NoValue);
        }
    }

    private static (Esp32Device Node, WakeRunner Runner) NewNode(string device, int brokerPort)
    {
        JsonObject config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "config", "air.json")))!.AsObject();
        config["device"] = device;
        config["site"] = "bench";
        config["mqtt"]!["host"] = Host;
        var radio = new RadioEnvironment { BrokerPort = brokerPort };
        radio.Dns[Host] = "127.0.0.1";

        // A charged battery: raw 2420 reads ≈ 3.9 V through the divider (below the cut-off the policy skips the SCD41).
        var node = new Esp32Device(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 86_400_000L, radio) { AdcRaw = _ => 2420 };
        node.Flash.WriteAllBytes("config.json", JsonSerializer.SerializeToUtf8Bytes(config));
        return (node, new WakeRunner(Path.Combine(AppContext.BaseDirectory, "IoTMonitor.Firmware.Emulator.App.dll")));
    }

    // Every reading of the telemetry batches the broker passes on (protocol §2 compact form: [n, t, quantity, value, flags, raw?]).
    private static async Task<IMqttClient> ListenAsync(int port, List<(long Boot, long N, string Quantity, JsonElement Value, long Flags)> received)
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
                        received.Add((boot, reading[0].GetInt64(), reading[2].GetString() ?? "", reading[3].Clone(), reading[4].GetInt64()));
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
