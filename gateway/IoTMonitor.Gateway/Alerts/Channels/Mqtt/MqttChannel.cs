using System.Text.Json;
using IoTMonitor.Gateway.Alerts.NoticeText;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Alerts.Channels.Mqtt;

/// <summary>
/// The gateway's own MQTT connection for alerts: keeps the retained active set under
/// <c>{prefix}/active/{site}/{alert}</c> (a resolved alert's retained message is cleared), then
/// publishes the event (QoS 1) to <c>{prefix}/events/{site}</c>; listens
/// to the nodes' retained <c>iotmon/v1/+/+/status</c> for their announced schedule. Reconnects by itself.
/// Routing: every event but <c>reopened</c> to <c>Alerts:Mqtt:TopicPrefix</c> (late ones if
/// <c>Alerts:LateChannels</c> names <c>mqtt</c>, the default). Off (no recipients, no connection)
/// when <see cref="OffReason"/> is set.
/// </summary>
public sealed class MqttChannel : IAlertChannel, IAsyncDisposable
{
    public const string StatusFilter = "iotmon/v1/+/+/status";

    public const string ChannelName = "mqtt";

    /// <summary>Least time between two warnings about failing connects.</summary>
    public const int FailureLogIntervalMs = 60_000;

    private readonly string _host;
    private readonly int _port;
    private readonly AlertMqttOptions _options;
    private readonly AlertsOptions _alerts;
    private readonly string _user;
    private readonly string _password;
    private volatile Action<string, string, ReadOnlyMemory<byte>>? _onStatus;
    private int _disposed;
    private readonly ILogger _log;
    private readonly IMqttClient _client;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <param name="offReason">Set: the channel stays off and says why at <see cref="Start"/>.</param>
    public MqttChannel(AlertMqttOptions options, AlertsOptions alerts, string host, int port, string user, string password, ILogger log, string? offReason = null)
    {
        _options = options;
        _alerts = alerts;
        OffReason = offReason;
        _host = host;
        _port = port;
        _user = user;
        _password = password;
        _log = log;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var kind = TopicName.Parse(e.ApplicationMessage.Topic, out var site, out var device);
            if (kind == TopicKind.Status)
            {
                _onStatus?.Invoke(site, device, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
            }

            return Task.CompletedTask;
        };
    }

    public string Name => ChannelName;

    public bool IsConnected => _client.IsConnected;

    /// <summary>Why the channel is off (no login the broker would accept), or null.</summary>
    public string? OffReason { get; }

    /// <summary>Receives the nodes' status (site, device, payload): the engine's silence rules. Set before <see cref="Start"/>; null stops the feed.</summary>
    public Action<string, string, ReadOnlyMemory<byte>>? StatusReceived
    {
        get => _onStatus;
        set => _onStatus = value;
    }

    public IEnumerable<string> Recipients(string type, bool late) =>
        OffReason is null && NoticeRouting.MachineTakes(_alerts, Name, type, late) ? [_options.TopicPrefix] : [];

    public void Start()
    {
        if (OffReason is not null)
        {
            _log.LogWarning("{Reason}", OffReason);
            return;
        }

        _loop = Task.Run(KeepConnectedAsync);
    }

    private async Task KeepConnectedAsync()
    {
        var token = _stop.Token;
        var delay = 100;
        var failures = 0L;
        var lastWarning = 0L;
        while (!token.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                try
                {
                    var builder = new MqttClientOptionsBuilder()
                        .WithTcpServer(_host, _port)
                        .WithClientId("iotmon-alerts-" + Environment.MachineName.ToLowerInvariant() + "-" + Environment.ProcessId)
                        .WithProtocolVersion(MqttProtocolVersion.V500)
                        .WithCleanStart(true)
                        .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
                        .WithTimeout(TimeSpan.FromSeconds(10));
                    if (_user.Length > 0)
                    {
                        builder.WithCredentials(_user, _password);
                    }

                    await _client.ConnectAsync(builder.Build(), token).ConfigureAwait(false);
                    if (_options.SubscribeStatus && _onStatus is not null)
                    {
                        var result = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(StatusFilter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), token).ConfigureAwait(false);
                        var code = result.Items.FirstOrDefault()?.ResultCode;
                        if (code is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
                        {
                            _log.LogWarning("Alerts: subscription to {Filter} refused ({Code}); silence rules fall back to telemetry arrival times", StatusFilter, code);
                        }
                    }

                    _log.LogInformation("Alerts: MQTT connected to {Host}:{Port}", _host, _port);
                    delay = 100;
                    failures = 0;
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // the first failure of a run is a warning; then one a minute with the count, so a
                    // broker that refuses the login does not fill the log (the rest at debug level)
                    failures++;
                    var now = Environment.TickCount64;
                    if (failures == 1 || now - lastWarning >= FailureLogIntervalMs)
                    {
                        lastWarning = now;
                        _log.LogWarning("Alerts: MQTT connect to {Host}:{Port} failed ({Failures} attempts so far; retrying, next warning in a minute at the earliest): {Error}", _host, _port, failures, e.Message);
                    }
                    else
                    {
                        _log.LogDebug("Alerts: MQTT connect to {Host}:{Port} failed: {Error}", _host, _port, e.Message);
                    }

                    delay = Math.Min(delay * 2, 10_000);
                }
            }

            try
            {
                await Task.Delay(_client.IsConnected ? 250 : delay, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The event message: the historic <c>text</c> (English short text) plus <c>lang</c> and <c>localized</c> (subject and short text in that language).</summary>
    public static byte[] EventPayload(OutboxEntry entry, AlertNotice notice, NoticeReader reader) => JsonSerializer.SerializeToUtf8Bytes(
        new
        {
            id = notice.EventId,
            idempotencyKey = entry.Key,
            type = notice.Type,
            alert = notice,
            text = notice.ShortText(),
            lang = reader.Language,
            timeZone = reader.Zone.Label(notice.At),
            localized = new { subject = NoticeWriter.Subject(notice, reader), shortText = NoticeWriter.Short(notice, reader) },
        },
        AlertRule.Json);

    public static string EventTopic(string prefix, AlertNotice n) => $"{prefix}/events/{n.Site}";

    public static string ActiveTopic(string prefix, AlertNotice n) => $"{prefix}/active/{n.Site}/{n.AlertId}";

    /// <summary>
    /// Publishes the retained active state first and the event last, so a retry after a partial
    /// failure never repeats the event: the outbox retries the whole entry, and the only part a
    /// retry can publish twice is the retained state, which is idempotent (it overwrites itself with
    /// the same content). Event first used to publish the event again whenever the retained publish
    /// failed after it.
    /// </summary>
    public async Task<string> SendAsync(OutboxEntry entry, AlertNotice notice, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            throw new InvalidOperationException($"MQTT not connected to {_host}:{_port}");
        }

        var prefix = entry.Recipient;
        var active = notice.State != AlertStates.Resolved;
        var retained = new MqttApplicationMessageBuilder().WithTopic(ActiveTopic(prefix, notice))
            .WithPayload(active ? JsonSerializer.SerializeToUtf8Bytes(notice, AlertRule.Json) : [])
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(true).Build();
        var kept = await _client.PublishAsync(retained, cancellationToken).ConfigureAwait(false);
        if (!kept.IsSuccess)
        {
            throw new InvalidOperationException($"MQTT retained publish refused: {kept.ReasonCode} {kept.ReasonString}");
        }

        var body = EventPayload(entry, notice, NoticeReader.For(_alerts, prefix, _options.Language, _options.TimeZone, _alerts.Language));
        var message = new MqttApplicationMessageBuilder().WithTopic(EventTopic(prefix, notice)).WithPayload(body)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithUserProperty("idempotency-key", System.Text.Encoding.UTF8.GetBytes(entry.Key)).Build();
        var published = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        if (!published.IsSuccess)
        {
            throw new InvalidOperationException($"MQTT publish refused: {published.ReasonCode} {published.ReasonString}");
        }

        return $"MQTT {published.ReasonCode} {EventTopic(prefix, notice)}";
    }

    public async ValueTask DisposeAsync()
    {
        // the alert stage closes its channels at its stop; the container disposes them again at the end
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _log.LogDebug("Alerts: MQTT disconnect: {Error}", e.Message);
            }
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
