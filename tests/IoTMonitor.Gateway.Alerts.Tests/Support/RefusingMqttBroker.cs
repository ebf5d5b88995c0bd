using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTMonitor.Gateway.Alerts.Tests.Support;

/// <summary>
/// A real MQTT broker (MQTTnet server on a loopback port) that refuses the first publish to topics
/// matching a predicate with a PUBACK error, as a broker refuses a message it cannot take, and
/// records every publish it accepted. The gateway's embedded broker never refuses the alert login,
/// so a partial failure of the MQTT channel needs a broker of its own.
/// </summary>
public sealed class RefusingMqttBroker : IAsyncDisposable
{
    private readonly MqttServer _server;
    private readonly Func<string, bool> _refuseOnce;
    private readonly List<(string Topic, string? Key)> _accepted = [];
    private int _refused;

    private RefusingMqttBroker(int port, Func<string, bool> refuseOnce)
    {
        Port = port;
        _refuseOnce = refuseOnce;
        var options = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(System.Net.IPAddress.Loopback).WithDefaultEndpointPort(port).Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        _server.InterceptingPublishAsync += OnPublishAsync;
    }

    public int Port { get; }

    /// <summary>Publishes refused so far (at most one).</summary>
    public int Refused => Volatile.Read(ref _refused);

    public static async Task<RefusingMqttBroker> StartAsync(Func<string, bool> refuseOnce)
    {
        var broker = new RefusingMqttBroker(IoTMonitor.Testing.FreePort.Next(), refuseOnce);
        await broker._server.StartAsync();
        return broker;
    }

    /// <summary>Accepted publishes: topic and the <c>idempotency-key</c> user property, in arrival order.</summary>
    public List<(string Topic, string? Key)> Accepted()
    {
        lock (_accepted)
        {
            return [.. _accepted];
        }
    }

    private Task OnPublishAsync(InterceptingPublishEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (_refuseOnce(topic) && Interlocked.CompareExchange(ref _refused, 1, 0) == 0)
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
            return Task.CompletedTask;
        }

        var key = e.ApplicationMessage.UserProperties?.FirstOrDefault(p => p.Name == "idempotency-key")?.ReadValueAsString();
        lock (_accepted)
        {
            _accepted.Add((topic, key));
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        _server.Dispose();
    }
}
