using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Downlink;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace IoTMonitor.Gateway.Ingest.Cluster;

/// <summary>
/// Consumer of a RabbitMQ cluster (<c>Mqtt:Mode</c> = <c>Cluster</c>): devices publish MQTT 3.1.1 to any
/// node, the plugin routes each publish by its topic into one of N partition queues (quorum queues,
/// <see cref="UplinkTopology"/>), and every gateway replica consumes all N with manual acks; each queue has
/// a single active consumer, so at any time one replica takes a given device's messages, in order, and
/// another takes over when its connection closes. A delivery is handled like an MQTT message of the
/// external mode: telemetry goes through the pipeline and is acknowledged (basic.ack) only when the WAL
/// has it (or it was dead-lettered); status and acks are recorded, then acknowledged. Deliveries are
/// handed to the WAL in delivery order (one channel, dispatched one at a time); the acks wait for the
/// group fsync, so up to <see cref="ClusterBrokerOptions.Prefetch"/> per partition share one.
/// Unacknowledged deliveries of a lost connection go back to their queue and to the next active consumer.
/// </summary>
public sealed class ClusterBrokerClient : IMqttListener
{
    private readonly ClusterBrokerOptions _options;
    private readonly RegistryOptions _registryOptions;
    private readonly EnrolmentCheck _enrolment;
    private readonly IngestPipeline _pipeline;
    private readonly AckIngest _acks;
    private readonly NodeStatusBook _statuses;
    private readonly DownlinkService _downlink;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _ackGate = new(1, 1);
    private readonly List<string> _consumerTags = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _activeQueues = new();
    private IConnection? _connection;
    private IChannel? _channel;
    private Task? _connect;
    private long _inFlight;
    private long _lastStoreWarning;
    private int _disposeOnce;

    public ClusterBrokerClient(ClusterBrokerOptions options, RegistryOptions registryOptions, DeviceRegistry registry, IngestPipeline pipeline, AckIngest acks, NodeStatusBook statuses, DownlinkService downlink, ILogger log)
    {
        _options = options;
        _registryOptions = registryOptions;
        _enrolment = new EnrolmentCheck(registry);
        _pipeline = pipeline;
        _acks = acks;
        _statuses = statuses;
        _downlink = downlink;
        _log = log;
        Downlink = new ClusterDownlink(this);
    }

    /// <summary>Config and commands out through the cluster (<see cref="DownlinkService.Attach"/>).</summary>
    public IDownlinkTransport Downlink { get; }

    internal IConnection? Connection => _connection;

    public bool IsConnected => _connection is { IsOpen: true } && _channel is { IsOpen: true };

    public string Mode => "cluster";

    public int ConnectedClients => IsConnected ? 1 : 0;

    public long? InFlight => Interlocked.Read(ref _inFlight);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _connect = Task.Run(ConnectAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Until the first connection stands; after that the client's automatic recovery reconnects, re-declares and re-subscribes.</summary>
    private async Task ConnectAsync()
    {
        var token = _stop.Token;
        var factory = new ConnectionFactory
        {
            UserName = _options.Username,
            Password = _options.Password,
            VirtualHost = _options.VirtualHost,
            RequestedHeartbeat = TimeSpan.FromSeconds(_options.HeartbeatSeconds),
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromMilliseconds(500),
            ClientProvidedName = $"iotmon-gateway-{Environment.MachineName}-{Environment.ProcessId}",
        };
        var endpoints = _options.ParsedEndpoints().Select(e => new AmqpTcpEndpoint(e.Host, e.Port)).ToList();
        var failures = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var connection = await factory.CreateConnectionAsync(endpoints, token).ConfigureAwait(false);
                connection.RecoverySucceededAsync += async (_, _) =>
                {
                    _log.LogWarning("RabbitMQ connection recovered ({Endpoint})", connection.Endpoint);
                    await RepublishAsync().ConfigureAwait(false);
                };
                connection.ConnectionShutdownAsync += (_, e) =>
                {
                    if (!token.IsCancellationRequested)
                    {
                        _log.LogWarning("RabbitMQ connection lost: {Reason}", e.ReplyText);
                    }

                    return Task.CompletedTask;
                };
                var channel = await connection.CreateChannelAsync(cancellationToken: token).ConfigureAwait(false);
                if (_options.DeclareTopology)
                {
                    await UplinkTopology.DeclareAsync(channel, _options.Partitions, token).ConfigureAwait(false);
                }

                await channel.BasicQosAsync(0, _options.Prefetch, global: false, token).ConfigureAwait(false);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += OnDeliveryAsync;
                _connection = connection;
                _channel = channel;
                for (var p = 0; p < _options.Partitions; p++)
                {
                    var queue = UplinkTopology.Queue(p);
                    _consumerTags.Add(await channel.BasicConsumeAsync(queue, autoAck: false, consumerTag: queue, noLocal: false, exclusive: false, arguments: null, consumer, token).ConfigureAwait(false));
                }

                _log.LogInformation("Consuming {Partitions} partition queues of the RabbitMQ cluster at {Endpoint}", _options.Partitions, connection.Endpoint);
                await RepublishAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (!token.IsCancellationRequested && e is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or IOException or ConnectFailureException)
            {
                if (failures++ % 30 == 0)
                {
                    _log.LogWarning("RabbitMQ connect to {Endpoints} failed ({Failures} attempts so far): {Error}", _options.Endpoints, failures, e.Message);
                }

                await DropAsync().ConfigureAwait(false);
                try
                {
                    await Task.Delay(Math.Min(2000, 100 * failures), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RepublishAsync()
    {
        try
        {
            await _downlink.RepublishAllAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DownlinkUnavailableException or OperationCanceledException)
        {
            _log.LogWarning("Republishing the stored configs failed: {Error}", e.Message);
        }
    }

    private Task OnDeliveryAsync(object sender, BasicDeliverEventArgs e)
    {
        if (_activeQueues.TryAdd(e.ConsumerTag, 0))
        {
            // single active consumer: the first delivery on a partition says this replica now takes it (the tag is the queue's name)
            _log.LogInformation("Active consumer of {Queue}", e.ConsumerTag);
        }

        var route = TopicRoute.Parse(UplinkTopology.TopicOf(e.RoutingKey));
        var client = route.Device.Length > 0 ? route.Device : e.RoutingKey;
        var body = new System.Buffers.ReadOnlySequence<byte>(e.Body);
        var tag = e.DeliveryTag;
        if (route.Kind == TopicKind.Status)
        {
            _statuses.Record(client, route.Topic, route.Site, route.Device, body);
            return AckAsync(tag);
        }

        if (AckIngest.IsAck(route.Kind))
        {
            // recorded synchronously in its store; with the shared store away the broker keeps it until it is back
            if (_acks.Handle(client, route.Topic, route.Kind, route.Device, body, canRedeliver: true) != AckOutcome.StoreAway)
            {
                return AckAsync(tag);
            }

            Interlocked.Increment(ref _inFlight);
            _ = RecordAckLaterAsync(tag, client, route, e.Body.ToArray());
            return Task.CompletedTask;
        }

        Interlocked.Increment(ref _inFlight);

        // runs synchronously up to the WAL append, so WAL order is delivery order
        var work = IngestAsync(client, route, body);

        // the body belongs to the client only during this handler; a refused append is retried from a copy
        var copy = work.IsCompleted && work.Result != IngestOutcome.Refused ? null : e.Body.ToArray();
        _ = FinishAsync(tag, client, route, copy, work);
        return Task.CompletedTask;
    }

    private async Task FinishAsync(ulong tag, string client, TopicRoute route, byte[]? payload, Task<IngestOutcome> work)
    {
        try
        {
            var outcome = await work.ConfigureAwait(false);
            while (outcome == IngestOutcome.Refused && !_stop.IsCancellationRequested)
            {
                // WAL full or failing: hold the ack (the queue keeps the message) and try again
                await Task.Delay(200, _stop.Token).ConfigureAwait(false);
                outcome = await IngestAsync(client, route, new System.Buffers.ReadOnlySequence<byte>(payload!)).ConfigureAwait(false);
            }

            if (outcome != IngestOutcome.Refused)
            {
                await AckAsync(tag).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping: not acknowledged, the queue redelivers to the next consumer
            GatewayCounters.Inc(ref _pipeline.Ledger.Counters.MessagesRefused);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>
    /// A telemetry delivery into the pipeline, after the enrolment check when the gateway requires it. A
    /// device not seen before is looked up in the registry; with the shared registry away (PostgreSQL
    /// restarting) the delivery is refused for now, so the queue keeps it and <see cref="FinishAsync"/> tries again.
    /// </summary>
    private Task<IngestOutcome> IngestAsync(string client, TopicRoute route, System.Buffers.ReadOnlySequence<byte> body)
    {
        if (_registryOptions.RequireAuthentication)
        {
            bool known;
            try
            {
                known = _enrolment.IsKnownDevice(route);
            }
            catch (Exception e) when (State.PostgresOutage.Is(e))
            {
                StoreAway("registry", e);
                return Task.FromResult(IngestOutcome.Refused);
            }

            if (!known)
            {
                _pipeline.Refuse(client, route.Topic, body, DecodeError.UnknownDevice);
                return Task.FromResult(IngestOutcome.DeadLettered);
            }
        }

        return _pipeline.HandleTelemetryAsync(client, route, body);
    }

    /// <summary>An ack the shared store could not record: kept unacknowledged (the broker holds it) and handed in again until it is recorded.</summary>
    private async Task RecordAckLaterAsync(ulong tag, string client, TopicRoute route, byte[] payload)
    {
        try
        {
            StoreAway("downlink store", null);
            do
            {
                await Task.Delay(500, _stop.Token).ConfigureAwait(false);
            }
            while (_acks.Handle(client, route.Topic, route.Kind, route.Device, new System.Buffers.ReadOnlySequence<byte>(payload), canRedeliver: true) == AckOutcome.StoreAway);

            _log.LogInformation("Recorded the {Kind} of {Device} held while the shared store was away", route.Kind, route.Device);
            await AckAsync(tag).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping: not acknowledged, the queue redelivers to the next consumer
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>At most one warning every 10 s while the shared store keeps failing (a restart of PostgreSQL fails every delivery of unknown devices).</summary>
    private void StoreAway(string what, Exception? e)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastStoreWarning);
        if (now - last >= 10_000 && Interlocked.CompareExchange(ref _lastStoreWarning, now, last) == last)
        {
            _log.LogWarning("Shared {Store} unreachable{Error}: the deliveries that need it stay with the broker (not acknowledged) and are handed in again", what, e is null ? string.Empty : $" ({e.Message})");
        }
    }

    private async Task AckAsync(ulong tag)
    {
        var channel = _channel;
        if (channel is null)
        {
            return;
        }

        await _ackGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await channel.BasicAckAsync(tag, multiple: false).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // the channel went away before the ack: the queue redelivers (duplicates are absorbed by the point identity)
            GatewayCounters.Inc(ref _pipeline.Ledger.Counters.MessagesRefused);
        }
        finally
        {
            _ackGate.Release();
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_connect is not null)
        {
            await _connect.ConfigureAwait(false);
        }

        // no new deliveries, then let the ones in flight reach the WAL and be acknowledged
        if (_channel is { IsOpen: true } channel)
        {
            foreach (var tag in _consumerTags)
            {
                try
                {
                    await channel.BasicCancelAsync(tag).ConfigureAwait(false);
                }
                catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException)
                {
                    break;
                }
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Interlocked.Read(ref _inFlight) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        await DropAsync().ConfigureAwait(false);
    }

    private async Task DropAsync()
    {
        var channel = _channel;
        var connection = _connection;
        _channel = null;
        _connection = null;
        try
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await connection.CloseAsync().ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // already gone
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeOnce, 1) != 0)
        {
            return;
        }

        if (!_stop.IsCancellationRequested)
        {
            await StopAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _ackGate.Dispose();
    }
}
