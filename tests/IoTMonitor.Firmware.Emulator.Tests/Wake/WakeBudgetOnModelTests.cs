using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Emulator.Network;
using IoTMonitor.Firmware.Emulator.Runner;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTMonitor.Firmware.Emulator.Tests.Wake;

/// <summary>
/// The ESP32 app on the runtime model: a wake ends within the effective maxAwakeSec (the remote value
/// included) whatever the broker does, and what the wake decided is committed to flash.
/// </summary>
public sealed class WakeBudgetOnModelTests
{
    private const string Host = "iotmon-gateway.test";

    /// <summary>What a wake may run past its cap: the watchdog's grace plus its one-second polling.</summary>
    private const long MarginMs = 6_000;

    [Fact]
    public async Task A_silent_broker_costs_no_more_than_the_remote_maxAwakeSec()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        using var operatorClient = await ConnectAsync(mosquitto.Port);

        // The gateway's overlay lowers the cap below the 60 s flashed one (protocol §6, retained).
        await operatorClient.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("iotmon/v1/bench/wq-budget/config")
            .WithPayload("""{"v":1,"rev":1,"maxAwakeSec":25}""")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build());

        var (node, radio, runner) = NewWaterNode("wq-budget", mosquitto.Port);
        WakeOutcome first = runner.Run(node, WakeCause.Undefined);
        Assert.Null(first.HangReason);
        Assert.Equal(1, first.MqttConnects);
        Assert.True(node.Flash.Exists("remote.a") || node.Flash.Exists("remote.b"), "no remote config committed");

        // The broker now takes TCP but never sends CONNACK (M2Mqtt waits a fixed 30 s). A button
        // wake samples and wants to upload at once.
        radio.Broker = _ => BrokerMode.Silent;
        node.SleepFor(first.TimerWakeMs / 2);
        WakeOutcome o = runner.Run(node, WakeCause.Ext0);

        Assert.Null(o.HangReason);
        Assert.Equal(ResetKind.DeepSleep, o.Kind);
        Assert.True(o.Sampled);
        Assert.InRange(o.AwakeMs, 0, (25 * 1000) + MarginMs);
        Assert.Equal(0, o.MqttConnects); // 30 s of CONNACK wait do not fit in what is left of 25 s

        // Committed: the failed attempt's back-off and the round's readings survive the reset.
        NodeState state = LoadState(node);
        Assert.Equal(1, state.Failures);
        Assert.True(state.NextUploadTryUtc > 0);
    }

    [Fact]
    public async Task A_tcp_connect_that_never_returns_is_ended_by_the_watchdog_at_the_cap_with_the_state_committed()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        var (node, radio, runner) = NewWaterNode("wq-hang", mosquitto.Port);
        WakeOutcome first = runner.Run(node, WakeCause.Undefined);
        Assert.Null(first.HangReason);
        int failuresBefore = LoadState(node).Failures;

        radio.Broker = _ => BrokerMode.Blackhole;
        node.SleepFor(first.TimerWakeMs);
        WakeOutcome o = runner.Run(node, WakeCause.Ext0);

        Assert.Null(o.HangReason);
        Assert.Equal(ResetKind.DeepSleep, o.Kind);
        Assert.Equal(1, o.MqttConnects);
        Assert.InRange(o.AwakeMs, 60_000, (60 * 1000) + MarginMs); // the flashed 60 s + the watchdog's grace

        // The watchdog had the cycle save its state before the deep sleep: the hung attempt counts.
        NodeState state = LoadState(node);
        Assert.Equal(failuresBefore + 1, state.Failures);
        Assert.True(state.NextUploadTryUtc > 0);

        // ... and it sleeps to the next sampling time, not a fixed interval from the hang.
        Assert.InRange(o.TimerWakeMs, 1_000, (900_000) - 60_000 + 1_000);
    }

    [Fact]
    public async Task Sensor_rails_are_off_before_the_radio_comes_on()
    {
        using var mosquitto = await MosquittoServer.StartNewAsync();
        var (node, _, runner) = NewWaterNode("wq-rails", mosquitto.Port);
        WakeOutcome o = runner.Run(node, WakeCause.Undefined); // a cold start samples and uploads

        Assert.Null(o.HangReason);
        Assert.True(o.Sampled);
        Assert.Equal(1, o.MqttConnects);
        Assert.True(o.RailsOnMs > 0 && o.RadioOnMs > 0, $"rails {o.RailsOnMs} ms, radio {o.RadioOnMs} ms");

        // Rails (GPIO 25/26/27/23) and radio never on together: the rails go off after the round. The
        // one exception is the backup RTC's write after the SNTP sync: its bus pull-ups and VCC are on
        // 3V3_SENS, so each of Ds3231Clock.Write's (at most 3) transfers raises GPIO25 for
        // RailedI2cBus.RailRiseMs (2 ms) while the radio is on (hardware/common/rtc-backup.md).
        const int RtcWriteRailMs = 3 * 2;
        Assert.InRange(o.RailsOnMs + o.RadioOnMs, 0, o.AwakeMs + RtcWriteRailMs);
    }

    private static NodeState LoadState(Esp32Device node)
    {
        var state = new NodeState(new CommittedFiles(node.Flash));
        Assert.True(state.Load(), "no committed state file");
        return state;
    }

    private static (Esp32Device Node, RadioEnvironment Radio, WakeRunner Runner) NewWaterNode(string device, int brokerPort)
    {
        JsonObject config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "config", "water.json")))!.AsObject();
        config["device"] = device;
        config["site"] = "bench";
        config["mqtt"]!["host"] = Host;
        var radio = new RadioEnvironment { BrokerPort = brokerPort };
        radio.Dns[Host] = "127.0.0.1";

        // A charged battery: raw 2420 reads ≈ 3.9 V through the divider (1800 reads 2.9 V, the no-upload mode).
        var node = new Esp32Device(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 86_400_000, radio) { AdcRaw = _ => 2420 };
        node.Flash.WriteAllBytes("config.json", JsonSerializer.SerializeToUtf8Bytes(config));
        return (node, radio, new WakeRunner(Path.Combine(AppContext.BaseDirectory, "IoTMonitor.Firmware.Emulator.App.dll")));
    }

    private static async Task<IMqttClient> ConnectAsync(int port)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("operator").Build());
        return client;
    }
}
