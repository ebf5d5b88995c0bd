using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Gateway.Downlink;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway;

/// <summary>
/// Owns the ingest stages and their lifecycle. Starts sink first and stops in reverse:
/// <code>
///   start: registry, downlink store -> ledger store (restore) -> dead-letter store -> WAL (replay) -> InfluxWriter -> pipeline, ack ingest -> MQTT listener
///   stop:  MQTT listener -> WAL (no more appends) -> InfluxWriter -> dead-letter store -> ledger store (last flush) -> downlink store, registry
/// </code>
/// </summary>
public sealed class GatewayRuntime : IHostedService, IAsyncDisposable
{
    private readonly GatewaySettings _settings;
    private readonly ILoggerFactory _logs;
    private bool _stopped;

    public GatewayRuntime(GatewaySettings settings, ILoggerFactory logs, TimeProvider time, Ledger ledger)
    {
        _settings = settings;
        _logs = logs;
        Time = time;
        Ledger = ledger;
        Registry = new DeviceRegistry(settings.Gateway.Resolve(settings.Registry.Path), settings.Registry);
        var downlinkStore = new DownlinkStore(settings.Gateway.Resolve(settings.Registry.Path));
        Downlink = new DownlinkService(downlinkStore, Registry, settings.Downlink, ledger.Counters, time, logs.CreateLogger<DownlinkService>());
    }

    /// <summary>Remote config and commands (gateway → node) and their acks.</summary>
    public DownlinkService Downlink { get; }

    public TimeProvider Time { get; }

    public Ledger Ledger { get; }

    public DeviceRegistry Registry { get; }

    /// <summary>The device ledgers' file: restored before the listener starts, written behind it.</summary>
    public LedgerStore LedgerStore { get; private set; } = null!;

    public DeadLetterStore DeadLetters { get; private set; } = null!;

    public WriteAheadLog Wal { get; private set; } = null!;

    public InfluxWriter Writer { get; private set; } = null!;

    public IngestPipeline Pipeline { get; private set; } = null!;

    public IMqttListener Listener { get; private set; } = null!;

    public GatewaySettings Settings => _settings;

    public bool Started { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var s = _settings;
        LedgerStore = new LedgerStore(s.Gateway.Resolve(s.Gateway.LedgerPath), _logs.CreateLogger<LedgerStore>());
        LedgerStore.Start(Ledger, TimeSpan.FromMilliseconds(s.Gateway.LedgerFlushMs));
        DeadLetters = new DeadLetterStore(s.Gateway.Resolve(s.Validation.DeadLetterPath), s.Validation.DeadLetterMaxBytes, s.Validation.DeadLetterQueueLength);
        Wal = WriteAheadLog.Open(s.Buffering, s.Gateway.Resolve(s.Buffering.Directory), _logs.CreateLogger<WriteAheadLog>());
        Writer = new InfluxWriter(s.Storage, Wal, Ledger, DeadLetters, _logs.CreateLogger<InfluxWriter>());
        Writer.Start();
        Pipeline = new IngestPipeline(s.Validation, Wal, DeadLetters, Ledger, Time);
        var acks = new AckIngest(Downlink.Store, Ledger.Counters, DeadLetters, Time);
        if (s.Mqtt.Mode == MqttMode.Embedded)
        {
            var broker = new EmbeddedBroker(s.Mqtt, s.Registry, Registry, Pipeline, acks, Downlink, _logs.CreateLogger<EmbeddedBroker>());
            Downlink.Attach(broker);
            Listener = broker;
        }
        else
        {
            var client = new ExternalBrokerClient(s.Mqtt.External, s.Registry, Registry, Pipeline, acks, Downlink, _logs.CreateLogger<ExternalBrokerClient>());
            Downlink.Attach(client);
            Listener = client;
        }

        await Listener.StartAsync(cancellationToken).ConfigureAwait(false);
        Started = true;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped || !Started)
        {
            return;
        }

        _stopped = true;
        await Listener.DisposeAsync().ConfigureAwait(false);
        await Wal.DisposeAsync().ConfigureAwait(false);
        await Writer.DisposeAsync().ConfigureAwait(false);
        await DeadLetters.DisposeAsync().ConfigureAwait(false);
        await LedgerStore.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        Downlink.Store.Dispose();
        Registry.Dispose();
    }
}
