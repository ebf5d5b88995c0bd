using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTMonitor.Firmware.Host.Modem;

/// <summary>
/// The simulated modem's MQTT stack: a real MQTT 3.1.1 client (MQTTnet) to a real broker, so what
/// the node sends over AT commands reaches the gateway for real. Calls block (the modem's own stack
/// works while the AT side waits for its URC); received messages are handed to <see cref="Received"/>.
/// </summary>
public sealed class MqttRelay : IDisposable
{
    private static readonly MqttClientFactory Factory = new();
    private IMqttClient? _client;

    /// <summary>Called on MQTTnet's thread for every message on a subscribed topic.</summary>
    public Action<string, byte[]>? Received { get; set; }

    /// <summary>Host and port the modem connects to instead of the node's (tests route "the internet" to 127.0.0.1).</summary>
    public Func<string, int, (string Host, int Port)>? Route { get; set; }


    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>CONNECT with clean session false; returns the CONNACK code (0 accepted) or -1 when the broker was unreachable.</summary>
    public int Connect(string host, int port, X509Certificate2? tlsCa, string clientId, string? user, string? password, int keepAliveSec, string? willTopic, byte[]? will, bool willRetain)
    {
        Drop();
        var (h, p) = Route?.Invoke(host, port) ?? (host, port);
        var client = Factory.CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            Received?.Invoke(e.ApplicationMessage.Topic, BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        var b = new MqttClientOptionsBuilder()
            .WithTcpServer(h, p)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(clientId)
            .WithCleanSession(false)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(keepAliveSec > 0 ? keepAliveSec : 60))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (!string.IsNullOrEmpty(user))
        {
            b.WithCredentials(user, password);
        }

        if (willTopic is not null && will is not null)
        {
            b.WithWillTopic(willTopic).WithWillPayload(will).WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithWillRetain(willRetain);
        }

        if (tlsCa is not null)
        {
            // As the modem with authmode 1 / seclevel 1: the server's chain must end in the CA it was
            // given and the certificate must name the host the node asked for (not the test route).
            b.WithTlsOptions(o => o.UseTls().WithTargetHost(host).WithCertificateValidationHandler(ctx => Trusted(ctx.Certificate, tlsCa, host)));
        }

        try
        {
            var r = client.ConnectAsync(b.Build()).GetAwaiter().GetResult();
            _client = client;
            return r.ResultCode == MqttClientConnectResultCode.Success ? 0 : (int)r.ResultCode;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException)
        {
            // The broker answered CONNACK with a refusal (MQTTnet does not say which here).
            client.Dispose();
            return (int)MqttClientConnectResultCode.NotAuthorized;
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or System.Net.Sockets.SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            client.Dispose();
            return -1;
        }
    }

    private static bool Trusted(X509Certificate? presented, X509Certificate2 ca, string host)
    {
        if (presented is null)
        {
            return false;
        }

        using var server = new X509Certificate2(presented);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server) && server.MatchesHostname(host);
    }

    /// <summary>SUBSCRIBE at QoS 1; true on SUBACK granting it.</summary>
    public bool Subscribe(IReadOnlyList<string> topics)
    {
        var c = _client;
        if (c is not { IsConnected: true })
        {
            return false;
        }

        var o = Factory.CreateSubscribeOptionsBuilder();
        foreach (var t in topics)
        {
            o.WithTopicFilter(t, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        try
        {
            var r = c.SubscribeAsync(o.Build()).GetAwaiter().GetResult();
            return r.Items.All(i => i.ResultCode == MqttClientSubscribeResultCode.GrantedQoS1);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or IOException or OperationCanceledException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>PUBLISH at QoS 1; true once the broker's PUBACK came.</summary>
    public bool Publish(string topic, byte[] payload, bool retain)
    {
        var c = _client;
        if (c is not { IsConnected: true })
        {
            return false;
        }

        var m = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build();
        try
        {
            return c.PublishAsync(m).GetAwaiter().GetResult().IsSuccess;
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or IOException or OperationCanceledException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>DISCONNECT (no will).</summary>
    public void Disconnect()
    {
        var c = _client;
        _client = null;
        if (c is null)
        {
            return;
        }

        try
        {
            if (c.IsConnected)
            {
                c.DisconnectAsync().GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or IOException or OperationCanceledException or InvalidOperationException)
        {
            // Already down.
        }

        c.Dispose();
    }

    /// <summary>The connection ends without DISCONNECT (reset, power cut, radio loss): the broker publishes the will.</summary>
    public void Drop()
    {
        var c = _client;
        _client = null;
        c?.Dispose();
    }

    public void Dispose() => Drop();
}
