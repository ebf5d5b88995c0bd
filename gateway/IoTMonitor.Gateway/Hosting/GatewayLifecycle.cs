using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Gateway.Configuration;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway.Hosting;

/// <summary>
/// Keeps only the start/stop order of the ingest stages, which the container creates. Sink first, so
/// nothing is taken in before the place it goes to is open; stop in reverse, so nothing is taken in
/// after it closed:
/// <code>
///   start: ledger store (restore) -> InfluxWriter (drains the WAL, replayed when opened) -> MQTT listener
///   stop:  MQTT listener -> WAL (no more appends) -> InfluxWriter -> dead-letter store -> ledger store (last flush)
/// </code>
/// The registry and downlink store close with the container. The alert stage
/// (AlertsService) stops after this one, once every hosted service has stopped.
/// Registered before every other hosted service, so it starts first.
/// </summary>
public sealed class GatewayLifecycle(
    GatewayOptions gateway,
    Ledger ledger,
    ILedgerStore ledgerStore,
    DeadLetterStore deadLetters,
    WriteAheadLog wal,
    InfluxWriter writer,
    IMqttListener listener) : IHostedService, IAsyncDisposable
{
    private int _stopped;

    /// <summary>True once the listener takes messages (<c>/health</c> answers "starting" before).</summary>
    public bool Started { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ledgerStore.Start(ledger, TimeSpan.FromMilliseconds(gateway.LedgerFlushMs));
        writer.Start();
        await listener.StartAsync(cancellationToken).ConfigureAwait(false);
        Started = true;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!Started || Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await listener.DisposeAsync().ConfigureAwait(false);
        await wal.DisposeAsync().ConfigureAwait(false);
        await writer.DisposeAsync().ConfigureAwait(false);
        await deadLetters.DisposeAsync().ConfigureAwait(false);
        await ledgerStore.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);
}

public static class GatewayLifecycleRegistration
{
    /// <summary>Call after the ingest stages and before any other hosted service: hosted services start in registration order.</summary>
    public static IHostApplicationBuilder AddGatewayLifecycle(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GatewayLifecycle>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewayLifecycle>());
        builder.Services.AddStageHealthCheck<StartedHealthCheck>(StartedHealthCheck.Name);
        return builder;
    }
}
