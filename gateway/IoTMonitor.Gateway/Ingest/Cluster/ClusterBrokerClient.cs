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
/// another takes over when its connection closes. With PostgreSQL as the shared state, which replica
/// that is follows the partition leases of <c>ingest_leases</c> (<see cref="PartitionBalancer"/>): each
/// replica consumes its fair share and is a standby on the rest. Without it every replica subscribes to
/// every partition and the first to subscribe is active on all. A delivery is handled like an MQTT
/// message of the external mode: telemetry goes through the pipeline and is acknowledged (basic.ack)
/// only when the WAL has it and the alert engine has committed its evaluation (or it was
/// dead-lettered); status and acks are recorded, then acknowledged.
/// A partition's deliveries are handed to the WAL in delivery order (one channel per partition,
/// dispatched one at a time); the acks wait for the WAL's group fsync and the alert engine's group
/// commit, so up to <see cref="ClusterBrokerOptions.Prefetch"/> per partition share one of each. Unacknowledged deliveries of a
/// lost connection go back to their queue and to the next active consumer.
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
    /// <summary>The outcome of a status or an ack: recorded in its store, to be acknowledged.</summary>
    private static readonly Task<IngestOutcome> Recorded = Task.FromResult(IngestOutcome.Durable);

    private readonly CancellationTokenSource _stop = new();
    private readonly PartitionConsumer[] _partitions;
    private readonly PartitionBalancer? _balancer;
    private IConnection? _connection;
    private Task? _connect;
    private long _lastStoreWarning;
    private int _disposeOnce;

    private readonly CancellationToken _hostStarted;

    /// <param name="hostStarted">Cancelled once the host has started every stage (<c>IHostApplicationLifetime.ApplicationStarted</c>): the alert engine has hooked the pipeline, so no delivery is acknowledged before it could be evaluated.</param>
    /// <param name="leases">The partition leases of <c>ingest_leases</c> (shared state on PostgreSQL), or null: every partition is this replica's to consume.</param>
    public ClusterBrokerClient(ClusterBrokerOptions options, RegistryOptions registryOptions, DeviceRegistry registry, IngestPipeline pipeline, AckIngest acks, NodeStatusBook statuses, DownlinkService downlink, ILogger log, CancellationToken hostStarted, State.Leases.PartitionLeases? leases = null)
    {
        _hostStarted = hostStarted;
        _options = options;
        _registryOptions = registryOptions;
        _enrolment = new EnrolmentCheck(registry);
        _pipeline = pipeline;
        _acks = acks;
        _statuses = statuses;
        _downlink = downlink;
        _log = log;
        _partitions = Enumerable.Range(0, options.Partitions).Select(p => new PartitionConsumer(p)).ToArray();
        if (leases is not null)
        {
            _balancer = new PartitionBalancer(this, leases, _partitions, TimeSpan.FromMilliseconds(options.LeaseRenewMs), log);
        }

        Downlink = new ClusterDownlink(this);
    }

    /// <summary>Config and commands out through the cluster (<see cref="DownlinkService.Attach"/>).</summary>
    public IDownlinkTransport Downlink { get; }

    internal IConnection? Connection => _connection;

    public bool IsConnected => _connection is { IsOpen: true };

    /// <summary>The partition leases this replica balances by, or null (every partition is its own).</summary>
    public State.Leases.PartitionLeases? Leases => _balancer?.Leases;

    internal IReadOnlyList<PartitionConsumer> Partitions => _partitions;

    internal ushort Prefetch => _options.Prefetch;

    internal CancellationToken Stopping => _stop.Token;

    public string Mode => "cluster";

    public int ConnectedClients => IsConnected ? 1 : 0;

    public long? InFlight => _partitions.Sum(p => p.InFlight);

    /// <summary>Per partition queue: deliveries handled here, whether this replica holds its lease, deliveries waiting for the lease; and the hand-overs.</summary>
    internal void WriteMetrics(Configuration.PrometheusText text)
    {
        text.Header("iotmon_cluster_partition_deliveries_total", "counter", "Deliveries of a partition queue this replica handed to the WAL (or recorded)");
        foreach (var p in _partitions)
        {
            text.Line("iotmon_cluster_partition_deliveries_total", $"{{queue=\"{p.Queue}\"}}", p.Deliveries);
        }

        text.Header("iotmon_cluster_partition_owned", "gauge", "1 while this replica holds the partition's lease (or balancing is off)");
        foreach (var p in _partitions)
        {
            text.Line("iotmon_cluster_partition_owned", $"{{queue=\"{p.Queue}\"}}", Owns(p.Index) ? 1 : 0);
        }

        text.Header("iotmon_cluster_partition_waiting", "gauge", "Deliveries held unacknowledged until this replica takes the partition's lease or gives them back");
        foreach (var p in _partitions)
        {
            int waiting;
            lock (p.Gate)
            {
                waiting = p.Stash.Count;
            }

            text.Line("iotmon_cluster_partition_waiting", $"{{queue=\"{p.Queue}\"}}", waiting);
        }

        if (_balancer is not null)
        {
            text.Counter("iotmon_cluster_partitions_handed_over_total", "Partitions handed to another replica as more than a fair share", _balancer.HandedOver);
            text.Counter("iotmon_cluster_partitions_given_back_total", "Partitions given back after the broker made this replica active without the lease", _balancer.GivenBack);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _connect = Task.Run(ConnectAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Until the first connection stands; after that the client's automatic recovery reconnects, re-declares and re-subscribes.</summary>
    private async Task ConnectAsync()
    {
        var token = _stop.Token;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_hostStarted.Register(() => started.TrySetResult()))
        {
            try
            {
                await started.Task.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

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
                if (_options.DeclareTopology)
                {
                    await using var setup = await connection.CreateChannelAsync(cancellationToken: token).ConfigureAwait(false);
                    await UplinkTopology.DeclareAsync(setup, _options.Partitions, token).ConfigureAwait(false);
                }

                _connection = connection;
                if (_balancer is null)
                {
                    foreach (var partition in _partitions)
                    {
                        await partition.SubscribeAsync(connection, _options.Prefetch, OnDeliveryAsync, token).ConfigureAwait(false);
                    }

                    _log.LogInformation("Consuming {Partitions} partition queues of the RabbitMQ cluster at {Endpoint}", _options.Partitions, connection.Endpoint);
                }
                else
                {
                    _balancer.Start();
                    _log.LogInformation("Consuming a share of {Partitions} partition queues of the RabbitMQ cluster at {Endpoint} (leases as {Replica})", _options.Partitions, connection.Endpoint, _balancer.Leases.Replica);
                }

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

    /// <summary>Whether this replica may hand a partition's deliveries to the WAL now: it holds the lease (or there are no leases).</summary>
    private bool Owns(int partition) => _balancer is null || _balancer.Leases.Holds(partition);

    internal Task OnDeliveryAsync(PartitionConsumer partition, IChannel channel, BasicDeliverEventArgs e)
    {
        if (!partition.Active)
        {
            // single active consumer: the first delivery on a partition says this replica now takes it
            partition.Active = true;
            _log.LogInformation("Active consumer of {Queue}", partition.Queue);
        }

        lock (partition.Gate)
        {
            if (partition.Stash.Count == 0 && Owns(partition.Index))
            {
                Handle(partition, channel, e.DeliveryTag, e.RoutingKey, e.Body);
            }
            else
            {
                // not (yet) this replica's: keep it, unacknowledged, until the lease is taken or the channel closed
                partition.Stash.Add(new PartitionConsumer.Stashed(channel, e.DeliveryTag, e.RoutingKey, e.Body.ToArray()));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Hands the stashed deliveries of a partition to the WAL, in order, once this replica holds its lease.</summary>
    internal void Flush(PartitionConsumer partition)
    {
        lock (partition.Gate)
        {
            if (partition.Stash.Count == 0 || !Owns(partition.Index))
            {
                return;
            }

            foreach (var d in partition.Stash)
            {
                Handle(partition, d.Channel, d.Tag, d.RoutingKey, d.Body);
            }

            partition.Stash.Clear();
        }
    }

    /// <summary>Runs synchronously up to the WAL append (under the partition's gate, so WAL order is delivery order).</summary>
    private void Handle(PartitionConsumer partition, IChannel channel, ulong tag, string routingKey, ReadOnlyMemory<byte> payload)
    {
        partition.Counted();
        partition.Took();
        var route = TopicRoute.Parse(UplinkTopology.TopicOf(routingKey));
        var client = route.Device.Length > 0 ? route.Device : routingKey;
        var body = new System.Buffers.ReadOnlySequence<byte>(payload);
        if (route.Kind == TopicKind.Status)
        {
            _statuses.Record(client, route.Topic, route.Site, route.Device, body);
            _ = FinishAsync(partition, channel, tag, client, route, null, Recorded);
            return;
        }

        if (AckIngest.IsAck(route.Kind))
        {
            // recorded synchronously in its store; with the shared store away the broker keeps it until it is back
            if (_acks.Handle(client, route.Topic, route.Kind, route.Device, body, canRedeliver: true) != AckOutcome.StoreAway)
            {
                _ = FinishAsync(partition, channel, tag, client, route, null, Recorded);
                return;
            }

            _ = RecordAckLaterAsync(partition, channel, tag, client, route, payload.ToArray());
            return;
        }

        // runs synchronously up to the WAL append, so WAL order is delivery order
        var work = IngestAsync(client, route, body);

        // the body belongs to the client only during the delivery handler; a refused append is retried from a copy
        var copy = work.IsCompleted && work.Result != IngestOutcome.Refused ? null : payload.ToArray();
        _ = FinishAsync(partition, channel, tag, client, route, copy, work);
    }

    private async Task FinishAsync(PartitionConsumer partition, IChannel channel, ulong tag, string client, TopicRoute route, byte[]? payload, Task<IngestOutcome> work)
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

            if (outcome is not (IngestOutcome.Refused or IngestOutcome.Unevaluated) && !await partition.AckAsync(channel, tag).ConfigureAwait(false))
            {
                // the channel went away before the ack: the queue redelivers (duplicates are absorbed by the point identity)
                GatewayCounters.Inc(ref _pipeline.Ledger.Counters.MessagesRefused);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping: not acknowledged, the queue redelivers to the next consumer
            GatewayCounters.Inc(ref _pipeline.Ledger.Counters.MessagesRefused);
        }
        finally
        {
            partition.Done();
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

        // acknowledged once the alert engine has committed the batch: a replica killed after an ack
        // would take a batch still queued for evaluation with it, and the broker gives unacknowledged
        // deliveries to the next active consumer
        return _pipeline.HandleTelemetryAsync(client, route, body, untilEvaluated: true);
    }

    /// <summary>An ack the shared store could not record: kept unacknowledged (the broker holds it) and handed in again until it is recorded.</summary>
    private async Task RecordAckLaterAsync(PartitionConsumer partition, IChannel channel, ulong tag, string client, TopicRoute route, byte[] payload)
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
            if (!await partition.AckAsync(channel, tag).ConfigureAwait(false))
            {
                // the channel went away before the ack: the queue redelivers (a recorded ack is recorded once)
                GatewayCounters.Inc(ref _pipeline.Ledger.Counters.MessagesRefused);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping: not acknowledged, the queue redelivers to the next consumer
        }
        finally
        {
            partition.Done();
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

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_connect is not null)
        {
            await _connect.ConfigureAwait(false);
        }

        if (_balancer is not null)
        {
            await _balancer.StopAsync().ConfigureAwait(false);
        }

        // no new deliveries, then let the ones in flight reach the WAL and be acknowledged
        await Task.WhenAll(_partitions.Select(p => p.CancelAsync(TimeSpan.FromSeconds(2)))).ConfigureAwait(false);
        foreach (var partition in _partitions)
        {
            Flush(partition);
        }

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (InFlight > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        // the partitions are free for the other replicas at their next round, not after the lease expires
        _balancer?.ReleaseAll();
        await DropAsync().ConfigureAwait(false);
    }

    private async Task DropAsync()
    {
        var connection = _connection;
        _connection = null;
        foreach (var partition in _partitions)
        {
            await partition.CloseAsync().ConfigureAwait(false);
        }

        try
        {
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
    }
}
