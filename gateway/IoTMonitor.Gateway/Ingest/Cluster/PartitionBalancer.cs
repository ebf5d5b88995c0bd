using IoTMonitor.Gateway.State.Leases;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace IoTMonitor.Gateway.Ingest.Cluster;

/// <summary>
/// Spreads the partition queues over the replicas by the lease rows of <c>ingest_leases</c>
/// (<see cref="PartitionLeases"/> with balancing). Each round a replica renews its leases, takes free
/// ones up to its fair share and:
/// <list type="bullet">
/// <item>subscribes at once to a partition it holds;</item>
/// <item>subscribes as a standby to a partition another live replica has held for two rounds (so the
/// holder, which subscribed when it took it, is first in the queue's consumer list);</item>
/// <item>hands a surplus partition over: basic.cancel, the deliveries it already took reach the WAL and
/// are acknowledged, then it releases the lease and closes the channel; the replica short of its share
/// takes the lease at its next round;</item>
/// <item>gives back a partition the broker made it active on while another replica holds the lease: it
/// handed nothing of it to the WAL (a delivery waits for the lease), so it closes the channel, and
/// RabbitMQ requeues those deliveries in order ahead of the rest for the next active consumer.</item>
/// </list>
/// A delivery reaches the WAL only on the lease holder, and a holder takes a lease only once the previous
/// one released it (after its in-flight acks) or it expired (its holder died: its channel closed and the
/// broker requeued what it had not acknowledged), so a device's messages are handled in queue order.
/// </summary>
internal sealed class PartitionBalancer(ClusterBrokerClient client, PartitionLeases leases, PartitionConsumer[] partitions, TimeSpan interval, ILogger log)
{
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(30);
    private Task? _loop;
    private long _round;
    private long _handedOver;
    private long _givenBack;
    private int _failures;

    public PartitionLeases Leases => leases;

    /// <summary>Partitions handed to another replica as surplus, so far.</summary>
    public long HandedOver => Interlocked.Read(ref _handedOver);

    /// <summary>Partitions given back after the broker made this replica active without the lease, so far.</summary>
    public long GivenBack => Interlocked.Read(ref _givenBack);

    public void Start() => _loop ??= Task.Run(LoopAsync);

    public async Task StopAsync()
    {
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        foreach (var p in partitions)
        {
            if (p.Moving is { } moving)
            {
                await moving.ConfigureAwait(false);
            }
        }
    }

    /// <summary>A graceful stop, after the in-flight deliveries were acknowledged: the others take the partitions at their next round.</summary>
    public void ReleaseAll()
    {
        try
        {
            leases.Release();
        }
        catch (NpgsqlException e)
        {
            log.LogWarning("Releasing the ingest partition leases failed (they expire in {Ttl}): {Error}", leases.Ttl, e.Message);
        }
    }

    private async Task LoopAsync()
    {
        var token = client.Stopping;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(token).ConfigureAwait(false);
                _failures = 0;
            }
            catch (Exception e) when (!token.IsCancellationRequested && e is NpgsqlException or AlreadyClosedException or OperationInterruptedException or IOException or TimeoutException)
            {
                // PostgreSQL or the broker away: the held leases lapse locally (deliveries then wait) until a round succeeds
                if (_failures++ % 30 == 0)
                {
                    log.LogWarning("Ingest partition lease round failed ({Failures} in a row): {Error}", _failures, e.Message);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await Task.Delay(interval, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RoundAsync(CancellationToken token)
    {
        var round = ++_round;
        leases.Renew();
        var holders = leases.Holders;
        var surplus = leases.Surplus;
        if (client.Connection is not { IsOpen: true } connection)
        {
            return;
        }

        foreach (var p in partitions)
        {
            var holder = holders.GetValueOrDefault(p.Index);
            var seen = p.LastHolder;
            p.LastHolder = holder;
            if (p.Moving is { IsCompleted: false })
            {
                continue;
            }

            if (leases.Holds(p.Index))
            {
                if (surplus.Contains(p.Index))
                {
                    p.Moving = HandOverAsync(p, round);
                    continue;
                }

                if (p.State == PartitionState.None)
                {
                    await p.SubscribeAsync(connection, client.Prefetch, client.OnDeliveryAsync, token).ConfigureAwait(false);
                    log.LogInformation("Took the lease of {Queue}: subscribed", p.Queue);
                }

                client.Flush(p);
                continue;
            }

            if (holder is null || holder == leases.Replica)
            {
                continue; // free or lapsed: whoever takes it next; a stash waits for this replica's next round
            }

            if (p.State == PartitionState.Subscribed && HasStash(p))
            {
                p.Moving = GiveBackAsync(p, round);
            }
            else if (p.State == PartitionState.None && holder == seen && round >= p.StandbyAfter)
            {
                await p.SubscribeAsync(connection, client.Prefetch, client.OnDeliveryAsync, token).ConfigureAwait(false);
            }
        }
    }

    private async Task HandOverAsync(PartitionConsumer p, long round)
    {
        p.State = PartitionState.Moving;
        await p.CancelAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        client.Flush(p);
        await DrainAsync(p).ConfigureAwait(false);
        leases.Release(p.Index);
        await p.CloseAsync().ConfigureAwait(false);
        p.StandbyAfter = round + 2;
        Interlocked.Increment(ref _handedOver);
        log.LogInformation("Handed {Queue} over (more than a fair share)", p.Queue);
    }

    private async Task GiveBackAsync(PartitionConsumer p, long round)
    {
        p.State = PartitionState.Moving;
        await DrainAsync(p).ConfigureAwait(false); // what it handled while it held the lease is acknowledged first
        await p.CloseAsync().ConfigureAwait(false);
        p.StandbyAfter = round + 2;
        Interlocked.Increment(ref _givenBack);
        log.LogInformation("Gave {Queue} back (the lease is another replica's)", p.Queue);
    }

    private async Task DrainAsync(PartitionConsumer p)
    {
        var deadline = DateTime.UtcNow + DrainLimit;
        while (p.InFlight > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        if (p.InFlight > 0)
        {
            log.LogWarning("{Queue}: {InFlight} deliveries still unacknowledged after {Limit}; closing the channel requeues them (stored once: a redelivered reading overwrites its point)", p.Queue, p.InFlight, DrainLimit);
        }
    }

    private static bool HasStash(PartitionConsumer p)
    {
        lock (p.Gate)
        {
            return p.Stash.Count > 0;
        }
    }
}
