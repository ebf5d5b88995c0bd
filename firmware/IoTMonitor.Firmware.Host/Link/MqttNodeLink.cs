using System.Buffers;
using System.Collections.Concurrent;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Host.Node;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTMonitor.Firmware.Host.Link;

/// <summary>
/// The virtual node's <see cref="INodeLink"/> over an MQTTnet 5 client: persistent session (clean
/// start false, 7-day expiry), retained QoS 1 will, QoS 1 publishes that return only after the
/// PUBACK, and a queue of messages received on the node's config/cmd topics. The interface is
/// synchronous (as on the ESP32); each call blocks its worker thread at most its timeout.
/// </summary>
/// <remarks>
/// Time: within a wake node time is real time (<see cref="VirtualClock"/>), so connect and PUBACK
/// waits are real, at least <see cref="LinkOptions.MinRealTimeoutMs"/>; an empty receive window is
/// waited only <see cref="LinkOptions.MaxRealReceiveWaitMs"/> for real and the rest is accounted on
/// the clock as if waited. WiFi outages come from
/// <see cref="LinkOptions.IsWifiDown"/>: while it answers true, Connect fails with WifiFailed.
/// </remarks>
public sealed class MqttNodeLink : INodeLink, IDisposable
{
    private static readonly MqttClientFactory Factory = new();

    private readonly VirtualClock _clock;
    private readonly LinkOptions _options;
    private readonly ConcurrentQueue<MqttApplicationMessage> _inbox = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private IMqttClient? _client;
    private string? _subscribedFor;

    public MqttNodeLink(VirtualClock clock, LinkOptions? options = null)
    {
        _clock = clock;
        _options = options ?? new LinkOptions();
    }

    /// <summary>Connects that succeeded (for the fleet display).</summary>
    public int Connects { get; private set; }

    /// <summary>Last failure text (for diagnostics).</summary>
    public string? LastError { get; private set; }

    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>True when the outage model has this node's WiFi down at <paramref name="utcMs"/>.</summary>
    public bool IsWifiDownAt(long utcMs) => _options.IsWifiDown?.Invoke(utcMs) == true;

    public int Rssi => _options.Rssi?.Invoke() ?? -67;

    public LinkStatus Connect(LinkSettings settings, int timeoutMs)
    {
        if (_options.IsWifiDown?.Invoke(_clock.TrueUtcMs) == true)
        {
            // Scan + association attempts until the timeout: the node spends that time awake.
            _clock.Advance(Math.Min(timeoutMs, _options.WifiJoinFailMs));
            LastError = "wifi down";
            return LinkStatus.WifiFailed;
        }

        if (_client is { IsConnected: true } && _options.StayConnected && _subscribedFor == settings.ClientId)
        {
            return LinkStatus.Ok;
        }

        if (_client is null)
        {
            _client = Factory.CreateMqttClient();
            _client.ApplicationMessageReceivedAsync += e =>
            {
                _inbox.Enqueue(e.ApplicationMessage);
                _arrived.Release();
                return Task.CompletedTask;
            };
        }

        var host = _options.HostOverride ?? settings.Host;
        var port = _options.PortOverride ?? settings.Port;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(settings.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(_options.SessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(settings.KeepAliveSec > 0 ? settings.KeepAliveSec : 60))
            .WithTimeout(RealTimeout(timeoutMs))
            .WithCredentials(settings.User, settings.Password);
        if (settings.WillTopic is not null && settings.WillPayload is not null)
        {
            builder.WithWillTopic(settings.WillTopic).WithWillPayload(settings.WillPayload).WithWillRetain(true).WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }

        if (settings.Tls)
        {
            builder.WithTlsOptions(o => o.UseTls());
        }

        try
        {
            using var cts = new CancellationTokenSource(RealTimeout(timeoutMs));
            var result = _client.ConnectAsync(builder.Build(), cts.Token).GetAwaiter().GetResult();
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                LastError = "connect refused: " + result.ResultCode;
                return LinkStatus.Refused;
            }

            var subscribe = Factory.CreateSubscribeOptionsBuilder();
            foreach (var topic in settings.SubscribeTopics ?? [])
            {
                subscribe.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce);
            }

            if (settings.SubscribeTopics is { Length: > 0 })
            {
                _client.SubscribeAsync(subscribe.Build(), cts.Token).GetAwaiter().GetResult();
            }

            _subscribedFor = settings.ClientId;
            Connects++;
            return LinkStatus.Ok;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException e)
        {
            // The broker answered CONNACK with a failure code (bad credentials, not authorised).
            LastError = "connect refused: " + e.Message;
            return LinkStatus.Refused;
        }
        catch (OperationCanceledException)
        {
            LastError = "connect timed out";
            return LinkStatus.Timeout;
        }
        catch (Exception e) when (e is MqttCommunicationException or System.Net.Sockets.SocketException or IOException or InvalidOperationException)
        {
            LastError = e.Message;
            return LinkStatus.BrokerUnreachable;
        }
    }

    public bool SyncTime(string server, int timeoutMs)
    {
        if (!IsConnected)
        {
            return false;
        }

        _clock.Sync();
        return true;
    }

    public LinkStatus Publish(string topic, byte[] payload, int offset, int count, bool retain, int timeoutMs)
    {
        var client = _client;
        if (client is not { IsConnected: true })
        {
            return LinkStatus.Disconnected;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(new ReadOnlyMemory<byte>(payload, offset, count).ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        try
        {
            using var cts = new CancellationTokenSource(RealTimeout(timeoutMs));
            var result = client.PublishAsync(message, cts.Token).GetAwaiter().GetResult();
            if (result.IsSuccess)
            {
                return LinkStatus.Ok;
            }

            LastError = "publish refused: " + result.ReasonCode;
            return LinkStatus.Refused;
        }
        catch (OperationCanceledException)
        {
            LastError = "no PUBACK in time";
            return LinkStatus.Timeout;
        }
        catch (Exception e) when (e is MqttCommunicationException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            LastError = e.Message;
            return LinkStatus.Disconnected;
        }
    }

    public int Receive(byte[] buffer, int timeoutMs, out string topic)
    {
        topic = null!;
        var start = _clock.Millis;
        var realWait = TimeSpan.FromMilliseconds(Math.Min(timeoutMs, _options.MaxRealReceiveWaitMs));
        if (!_arrived.Wait(realWait))
        {
            _clock.Advance(timeoutMs - (_clock.Millis - start));
            return -1;
        }

        if (!_inbox.TryDequeue(out var message))
        {
            return -1;
        }

        topic = message.Topic;
        var body = message.Payload;
        if (body.Length > buffer.Length)
        {
            body.Slice(0, buffer.Length).CopyTo(buffer); // the prefix: INodeLink.Receive
            return -2;
        }

        body.CopyTo(buffer.AsSpan());
        return (int)body.Length;
    }

    public void Disconnect()
    {
        if (_options.StayConnected && _options.IsWifiDown?.Invoke(_clock.TrueUtcMs) != true)
        {
            return;
        }

        var client = _client;
        if (client is not { IsConnected: true })
        {
            return;
        }

        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cts.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            LastError = e.Message;
        }
    }

    /// <summary>Drops the TCP connection without a DISCONNECT (power loss): the broker publishes the will.</summary>
    public void Drop()
    {
        var old = _client;
        _client = null;
        _subscribedFor = null;
        old?.Dispose();
    }

    public void Dispose()
    {
        Disconnect();
        _client?.Dispose();
        _arrived.Dispose();
    }

    private TimeSpan RealTimeout(int nodeMs) =>
        TimeSpan.FromMilliseconds(Math.Max(nodeMs, _options.MinRealTimeoutMs));
}
