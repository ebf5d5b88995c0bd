using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Downlink;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Ingest.External;

/// <summary>
/// Client of an external broker (Mosquitto, EMQX, HiveMQ): MQTT 5, persistent session (clean start
/// off), subscription to <c>iotmon/v1/+/+/telemetry</c> (or <see cref="ExternalBrokerOptions.TopicFilter"/>),
/// plain by default or <c>$share/{group}/…</c> when <see cref="ExternalBrokerOptions.SharedGroup"/> is set,
/// at QoS 1 with manual acknowledgement. A plain subscription of a persistent session survives a broker
/// restart with its queued messages (Mosquitto keeps both in its persistence file); a <c>$share</c> one
/// Mosquitto 2.0 does not restore, so until the gateway subscribes again the broker drops what
/// arrives. Hence the fast reconnect: at once when the connection drops, then a back-off from 50 ms up
/// to <see cref="ExternalBrokerOptions.ReconnectMaxMs"/>. The receive handler returns at once and the PUBACK is sent when the WAL has
/// the message, so many messages are in flight together (up to the broker's window and
/// <see cref="ExternalBrokerOptions.ReceiveMaximum"/>) and one fsync covers many of them. N replicas in
/// one share group split the stream; a message whose PUBACK never left is redelivered.
/// Downlink: <see cref="Downlink"/> publishes config (retained) and commands through this client's
/// session, and the share group also takes the nodes' <c>config/ack</c> and <c>cmd/ack</c>. After
/// every (re)connect the desired configs are published again under their stored revisions, in case
/// the broker lost its retained store.
/// </summary>
public sealed class ExternalBrokerClient : IMqttListener
{
    private readonly ExternalBrokerOptions _options;
    private readonly RegistryOptions _registryOptions;
    private readonly IngestPipeline _pipeline;
    private readonly AckIngest _acks;
    private readonly NodeStatusBook _statuses;
    private readonly DownlinkService _downlink;
    private readonly ILogger _log;
    private readonly IMqttClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly EnrolmentCheck _enrolment;
    private readonly SemaphoreSlim _disconnected = new(0, 1);
    private Task? _reconnect;
    private long _inFlight;
    private int _disposeOnce;

    public ExternalBrokerClient(ExternalBrokerOptions options, RegistryOptions registryOptions, DeviceRegistry registry, IngestPipeline pipeline, AckIngest acks, NodeStatusBook statuses, DownlinkService downlink, ILogger log)
    {
        _statuses = statuses;
        _options = options;
        _registryOptions = registryOptions;
        _enrolment = new EnrolmentCheck(registry);
        _pipeline = pipeline;
        _acks = acks;
        _downlink = downlink;
        _log = log;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        Downlink = new ExternalDownlink(_client, options);
        _client.DisconnectedAsync += _ =>
        {
            if (_disconnected.CurrentCount == 0)
            {
                try
                {
                    _disconnected.Release(); // wake the reconnect loop now, not at its next poll
                }
                catch (SemaphoreFullException)
                {
                    // already woken
                }
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>Config and commands out through this client's session (<see cref="DownlinkService.Attach"/>).</summary>
    public IDownlinkTransport Downlink { get; }

    public bool IsConnected => _client.IsConnected;

    public string Mode => "external";

    public int ConnectedClients => _client.IsConnected ? 1 : 0;

    public long? InFlight => Interlocked.Read(ref _inFlight);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _reconnect = Task.Run(KeepConnectedAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private MqttClientOptions BuildOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(_options.EffectiveClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(_options.SessionExpirySeconds)
            .WithReceiveMaximum(_options.ReceiveMaximum)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (_options.Username.Length > 0)
        {
            builder.WithCredentials(_options.Username, _options.Password);
        }

        if (_options.UseTls)
        {
            builder.WithTlsOptions(o => o.UseTls());
        }

        var options = builder.Build();
        if (options.ChannelOptions is MqttClientTcpOptions tcp)
        {
            tcp.BufferSize = _options.SocketBufferBytes;
        }

        return options;
    }

    private async Task KeepConnectedAsync()
    {
        var token = _stop.Token;
        var delay = 0; // the first attempt after a drop is immediate
        var failures = 0;
        while (!token.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                try
                {
                    var result = await _client.ConnectAsync(BuildOptions(), token).ConfigureAwait(false);
                    // Subscribe even when the session is present: Mosquitto 2.0 does not restore
                    // $share subscriptions from its persistence file after a restart (plain ones it
                    // does; subscribing again changes nothing for them).
                    var subscribe = new MqttClientSubscribeOptionsBuilder();
                    foreach (var filter in _options.SubscriptionFilters())
                    {
                        subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
                    }

                    await _client.SubscribeAsync(subscribe.Build(), token).ConfigureAwait(false);
                    _log.LogInformation("Connected to {Host}:{Port} as {ClientId} (session present: {Present}; {Subscription})", _options.Host, _options.Port, _options.EffectiveClientId, result.IsSessionPresent, _options.SharedGroup.Length > 0 ? "$share/" + _options.SharedGroup : "plain subscription");
                    if (failures > 0)
                    {
                        _log.LogWarning("MQTT connect to {Host}:{Port} succeeded after {Failures} failed attempts", _options.Host, _options.Port, failures);
                    }

                    delay = 0;
                    failures = 0;
                    await _downlink.RepublishAllAsync(token).ConfigureAwait(false);
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    // one warning for the first failure, then one a minute (at most 5 s back-off: ~12 attempts)
                    if (failures++ % Math.Max(1, 60_000 / Math.Max(1, _options.ReconnectMaxMs)) == 0)
                    {
                        _log.LogWarning("MQTT connect to {Host}:{Port} failed ({Failures} attempts so far): {Error}", _options.Host, _options.Port, failures, e.Message);
                    }

                    delay = Math.Clamp(delay * 2, 50, _options.ReconnectMaxMs);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            try
            {
                if (_client.IsConnected)
                {
                    await _disconnected.WaitAsync(1000, token).ConfigureAwait(false);
                }
                else if (delay > 0)
                {
                    await Task.Delay(delay, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var route = TopicRoute.Parse(e.ApplicationMessage.Topic);
        if (route.Kind == TopicKind.Status)
        {
            _statuses.Record(e.ClientId, route.Topic, route.Site, route.Device, e.ApplicationMessage.Payload);
            return Task.CompletedTask;
        }

        if (AckIngest.IsAck(route.Kind))
        {
            // recorded synchronously in SQLite: the automatic PUBACK may follow
            _acks.Handle(e.ClientId, route.Topic, route.Kind, route.Device, e.ApplicationMessage.Payload);
            return Task.CompletedTask;
        }

        e.AutoAcknowledge = false;
        Interlocked.Increment(ref _inFlight);
        Task<IngestOutcome> work;
        if (_registryOptions.RequireAuthentication && !_enrolment.IsKnownDevice(route))
        {
            _pipeline.Refuse(e.ClientId, route.Topic, e.ApplicationMessage.Payload, DecodeError.UnknownDevice);
            work = Task.FromResult(IngestOutcome.DeadLettered);
        }
        else
        {
            work = _pipeline.HandleTelemetryAsync(e.ClientId, route, e.ApplicationMessage.Payload);
        }

        _ = FinishAsync(e, route, work);
        return Task.CompletedTask;
    }

    private async Task FinishAsync(MqttApplicationMessageReceivedEventArgs e, TopicRoute route, Task<IngestOutcome> work)
    {
        try
        {
            var outcome = await work.ConfigureAwait(false);
            while (outcome == IngestOutcome.Refused && !_stop.IsCancellationRequested)
            {
                // WAL full or failing: hold the PUBACK (back-pressure on the broker) and try again
                await Task.Delay(200, _stop.Token).ConfigureAwait(false);
                outcome = await _pipeline.HandleTelemetryAsync(e.ClientId, route, e.ApplicationMessage.Payload).ConfigureAwait(false);
            }

            if (outcome != IngestOutcome.Refused)
            {
                await e.AcknowledgeAsync(_stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException or ObjectDisposedException or InvalidOperationException)
        {
            // connection lost before the PUBACK: the broker redelivers (persistent session)
            GatewayCounters.Inc(ref _pipeline.Ledger.Counters.MessagesRefused);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_reconnect is not null)
        {
            await _reconnect.ConfigureAwait(false);
        }

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Interlocked.Read(ref _inFlight) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                // already gone
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // the lifecycle stops it, then the container disposes it again
        if (Interlocked.Exchange(ref _disposeOnce, 1) != 0)
        {
            return;
        }

        if (!_stop.IsCancellationRequested)
        {
            await StopAsync().ConfigureAwait(false);
        }

        _client.Dispose();
        _stop.Dispose();
        _disconnected.Dispose();
    }
}
