using System.Collections.Concurrent;
using System.Text;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Host.Modem;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTMonitor.EndToEnd.Tests.Cellular;

/// <summary>
/// The firmware core's <see cref="ModemLink"/> against the modem model, whose MQTT side is a real
/// mosquitto on 127.0.0.1: what the link reports must match what the broker really got.
/// </summary>
public sealed class ModemLink_Tests : IAsyncLifetime
{
    private const string Telemetry = "iotmon/v1/s1/n1/telemetry";
    private const string Config = "iotmon/v1/s1/n1/config";
    private MosquittoServer _broker = null!;
    private IMqttClient _watcher = null!;
    private readonly ConcurrentQueue<(string Topic, string Payload, bool Retain)> _seen = new();

    public async Task InitializeAsync()
    {
        _broker = await MosquittoServer.StartNewAsync();
        _watcher = new MqttClientFactory().CreateMqttClient();
        _watcher.ApplicationMessageReceivedAsync += e =>
        {
            _seen.Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload), e.ApplicationMessage.Retain));
            return Task.CompletedTask;
        };
        await _watcher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId("watcher").Build());
        await _watcher.SubscribeAsync("iotmon/v1/s1/n1/#", MqttQualityOfServiceLevel.AtLeastOnce);
    }

    public async Task DisposeAsync()
    {
        _watcher.Dispose();
        _broker.Dispose();
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData(ModemKind.Simcom)]
    [InlineData(ModemKind.Quectel)]
    public async Task Connects_reports_the_network_publishes_with_puback_and_receives_the_retained_config(ModemKind kind)
    {
        await RetainConfigAsync("{\"v\":1,\"rev\":7,\"note\":\"a, \\\"quoted\\\" value\"}");
        using var rig = new Rig(kind, _broker.Port);

        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(Settings(), 60_000));
        Assert.Equal(1, rig.Link.Info.Registration);
        Assert.Equal(-73, rig.Link.Rssi); // +CSQ: 20 → −113 + 40
        Assert.Equal(-92, rig.Link.Info.RsrpDbm);
        Assert.Equal("CHINA MOBILE", rig.Link.Info.Operator);
        Assert.Equal(7, rig.Link.Info.AccessTech);
        Assert.Equal(rig.Modem.Iccid, rig.Link.Info.Iccid);
        Assert.True(rig.Link.SyncTime("unused", 5000));

        var buffer = new byte[8192];
        var n = rig.Link.Receive(buffer, 10_000, out var topic);
        Assert.Equal(Config, topic);
        Assert.Equal("{\"v\":1,\"rev\":7,\"note\":\"a, \\\"quoted\\\" value\"}", Encoding.UTF8.GetString(buffer, 0, n));

        var body = Encoding.UTF8.GetBytes("xx{\"v\":1,\"r\":[]}yy");
        Assert.Equal(LinkStatus.Ok, rig.Link.Publish(Telemetry, body, 2, body.Length - 4, false, 30_000));
        await WaitSeenAsync(Telemetry, "{\"v\":1,\"r\":[]}");
        rig.Link.Disconnect();
    }

    [Theory]
    [InlineData(ModemKind.Simcom)]
    [InlineData(ModemKind.Quectel)]
    [InlineData(ModemKind.SimcomSm)]
    public void No_sim_and_denied_registration_fail_the_connect_at_their_step(ModemKind kind)
    {
        using (var rig = new Rig(kind, _broker.Port, b => b.NoSim = true))
        {
            Assert.Equal(LinkStatus.WifiFailed, rig.Link.Connect(Settings(), 60_000));
            Assert.Equal("sim", rig.Link.Info.FailedStep);
            Assert.Equal(10, rig.Link.Info.LastCmeError);
        }

        using (var rig = new Rig(kind, _broker.Port, b => b.RegistrationDenied = true))
        {
            var start = rig.Clock.Millis;
            Assert.Equal(LinkStatus.WifiFailed, rig.Link.Connect(Settings(), 60_000));
            Assert.Equal("registration denied", rig.Link.Info.FailedStep);
            Assert.True(rig.Clock.Millis - start < 20_000, "a denied registration is final, not waited out");
        }

        using (var rig = new Rig(kind, _broker.Port, b => b.NoNetwork = true))
        {
            var start = rig.Clock.Millis;
            Assert.Equal(LinkStatus.WifiFailed, rig.Link.Connect(Settings(), 30_000));
            Assert.Equal("registration", rig.Link.Info.FailedStep);
            Assert.InRange(rig.Clock.Millis - start, 25_000, 31_000);
        }
    }

    [Theory]
    [InlineData(ModemKind.Simcom)]
    [InlineData(ModemKind.Quectel)]
    [InlineData(ModemKind.SimcomSm)]
    public async Task A_missing_puback_is_a_timeout_even_though_the_broker_got_the_message(ModemKind kind)
    {
        using var rig = new Rig(kind, _broker.Port, b => b.PubAckNever.Add(1));
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(Settings(), 60_000));
        var body = Encoding.UTF8.GetBytes("{\"n\":1}");
        Assert.Equal(LinkStatus.Timeout, rig.Link.Publish(Telemetry, body, 0, body.Length, false, 10_000));
        await WaitSeenAsync(Telemetry, "{\"n\":1}"); // at least once: the core resends it
        var second = Encoding.UTF8.GetBytes("{\"n\":2}");
        Assert.Equal(LinkStatus.Ok, rig.Link.Publish(Telemetry, second, 0, second.Length, false, 10_000));
    }

    [Theory]
    [InlineData(ModemKind.Simcom)]
    [InlineData(ModemKind.Quectel)]
    [InlineData(ModemKind.SimcomSm)]
    public void Broker_close_and_signal_loss_report_disconnected_and_a_new_connect_recovers(ModemKind kind)
    {
        using var rig = new Rig(kind, _broker.Port, b =>
        {
            b.BrokerClosesAt.Add(1);
            b.SignalLossAt.Add(2);
        });
        var body = Encoding.UTF8.GetBytes("{}");
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(Settings(), 60_000));
        Assert.Equal(LinkStatus.Disconnected, rig.Link.Publish(Telemetry, body, 0, body.Length, false, 10_000));
        Assert.Equal(LinkStatus.Disconnected, rig.Link.Publish(Telemetry, body, 0, body.Length, false, 10_000));
        rig.Link.Disconnect();
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(Settings(), 60_000));
        Assert.Equal(LinkStatus.Disconnected, rig.Link.Publish(Telemetry, body, 0, body.Length, false, 10_000));
        rig.Link.Disconnect();
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(Settings(), 60_000));
        Assert.Equal(LinkStatus.Ok, rig.Link.Publish(Telemetry, body, 0, body.Length, false, 10_000));
    }

    [Theory]
    [InlineData(ModemKind.Simcom)]
    [InlineData(ModemKind.Quectel)]
    [InlineData(ModemKind.SimcomSm)]
    public void A_modem_reset_mid_publish_and_a_hung_modem_are_recovered(ModemKind kind)
    {
        using var rig = new Rig(kind, _broker.Port, b =>
        {
            b.ResetAt.Add(1);
            b.HangAt.Add(2);
            b.GarbageAtBoot = true;
        });
        var body = Encoding.UTF8.GetBytes("{}");
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(Settings(), 60_000));
        Assert.NotEqual(LinkStatus.Ok, rig.Link.Publish(Telemetry, body, 0, body.Length, false, 20_000));
        Assert.Equal(1, rig.Link.Info.ModemResets);

        // The restarted modem is resynchronised (echo back on after its reset) and the session rebuilt.
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(Settings(), 60_000));
        Assert.Equal(LinkStatus.Timeout, rig.Link.Publish(Telemetry, body, 0, body.Length, false, 10_000));

        // Hung: nothing answers AT; the link power-cycles it (the model is its IModemPower).
        var cycles = rig.Modem.PowerCycles;
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(Settings(), 60_000));
        Assert.Equal(cycles + 1, rig.Modem.PowerCycles);
        Assert.Equal(LinkStatus.Ok, rig.Link.Publish(Telemetry, body, 0, body.Length, false, 10_000));
        Assert.True(rig.Link.At.Discarded + rig.Link.At.Urcs > 0);
    }

    [Fact]
    public void An_error_answer_to_a_step_fails_the_connect_without_stalling()
    {
        using var rig = new Rig(ModemKind.Simcom, _broker.Port, b => b.ErrorOn.Add("AT+CMQTTSUB=0"));
        var start = rig.Clock.Millis;
        // As on Wi-Fi, a subscribe that fails leaves a usable session and reports Timeout.
        Assert.Equal(LinkStatus.Timeout, rig.Link.Connect(Settings(), 60_000));
        Assert.Equal("subscribe", rig.Link.Info.FailedStep);
        Assert.True(rig.Clock.Millis - start < 30_000);
    }

    [Fact]
    public async Task Sim7080_speaks_the_sm_family_reports_nb_iot_and_releases_only_on_its_puback()
    {
        await RetainConfigAsync("{\"v\":1,\"rev\":3,\"note\":\"a, \\\"quoted\\\" value\"}");
        using var rig = new Rig(ModemKind.SimcomSm, _broker.Port);
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(Settings(), 60_000));
        Assert.Equal(9, rig.Link.Info.AccessTech); // E-UTRAN NB-S1
        Assert.Equal(-94, rig.Link.Info.RsrpDbm);
        Assert.Equal(rig.Modem.Iccid, rig.Link.Info.Iccid);
        Assert.Contains("AT+CNACT=0,1", rig.Modem.Log);
        Assert.Contains("AT+SMCONN", rig.Modem.Log);
        Assert.DoesNotContain(rig.Modem.Log, l => l.StartsWith("AT+CMQTT", StringComparison.Ordinal));

        var buffer = new byte[8192];
        var n = rig.Link.Receive(buffer, 10_000, out var topic);
        Assert.Equal(Config, topic);
        Assert.Equal("{\"v\":1,\"rev\":3,\"note\":\"a, \\\"quoted\\\" value\"}", Encoding.UTF8.GetString(buffer, 0, n));

        var body = Encoding.UTF8.GetBytes("{\"sm\":1}");
        Assert.Equal(LinkStatus.Ok, rig.Link.Publish(Telemetry, body, 0, body.Length, false, 30_000));
        await WaitSeenAsync(Telemetry, "{\"sm\":1}");
        rig.Link.Disconnect();
        Assert.Contains("AT+SMDISC", rig.Modem.Log);
    }

    [Theory]
    [InlineData("AT+SMCONN", "mqtt")]
    [InlineData("AT+SMSUB=", "subscribe")]
    [InlineData("AT+CNACT=", "mqtt")]
    [InlineData("AT+SMCONF=", "mqtt")]
    public void Sim7080_error_to_any_step_fails_the_connect_at_that_step_without_stalling(string command, string step)
    {
        using var rig = new Rig(ModemKind.SimcomSm, _broker.Port, b => b.ErrorOn.Add(command));
        var start = rig.Clock.Millis;
        Assert.NotEqual(LinkStatus.Ok, rig.Link.Connect(Settings(), 60_000));
        Assert.Equal(step, rig.Link.Info.FailedStep);
        Assert.True(rig.Clock.Millis - start < 40_000, $"took {rig.Clock.Millis - start} ms");
    }

    [Fact]
    public void Sim7080_connection_lost_urc_fails_the_publish_waiting_for_its_puback()
    {
        using var rig = new Rig(ModemKind.SimcomSm, _broker.Port, b => b.BrokerClosesAt.Add(1));
        Assert.Equal(LinkStatus.Ok, rig.Link.Connect(Settings(), 60_000));
        var body = Encoding.UTF8.GetBytes("{}");
        var start = rig.Clock.Millis;
        Assert.Equal(LinkStatus.Disconnected, rig.Link.Publish(Telemetry, body, 0, body.Length, false, 30_000));
        Assert.True(rig.Clock.Millis - start < 5_000, "+SMSTATE: 0 ends the wait at once");
        Assert.False(rig.Link.Report.Operator is null);
    }

    internal static LinkSettings Settings() => new()
    {
        Host = "gateway.example",
        Port = 1883,
        ClientId = "s1/n1",
        KeepAliveSec = 60,
        WillTopic = "iotmon/v1/s1/n1/status",
        WillPayload = Encoding.UTF8.GetBytes("{\"v\":1,\"state\":\"lost\"}"),
        SubscribeTopics = [Config, "iotmon/v1/s1/n1/cmd"],
    };

    private async Task RetainConfigAsync(string json)
    {
        await _watcher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Config).WithPayload(json).WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
    }

    private async Task WaitSeenAsync(string topic, string payload)
    {
        for (var i = 0; i < 100; i++)
        {
            if (_seen.Any(s => s.Topic == topic && s.Payload == payload))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"the broker never got {payload} on {topic}; seen: {string.Join(" | ", _seen.Select(s => s.Topic + " " + s.Payload))}");
    }

    /// <summary>Link, modem model and clock wired as on the board; the model's "internet" routes to the test broker.</summary>
    internal sealed class Rig : IDisposable
    {
        public Rig(ModemKind kind, int brokerPort, Action<ModemBehaviour>? faults = null, byte[]? ca = null)
        {
            Clock = new StepClock();
            var behaviour = new ModemBehaviour { Kind = kind, BootMs = 2000, RegistrationMs = 2000 };
            faults?.Invoke(behaviour);
            var relay = new MqttRelay { Route = (_, _) => ("127.0.0.1", brokerPort) };
            Modem = new SimulatedModem(Clock, behaviour, relay);
            Link = new ModemLink(Modem, Clock, kind, "cmnet", ca, Modem, Clock);
        }

        public StepClock Clock { get; }

        public SimulatedModem Modem { get; }

        public ModemLink Link { get; }

        public void Dispose() => Modem.Dispose();
    }
}
