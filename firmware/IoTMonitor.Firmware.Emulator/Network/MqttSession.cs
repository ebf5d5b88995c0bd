using System.Buffers;
using IoTMonitor.Firmware.Emulator.Device;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTMonitor.Firmware.Emulator.Network;

/// <summary>Why a connect failed, as M2Mqtt reports it (reference §7).</summary>
public enum ConnectFailure
{
    /// <summary>Socket error: M2Mqtt throws MqttConnectionException.</summary>
    Socket,

    /// <summary>No CONNACK within the fixed 30 s: MqttCommunicationException.</summary>
    NoConnack,
}

/// <summary>A connect that failed the way M2Mqtt would report it.</summary>
public sealed class MqttTransportException : Exception
{
    public MqttTransportException(ConnectFailure failure, string message)
        : base(message)
    {
        Failure = failure;
    }

    public MqttTransportException()
    {
    }

    public MqttTransportException(string message)
        : base(message)
    {
    }

    public MqttTransportException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ConnectFailure Failure { get; }
}

/// <summary>
/// The wire under the model's M2Mqtt 5.1.220: a real MQTT 3.1.1 client (MQTTnet) to the real gateway on
/// loopback, with M2Mqtt's timings and failure events layered on top (reference §7, MQ MqttClient.cs):
/// <list type="bullet">
/// <item>CONNACK waited a fixed 30 000 ms (MqttSettings.DefaultTimeout); no TCP timeout of its own.</item>
/// <item>QoS 1: a PUBACK within 3 transmissions 1 s apart raises IsPublished=true; otherwise false about
/// 3 s after the first send, and a PUBACK that comes later is dropped as an orphan
/// (ProcessInflightThread).</item>
/// <item>SUBACK follows the same rule and raises nothing on failure.</item>
/// <item>A closed socket clears every queue: pending messages get no event (ReceiveThread, Close).</item>
/// </list>
/// Events are posted to the device and run on the app's thread while it waits.
/// </summary>
public sealed class MqttSession
{
    /// <summary>MqttSettings.DefaultTimeout (MQ): the CONNACK wait.</summary>
    public const int ConnackTimeoutMs = 30000;

    /// <summary>QoS 1 retry interval and transmissions (MQ ProcessInflightThread).</summary>
    public const int RetryMs = 1000;

    public const int Transmissions = 3;

    private static readonly MqttClientFactory Factory = new();

    private readonly Esp32Device _device;
    private readonly RadioEnvironment _radio;
    private readonly string _ip;
    private readonly int _port;
    private IMqttClient? _client;
    private volatile bool _dead;

    public MqttSession(Esp32Device device, string ip, int port)
    {
        _device = device;
        _radio = device.Radio;
        _ip = ip;
        _port = port;
    }

    /// <summary>A message arrived (topic, payload, dup, qos, retain); runs on the app's thread.</summary>
    public Action<string, byte[], bool, int, bool>? Received { get; set; }

    /// <summary>The socket closed under the session (runs on the app's thread).</summary>
    public Action? Closed { get; set; }

    public bool IsConnected => !_dead && _client is { IsConnected: true } && _radio.Associated;

    /// <summary>Connects; returns the CONNACK code (0 accepted) or throws <see cref="MqttTransportException"/>.</summary>
    public int Connect(string clientId, string? user, string? password, bool willRetain, int willQos, bool willFlag, string? willTopic, byte[]? willMessage, bool cleanSession, int keepAliveSec)
    {
        _device.Step("mqtt-connect");
        _device.CountMqttConnect();
        if (!_radio.Associated)
        {
            throw new MqttTransportException(ConnectFailure.Socket, "no network");
        }

        switch (_radio.Broker(_device.TrueMs))
        {
            case BrokerMode.Refusing:
                _device.Advance(5);
                throw new MqttTransportException(ConnectFailure.Socket, "connection refused");
            case BrokerMode.Silent:
                _device.Advance(ConnackTimeoutMs);
                throw new MqttTransportException(ConnectFailure.NoConnack, "no CONNACK in 30 s");
            case BrokerMode.Blackhole:
                _device.Wait(-1, static () => false);
                throw new MqttTransportException(ConnectFailure.Socket, "TCP connect never answered");
        }

        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_ip, _port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(cleanSession)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(keepAliveSec > 0 ? keepAliveSec : 60))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithCredentials(user, password);
        if (willFlag && willTopic != null)
        {
            builder.WithWillTopic(willTopic).WithWillPayload(willMessage ?? []).WithWillRetain(willRetain).WithWillQualityOfServiceLevel((MqttQualityOfServiceLevel)willQos);
        }

        _client = Factory.CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            byte[] payload = m.Payload.ToArray();
            if (!_dead)
            {
                _device.Post(() => Received?.Invoke(m.Topic, payload, m.Dup, (int)m.QualityOfServiceLevel, m.Retain), false);
            }

            return Task.CompletedTask;
        };
        _client.DisconnectedAsync += _ =>
        {
            if (!_dead)
            {
                _device.Post(() => Closed?.Invoke(), false);
            }

            return Task.CompletedTask;
        };
        _radio.Attach(this);
        long before = Environment.TickCount64;
        try
        {
            MqttClientConnectResult result = _client.ConnectAsync(builder.Build()).GetAwaiter().GetResult();
            _device.Advance(Math.Max(1, Environment.TickCount64 - before));
            return Code(result.ResultCode);
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException)
        {
            // A refused CONNACK returns its code and leaves the socket open (MQ Connect).
            _device.Advance(Math.Max(1, Environment.TickCount64 - before));
            return 5;
        }
        catch (Exception e) when (e is not DeviceResetException)
        {
            _device.Advance(Math.Max(1, Environment.TickCount64 - before));
            throw new MqttTransportException(ConnectFailure.Socket, e.Message);
        }
    }

    private static int Code(MqttClientConnectResultCode code) => code switch
    {
        MqttClientConnectResultCode.Success => 0,
        MqttClientConnectResultCode.UnsupportedProtocolVersion => 1,
        MqttClientConnectResultCode.ClientIdentifierNotValid => 2,
        MqttClientConnectResultCode.ServerUnavailable => 3,
        MqttClientConnectResultCode.BadUserNameOrPassword => 4,
        _ => 5,
    };

    /// <summary>Sends a QoS 1 PUBLISH; <paramref name="published"/>(id, true/false) follows as M2Mqtt raises it (or never, if the socket closes).</summary>
    public void Publish(ushort id, string topic, byte[] payload, int qos, bool retain, Action<ushort, bool>? published)
    {
        IMqttClient? client = _client;
        if (!IsConnected || client == null)
        {
            return; // queued on a dead socket: M2Mqtt's Close clears it, no event
        }

        _device.Step("mqtt-publish");
        long sentAt = _device.TrueMs;
        bool acksLost = _radio.AcksLost(sentAt);
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)qos).WithRetainFlag(retain).Build();
        _device.BeginReal();
        Task<MqttClientPublishResult> send = client.PublishAsync(message);
        if (acksLost && qos > 0)
        {
            // The broker has the message; its PUBACK never reaches the node: false after 3 tries.
            _device.Schedule(sentAt + (RetryMs * Transmissions), () => published?.Invoke(id, false));
        }

        send.ContinueWith(
            t =>
            {
                bool ok = t.IsCompletedSuccessfully && t.Result.IsSuccess;
                _device.Post(
                    () =>
                    {
                        if (_dead || qos == 0 || acksLost)
                        {
                            return;
                        }

                        _device.Step("mqtt-puback");
                        bool inTime = _device.TrueMs - sentAt <= RetryMs * Transmissions;
                        if (ok)
                        {
                            // A PUBACK after the third try is an orphan: IsPublished already went false.
                            published?.Invoke(id, inTime);
                        }
                        else if (IsConnected)
                        {
                            published?.Invoke(id, false);
                        }
                    },
                    true);
            },
            TaskScheduler.Default);
    }

    /// <summary>Sends SUBSCRIBE; <paramref name="subscribed"/>(id) follows on SUBACK in time, nothing otherwise.</summary>
    public void Subscribe(ushort id, string[] topics, Action<ushort>? subscribed)
    {
        IMqttClient? client = _client;
        if (!IsConnected || client == null)
        {
            return;
        }

        _device.Step("mqtt-subscribe");
        long sentAt = _device.TrueMs;
        var options = Factory.CreateSubscribeOptionsBuilder();
        foreach (string t in topics)
        {
            options.WithTopicFilter(t, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        _device.BeginReal();
        client.SubscribeAsync(options.Build()).ContinueWith(
            t => _device.Post(
                () =>
                {
                    if (!_dead && t.IsCompletedSuccessfully && _device.TrueMs - sentAt <= RetryMs * Transmissions)
                    {
                        subscribed?.Invoke(id);
                    }
                },
                true),
            TaskScheduler.Default);
    }

    /// <summary>DISCONNECT then close (MQ Disconnect).</summary>
    public void Disconnect()
    {
        IMqttClient? client = _client;
        if (client is { IsConnected: true } && !_dead)
        {
            try
            {
                client.DisconnectAsync().Wait(2000);
            }
            catch (AggregateException)
            {
                // the socket was already gone
            }
        }

        Abort();
    }

    /// <summary>Closes the socket without DISCONNECT; no event for anything pending.</summary>
    public void Abort()
    {
        _dead = true;
        IMqttClient? client = _client;
        _client = null;
        client?.Dispose();
    }
}
