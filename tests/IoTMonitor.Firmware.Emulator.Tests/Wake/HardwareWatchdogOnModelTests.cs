using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Emulator.Network;
using IoTMonitor.Firmware.Emulator.Runner;
using IoTMonitor.Testing;
using MQTTnet;

namespace IoTMonitor.Firmware.Emulator.Tests.Wake;

/// <summary>
/// The TPL5010 reset-watchdog option (hardware/common/watchdog.md) on the runtime model: a wake stuck
/// in a native call — which blocks the interpreter, so the app's managed watchdog timer never fires
/// (reference §8) — is reset by the timer, and what the node had committed reaches the broker after the
/// reset; a healthy node is never reset, even on a schedule that would sleep longer than the interval.
/// </summary>
public sealed class HardwareWatchdogOnModelTests
{
    private const string Host = "iotmon-gateway.test";
    private const int DoneGpio = 32;
    private const int IntervalSec = 3600;

    [Fact]
    public async Task A_wake_stuck_in_a_native_call_is_reset_and_nothing_committed_is_lost()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        var received = new List<(long Boot, long N)>();
        using var listener = await ListenAsync(mosquitto.Port, received);
        var (node, _, runner) = NewNode("wd-hang", mosquitto.Port, 900, 3600);

        WakeOutcome first = runner.Run(node, WakeCause.Undefined); // cold start: samples and uploads
        Assert.Equal(1, first.MqttConnects);
        node.SleepFor(first.TimerWakeMs);
        WakeOutcome second = runner.Run(node, WakeCause.Timer); // samples; the readings wait in the queue
        Assert.True(second.Sampled);
        Assert.Equal(0, second.MqttConnects);
        Assert.Equal(2, node.Watchdog!.Dones); // one DONE per finished wake

        // The next wake hangs in the DS18B20's 1-Wire transfer: a native call that never returns.
        node.SleepFor(second.TimerWakeMs);
        node.StuckAt = kind => kind == "onewire";
        long hungAt = node.TrueMs;
        WakeOutcome hung = runner.Run(node, WakeCause.Timer);
        Assert.Equal(ResetKind.Hang, hung.Kind);
        node.StuckAt = null;

        Assert.True(node.HangUntilWatchdogReset(), "the TPL5010 did not reset the hung node");
        Assert.InRange(node.TrueMs - hungAt, 1, 2L * IntervalSec * 1000);
        Assert.Equal(1, node.Watchdog.Resets);
        Assert.Equal(0, node.RtcMs / 1000 / 86400 / 365); // EN reset: the RTC restarts at 1970, like a power-on

        WakeOutcome after = runner.Run(node, WakeCause.Undefined); // cold start: samples and uploads at once
        Assert.Null(after.HangReason);
        Assert.Equal(1, after.MqttConnects);
        await Task.Delay(500);

        lock (received)
        {
            Assert.Equal(received.Count, received.Distinct().Count()); // no (boot, n) twice
            long firstBoot = received.Min(r => r.Boot);
            var ofFirstBoot = received.Where(r => r.Boot == firstBoot).Select(r => r.N).Order().ToList();
            long max = ofFirstBoot.Max();
            Assert.Equal(Enumerable.Range(1, (int)max).Select(i => (long)i), ofFirstBoot); // none missing
            Assert.True(max >= 2 * 7, $"readings of the first two wakes: n up to {max}"); // water samples 7 quantities
            Assert.Contains(received, r => r.Boot > firstBoot); // the boot after the reset sent its own
        }
    }

    [Fact]
    public async Task Without_the_part_a_native_hang_lasts_until_someone_comes()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        var (node, _, runner) = NewNode("wd-none", mosquitto.Port, 900, 3600, fitted: false);
        WakeOutcome first = runner.Run(node, WakeCause.Undefined);
        node.StuckAt = kind => kind == "onewire";
        node.SleepFor(first.TimerWakeMs); // the next sampling reads the DS18B20 and hangs there
        Assert.Equal(ResetKind.Hang, runner.Run(node, WakeCause.Timer).Kind);
        Assert.False(node.HangUntilWatchdogReset());
    }

    [Fact]
    public async Task A_healthy_node_is_never_reset_even_on_a_schedule_longer_than_the_interval()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();

        // Two-hourly sampling (as survival mode's stretched intervals do): each sleep must be cut short
        // so a DONE comes in every interval of the timer.
        var (node, _, runner) = NewNode("wd-long", mosquitto.Port, 7200, 7200);
        WakeCause cause = WakeCause.Undefined;
        for (int w = 0; w < 8; w++)
        {
            WakeOutcome o = runner.Run(node, cause);
            Assert.Null(o.HangReason);
            Assert.Equal(ResetKind.DeepSleep, o.Kind);
            Assert.InRange(o.TimerWakeMs, 1, ((IntervalSec * 94L / 100) - 60 - 5) * 1000);
            cause = node.SleepFor(o.TimerWakeMs);
            Assert.Equal(WakeCause.Timer, cause);
        }

        Assert.Equal(0, node.Watchdog!.Resets);
    }

    private static (Esp32Device Node, RadioEnvironment Radio, WakeRunner Runner) NewNode(string device, int brokerPort, int sampleSec, int uploadSec, bool fitted = true)
    {
        JsonObject config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "config", "water.json")))!.AsObject();
        config["device"] = device;
        config["site"] = "bench";
        config["mqtt"]!["host"] = Host;
        config["sampleSec"] = sampleSec;
        config["uploadSec"] = uploadSec;
        if (fitted)
        {
            config["watchdogDoneGpio"] = DoneGpio;
            config["watchdogIntervalSec"] = IntervalSec;
        }

        var radio = new RadioEnvironment { BrokerPort = brokerPort };
        radio.Dns[Host] = "127.0.0.1";

        // A charged battery: raw 2420 reads ≈ 3.9 V through the divider.
        var node = new Esp32Device(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (3 * 86_400_000L), radio)
        {
            AdcRaw = _ => 2420,
            Watchdog = fitted ? new Tpl5010(DoneGpio, IntervalSec * 1000L) : null,
        };
        node.Flash.WriteAllBytes("config.json", JsonSerializer.SerializeToUtf8Bytes(config));
        return (node, radio, new WakeRunner(Path.Combine(AppContext.BaseDirectory, "IoTMonitor.Firmware.Emulator.App.dll")));
    }

    // Every telemetry batch the broker passes on: its boot and the n of each reading (protocol §4).
    private static async Task<IMqttClient> ListenAsync(int port, List<(long Boot, long N)> received)
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
                        received.Add((boot, reading[0].GetInt64()));
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
