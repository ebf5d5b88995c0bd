namespace IoTMonitor.Gateway.Ingest;

/// <summary>
/// Where telemetry comes from: the embedded broker or a client of an external broker. Start is
/// called last (after the WAL and the writer run) and Stop first; Stop returns when no message is
/// being handled any more. A message is acknowledged (PUBACK) only once the pipeline says it is
/// durable or dead-lettered.
/// </summary>
public interface IMqttListener : IAsyncDisposable
{
    bool IsConnected { get; }

    /// <summary>"embedded", "external" or "cluster".</summary>
    string Mode { get; }

    /// <summary>Clients connected (embedded) or 1/0 (external).</summary>
    int ConnectedClients { get; }

    /// <summary>Messages taken from the broker and not yet acknowledged to it; null when the listener is the broker (embedded).</summary>
    long? InFlight { get; }

    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync();
}
