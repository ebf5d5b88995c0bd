using IoTMonitor.Gateway.Alerts.Channels;
using IoTMonitor.Gateway.Alerts.Channels.Mqtt;
using IoTMonitor.Gateway.Alerts.Store;
using IoTMonitor.Gateway.Alerts.Store.Postgres;
using IoTMonitor.Gateway.Configuration;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.State;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>
/// Owns the alert stage: store, engine, channels and outbox dispatcher. Starts after the ingest
/// runtime (it hooks the pipeline's <see cref="IngestPipeline.ReadingsDurable"/>) and stops after it:
/// <code>
///   start: store (rule pack seeded) -> engine (routes through the channels) -> hook on ReadingsDurable
///          -> channels (the MQTT link feeds node status to the engine) -> dispatcher
///   stop (after every hosted service stopped, so ingest takes no more readings):
///          unhook -> engine (drains its queue, Alerts:StopDrainSeconds) -> dispatcher (delivers what
///          is due, Alerts:Outbox:StopGraceSeconds) -> channels -> store
/// </code>
/// <para>
/// Why the stop runs in <see cref="StoppedAsync"/>: hosted services stop in reverse order, so a stop
/// in <see cref="StopAsync"/> ran while the MQTT listener was still acknowledging readings, and every
/// reading durable in that interval (and whatever was queued) was never evaluated. The hook is set
/// right after the engine exists, before channels and dispatcher, for the same reason at start.
/// </para>
/// <para>
/// The channels come from the container (<see cref="IAlertChannel"/>, one registration per folder
/// under <c>Channels/</c>, <see cref="AlertChannels.AddAlertChannels"/>); this class knows none of them
/// but the MQTT link, whose node status feed the engine's silence rules read.
/// </para>
/// </summary>
public sealed class AlertsService : IHostedLifecycleService, IAsyncDisposable
{
    private readonly GatewayOptions _gateway;
    private readonly IngestPipeline _pipeline;
    private readonly AlertsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _logs;
    private readonly SiteProfiles? _profiles;
    private readonly IReadOnlyList<IAlertChannel> _channels;
    private readonly IServiceProvider _services;
    private readonly object _stopGate = new();
    private Task? _stopped;

    /// <param name="profiles">The registry's site profiles (the API's; the engine reads name, type, basin and coordinates there).</param>
    /// <param name="channels">The channels that are on (each folder's registration decides from its options).</param>
    /// <param name="services">Where the shared PostgreSQL database comes from when <c>State:Provider</c> is postgres.</param>
    public AlertsService(GatewayOptions gateway, IngestPipeline pipeline, AlertsOptions options, IEnumerable<IAlertChannel> channels, TimeProvider time, ILoggerFactory logs, IServiceProvider services, SiteProfiles? profiles = null)
    {
        _services = services;
        _gateway = gateway;
        _pipeline = pipeline;
        _profiles = profiles;
        _options = options;
        _channels = channels.ToList();
        _time = time;
        _logs = logs;
    }

    public AlertsOptions Options => _options;

    public AlertStore Store { get; private set; } = null!;

    public AlertEngine Engine { get; private set; } = null!;

    public OutboxDispatcher Dispatcher { get; private set; } = null!;

    /// <summary>The MQTT alert link when it is on (tests wait for it to connect).</summary>
    public MqttChannel? Mqtt => _channels.OfType<MqttChannel>().FirstOrDefault(m => m.OffReason is null);

    public IReadOnlyList<IAlertChannel> Channels => _channels;

    public bool Started { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return Task.CompletedTask;
        }

        Store = _services.GetService<StateOptions>() is { IsPostgres: true }
            ? new PostgresAlertStore(_services.GetRequiredService<PostgresState>(), _options.Lease.Name, TimeSpan.FromSeconds(_options.Lease.Seconds), _options.Lease.Balance)
            : new SqliteAlertStore(_gateway.Resolve(_options.DatabasePath));
        if (_options.RulePackPath.Length > 0)
        {
            if (!File.Exists(_options.RulePackPath))
            {
                throw new InvalidOperationException($"Alerts:RulePackPath '{_options.RulePackPath}' does not exist");
            }

            var pack = RulePack.Load(_options.RulePackPath);
            foreach (var rule in pack.Rules)
            {
                Store.SeedRule(rule, _time.GetUtcNow());
            }
        }

        Engine = new AlertEngine(_options, Store, _channels, _time, _logs.CreateLogger<AlertEngine>(), _profiles is null ? null : _profiles.Find);

        // ingest is already taking readings: hook at once (the dispatcher picks up what is queued meanwhile when it starts)
        Engine.Start();
        _pipeline.ReadingsDurable += Engine.OnReadingsDurable;
        foreach (var mqtt in _channels.OfType<MqttChannel>())
        {
            mqtt.StatusReceived = Engine.OnStatus;
            mqtt.Start();
        }

        Dispatcher = new OutboxDispatcher(Store, _options.Outbox, _channels, _time, _logs.CreateLogger<OutboxDispatcher>());
        Engine.NotificationsQueued += (_, _) => Dispatcher.Wake();
        Dispatcher.Start();
        Started = true;
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Nothing yet: the ingest runtime still takes readings (see <see cref="StoppedAsync"/>).</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every hosted service has stopped, so no reading arrives any more: drain, deliver, close.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken) => StopStageAsync(cancellationToken);

    private Task StopStageAsync(CancellationToken cancellationToken)
    {
        lock (_stopGate)
        {
            return _stopped ??= StopCoreAsync(cancellationToken);
        }
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        if (!Started)
        {
            return;
        }

        Started = false;
        _pipeline.ReadingsDurable -= Engine.OnReadingsDurable;
        foreach (var mqtt in _channels.OfType<MqttChannel>())
        {
            mqtt.StatusReceived = null;
        }

        // the engine first: the notifications its drain writes are in the outbox before the dispatcher stops
        await Engine.StopAsync(TimeSpan.FromSeconds(_options.StopDrainSeconds), cancellationToken).ConfigureAwait(false);
        await Dispatcher.StopAsync(TimeSpan.FromSeconds(_options.Outbox.StopGraceSeconds), cancellationToken).ConfigureAwait(false);
        await Engine.DisposeAsync().ConfigureAwait(false);
        await Dispatcher.DisposeAsync().ConfigureAwait(false);
        foreach (var channel in _channels)
        {
            if (channel is IAsyncDisposable a)
            {
                await a.DisposeAsync().ConfigureAwait(false);
            }
            else if (channel is IDisposable d)
            {
                d.Dispose();
            }
        }

        Store.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopStageAsync(CancellationToken.None).ConfigureAwait(false);
}

public static class AlertsServiceExtensions
{
    /// <summary>Binds and validates <c>Alerts</c> and every channel's options, registers the channels, and runs the alert stage after the ingest runtime.</summary>
    public static IHostApplicationBuilder AddAlerts(this IHostApplicationBuilder builder)
    {
        // bound here once, not through IOptions: each channel folder's registration reads its part
        // to decide whether it is on, and the channels keep this instance
        var options = new AlertsOptions();
        var section = builder.Configuration.GetSection(AlertsOptions.Section);
        section.Bind(options);
        var channelErrors = options.Enabled ? builder.Services.AddAlertChannels(section, options) : [];
        builder.Services.AddStageCheck<AlertsOptions>(options, o => o.Validate().Concat(channelErrors));
        builder.Services.AddSingleton<AlertsService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertsService>());
        builder.Services.AddStageMetrics<AlertMetrics>();
        return builder;
    }
}
