using IoTMonitor.Gateway.Alerts.Channels;
using IoTMonitor.Gateway.Alerts.Internal;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>
/// Owns the alert stage: store, engine, channels and outbox dispatcher. Starts after the ingest
/// runtime (it hooks the pipeline's <see cref="IngestPipeline.ReadingsDurable"/>) and stops after it:
/// <code>
///   start: store (rule pack seeded) -> engine -> hook on ReadingsDurable -> channels -> dispatcher
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
/// </summary>
public sealed class AlertsService : IHostedLifecycleService, IAsyncDisposable
{
    private readonly GatewayRuntime _gateway;
    private readonly AlertsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _logs;
    private readonly SiteProfiles? _profiles;
    private readonly List<IAlertChannel> _channels = [];
    private readonly HttpClient _http;
    private readonly object _stopGate = new();
    private Task? _stopped;

    /// <param name="profiles">The registry's site profiles (the API's; the engine reads name, type, basin and coordinates there).</param>
    public AlertsService(GatewayRuntime gateway, AlertsOptions options, TimeProvider time, ILoggerFactory logs, SiteProfiles? profiles = null)
    {
        _gateway = gateway;
        _profiles = profiles;
        _options = options;
        _time = time;
        _logs = logs;
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(options.Outbox.TimeoutSeconds) };
    }

    public AlertsOptions Options => _options;

    public AlertStore Store { get; private set; } = null!;

    public AlertEngine Engine { get; private set; } = null!;

    public OutboxDispatcher Dispatcher { get; private set; } = null!;

    public MqttChannel? Mqtt { get; private set; }

    public bool Started { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return Task.CompletedTask;
        }

        var settings = _gateway.Settings;
        Store = new AlertStore(settings.Gateway.Resolve(_options.DatabasePath));
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

        Engine = new AlertEngine(_options, Store, _time, _logs.CreateLogger<AlertEngine>(), _profiles is null ? null : _profiles.Find);

        // ingest is already taking readings: hook at once (the dispatcher picks up what is queued meanwhile when it starts)
        Engine.Start();
        _gateway.Pipeline.ReadingsDurable += Engine.OnReadingsDurable;
        foreach (var url in _options.Webhook.Urls.Take(1))
        {
            _channels.Add(new WebhookChannel(_options.Webhook, _http, _time));
        }

        if (_options.Email.Host.Length > 0)
        {
            _channels.Add(new EmailChannel(_options.Email));
        }

        if (_options.Sms.UrlTemplate.Length > 0)
        {
            _channels.Add(new SmsChannel(_options.Sms, _http));
        }

        if (_options.Influx.Enabled)
        {
            _channels.Add(new InfluxChannel(settings.Storage, _options.Outbox.TimeoutSeconds));
        }

        if (_options.Mqtt.Enabled)
        {
            var embedded = settings.Mqtt.Mode == MqttMode.Embedded;
            var host = _options.Mqtt.Host.Length > 0 ? _options.Mqtt.Host : embedded ? "127.0.0.1" : settings.Mqtt.External.Host;
            var port = _options.Mqtt.Port > 0 ? _options.Mqtt.Port : embedded ? settings.Mqtt.Port : settings.Mqtt.External.Port;
            // external: the gateway's own broker login unless the channel has one of its own
            var user = _options.Mqtt.User.Length > 0 ? _options.Mqtt.User : embedded ? settings.Mqtt.ServiceUser : settings.Mqtt.External.Username;
            var password = _options.Mqtt.User.Length > 0 ? _options.Mqtt.Password : embedded ? settings.Mqtt.ServicePassword : settings.Mqtt.External.Password;
            if (embedded && user.Length == 0 && settings.Registry.RequireAuthentication)
            {
                // no login the embedded broker would accept: retrying would only count as failed device logins
                _logs.CreateLogger<AlertsService>().LogWarning(
                    "Alerts:Mqtt is on but has no login: set Mqtt:ServiceUser and Mqtt:ServicePassword (or Alerts:Mqtt:User). The MQTT alert channel and the node status feed of silence rules are off.");
            }
            else
            {
                Mqtt = new MqttChannel(_options.Mqtt, host, port, user, password, Engine.OnStatus, _logs.CreateLogger<MqttChannel>());
                _channels.Add(Mqtt);
                Mqtt.Start();
            }
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
        _gateway.Pipeline.ReadingsDurable -= Engine.OnReadingsDurable;

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

    public async ValueTask DisposeAsync()
    {
        await StopStageAsync(CancellationToken.None).ConfigureAwait(false);
        _http.Dispose();
    }
}

public static class AlertsServiceExtensions
{
    /// <summary>Binds and validates <c>Alerts</c>, and runs the alert stage after the ingest runtime.</summary>
    public static WebApplicationBuilder AddAlerts(this WebApplicationBuilder builder)
    {
        var options = new AlertsOptions();
        builder.Configuration.GetSection(AlertsOptions.Section).Bind(options);
        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid gateway configuration:\n  " + string.Join("\n  ", errors));
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<AlertsService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertsService>());
        return builder;
    }
}
