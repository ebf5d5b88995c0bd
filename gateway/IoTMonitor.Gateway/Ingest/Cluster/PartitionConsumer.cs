using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace IoTMonitor.Gateway.Ingest.Cluster;

/// <summary>
/// This replica's consumer of one partition queue, on a channel of its own: closing the channel is how a
/// replica gives back deliveries it must not process (RabbitMQ requeues a closed channel's unacknowledged
/// deliveries, in order, ahead of the rest, and makes another consumer active), without touching the
/// other partitions. Deliveries that arrive while this replica does not hold the partition's lease wait
/// here (<see cref="Stash"/>, bounded by the prefetch) until it takes the lease or gives them back.
/// </summary>
internal sealed class PartitionConsumer(int index)
{
    private readonly SemaphoreSlim _ackGate = new(1, 1);
    private TaskCompletionSource _unregistered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _inFlight;
    private long _deliveries;

    public int Index { get; } = index;

    public string Queue { get; } = UplinkTopology.Queue(index);

    /// <summary>Held by the delivery handler while it hands a delivery to the WAL, and by a flush of the stash: one at a time, in order.</summary>
    public object Gate { get; } = new();

    /// <summary>Deliveries waiting for the lease (copies; guarded by <see cref="Gate"/>).</summary>
    public List<Stashed> Stash { get; } = new();

    public IChannel? Channel { get; private set; }

    public PartitionState State { get; set; }

    /// <summary>True after the first delivery since the subscription (the broker made this consumer the active one).</summary>
    public bool Active { get; set; }

    /// <summary>The live holder of the lease seen at the previous round (standby subscriptions wait until a holder was seen twice).</summary>
    public string? LastHolder { get; set; }

    /// <summary>No standby subscription before this round (after this replica handed the partition over or gave it back).</summary>
    public long StandbyAfter { get; set; }

    /// <summary>A hand-over or give-back under way.</summary>
    public Task? Moving { get; set; }

    /// <summary>Deliveries taken and not yet acknowledged.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    public long Deliveries => Interlocked.Read(ref _deliveries);

    public void Took() => Interlocked.Increment(ref _inFlight);

    public void Done() => Interlocked.Decrement(ref _inFlight);

    public void Counted() => Interlocked.Increment(ref _deliveries);

    public async Task SubscribeAsync(IConnection connection, ushort prefetch, Func<PartitionConsumer, IChannel, BasicDeliverEventArgs, Task> onDelivery, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.BasicQosAsync(0, prefetch, global: false, cancellationToken).ConfigureAwait(false);
            channel.ChannelShutdownAsync += (_, _) =>
            {
                // the broker requeued what this channel had not acknowledged: the stashed copies are void
                lock (Gate)
                {
                    Stash.Clear();
                }

                return Task.CompletedTask;
            };
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, e) => onDelivery(this, channel, e); // a tag acknowledges only on the channel that delivered it
            var unregistered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            consumer.UnregisteredAsync += (_, _) =>
            {
                unregistered.TrySetResult();
                return Task.CompletedTask;
            };
            _unregistered = unregistered;
            Active = false;
            Channel = channel;
            State = PartitionState.Subscribed;
            await channel.BasicConsumeAsync(Queue, autoAck: false, consumerTag: Queue, noLocal: false, exclusive: false, arguments: null, consumer, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Channel = null;
            State = PartitionState.None;
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// basic.cancel, then until the client has dispatched every delivery sent before the cancel-ok (the
    /// unregistered event comes through the same dispatcher after them). Deliveries taken stay this
    /// consumer's to acknowledge: a cancel neither requeues nor discards them (RabbitMQ, Consumers guide).
    /// </summary>
    public async Task CancelAsync(TimeSpan timeout)
    {
        if (Channel is not { IsOpen: true } channel)
        {
            return;
        }

        try
        {
            await channel.BasicCancelAsync(Queue).ConfigureAwait(false);
            await _unregistered.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or TimeoutException or IOException)
        {
            // the channel is going away: the broker requeues what it had not acknowledged
        }
    }

    /// <summary>Closes the channel: the broker requeues every delivery not acknowledged on it.</summary>
    public async Task CloseAsync()
    {
        var channel = Channel;
        Channel = null;
        State = PartitionState.None;
        Active = false;
        lock (Gate)
        {
            Stash.Clear();
        }

        if (channel is null)
        {
            return;
        }

        try
        {
            await channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // already gone
        }

        await channel.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Acknowledges one delivery on the channel that delivered it; false when that channel went away first (the broker redelivers it).</summary>
    public async Task<bool> AckAsync(IChannel channel, ulong tag)
    {
        if (!channel.IsOpen)
        {
            return false;
        }

        await _ackGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await channel.BasicAckAsync(tag, multiple: false).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _ackGate.Release();
        }
    }

    /// <summary>A delivery kept for later: its channel and tag, routing key and a copy of the body.</summary>
    internal sealed record Stashed(IChannel Channel, ulong Tag, string RoutingKey, byte[] Body);
}

internal enum PartitionState
{
    /// <summary>Not subscribed.</summary>
    None,

    /// <summary>Subscribed: active or a standby.</summary>
    Subscribed,

    /// <summary>Cancelled and draining before the lease is released or the channel closed.</summary>
    Moving,
}
