using System.Collections;
using MQTTnet.Exceptions;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTMonitor.Gateway.Ingest.Embedded;

/// <summary>
/// Holds each telemetry PUBACK until its message is durable. MQTTnet 5 reads a connection's packets
/// one at a time and awaits InterceptingPublishAsync before it queues the PUBACK, so waiting for
/// the WAL fsync there would allow one message per connection per fsync. Instead telemetry is
/// handed to the pipeline when the packet arrives (<see cref="PublishIntake"/>, where the packet
/// identifier is known) without waiting, and its durability task is kept here per connection by
/// packet identifier. The PUBACK MQTTnet then queues is held in InterceptingOutboundPacketAsync
/// (the connection's send loop) until that task completes, so it still leaves only once the
/// message is durable in the WAL (or dead-lettered), and with reason QuotaExceeded when the WAL
/// refused it. PUBACKs leave in order. A connection may have at most
/// <see cref="MaxPendingPerConnection"/> messages waiting; past that the receive loop waits for the
/// oldest (back-pressure on that connection only).
/// </summary>
internal sealed class PubAckHolding(Func<MqttServer?> server)
{
    /// <summary>Most telemetry messages of one connection waiting for the WAL at once.</summary>
    public const int MaxPendingPerConnection = 256;

    private const string PendingKey = "iotmon.pending";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _closing = new(StringComparer.Ordinal);

    /// <summary>The connection's waiting messages (created on first use).</summary>
    public static PendingAcks Pending(IDictionary items)
    {
        if (items[PendingKey] is PendingAcks pending)
        {
            return pending;
        }

        lock (items)
        {
            if (items[PendingKey] is not PendingAcks created)
            {
                created = new PendingAcks();
                items[PendingKey] = created;
            }

            return created;
        }
    }

    /// <summary>
    /// Send loop of one connection: a PUBACK (QoS 1) or PUBREC (QoS 2) leaves only when its message is
    /// durable. PUBREC is the QoS 2 receiver's "I own it now" (MQTT 3.1.1 §4.3.3, MQTT 5.0 §4.3.3), so it
    /// is held exactly like a PUBACK; the PUBREL/PUBCOMP that follow change nothing in the WAL.
    /// </summary>
    public Task InterceptOutboundAsync(InterceptingPacketEventArgs e)
    {
        if (e.Packet is not (MqttPubAckPacket or MqttPubRecPacket) || e.SessionItems[PendingKey] is not PendingAcks pending)
        {
            return Task.CompletedTask;
        }

        var ack = (MqttPacketWithIdentifier)e.Packet;
        var work = pending.Take(ack.PacketIdentifier);
        if (work is null)
        {
            return Task.CompletedTask;
        }

        if (work.IsCompleted)
        {
            SetReason(e, ack, work);
            return Task.CompletedTask;
        }

        return AwaitThenSetReasonAsync(e, ack, work);

        async Task AwaitThenSetReasonAsync(InterceptingPacketEventArgs e, MqttPacketWithIdentifier ack, Task<IngestOutcome> work)
        {
            await ((Task)work).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            SetReason(e, ack, work);
        }
    }

    private void SetReason(InterceptingPacketEventArgs e, MqttPacketWithIdentifier ack, Task<IngestOutcome> work)
    {
        if (!work.IsCompletedSuccessfully)
        {
            WithholdAndClose(e); // unexpected failure
            return;
        }

        var refused = work.Result == IngestOutcome.Refused;
        if (refused && !SessionIdentity.IsMqtt5(e.SessionItems))
        {
            WithholdAndClose(e); // below MQTT 5 every PUBACK/PUBREC means success
            return;
        }

        // the MQTT 5 node keeps a refused message and sends it again
        switch (ack)
        {
            case MqttPubAckPacket pubAck:
                pubAck.ReasonCode = refused ? MqttPubAckReasonCode.QuotaExceeded : MqttPubAckReasonCode.Success;
                break;
            case MqttPubRecPacket pubRec:
                pubRec.ReasonCode = refused ? MqttPubRecReasonCode.QuotaExceeded : MqttPubRecReasonCode.Success;
                break;
        }
    }

    /// <summary>
    /// No PUBACK for a message that is not durable, and the connection closed: an MQTT 3.1.1 PUBACK has
    /// no reason code, so the only refusal a 3.1.1 node understands is the PUBACK that never comes; it
    /// sends every unacknowledged QoS 1 message again after it reconnects (MQTT 3.1.1 §4.4). Closing at
    /// once makes that happen now rather than at the node's timeout. Closed from outside the send loop
    /// (DisconnectAsync waits for it), once per connection.
    /// </summary>
    private void WithholdAndClose(InterceptingPacketEventArgs e)
    {
        e.ProcessPacket = false;
        var key = DeviceLogin.ConnectionKey(e.ClientId, e.RemoteEndPoint?.ToString());
        if (server() is not { } running || !_closing.TryAdd(key, 0))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                foreach (var client in await running.GetClientsAsync().ConfigureAwait(false))
                {
                    if (client.Id == e.ClientId && Equals(client.RemoteEndPoint, e.RemoteEndPoint))
                    {
                        await client.DisconnectAsync(new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.QuotaExceeded }).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or OperationCanceledException or MqttCommunicationException)
            {
                // the connection or the server is already going
            }
            finally
            {
                _closing.TryRemove(key, out _);
            }
        });
    }

    /// <summary>Durability tasks of one connection's telemetry, by packet identifier, until its PUBACK or PUBREC leaves.</summary>
    internal sealed class PendingAcks
    {
        private readonly Dictionary<ushort, Task<IngestOutcome>?> _byId = new();
        private readonly Queue<Task<IngestOutcome>> _order = new();

        /// <summary>Registers a message; returns a task to wait for when the connection has too many waiting.</summary>
        public Task? Add(ushort id, Task<IngestOutcome>? work)
        {
            lock (_byId)
            {
                _byId[id] = work;
                if (work is null)
                {
                    return null;
                }

                while (_order.Count > 0 && _order.Peek().IsCompleted)
                {
                    _order.Dequeue();
                }

                _order.Enqueue(work);
                return _order.Count > MaxPendingPerConnection ? _order.Peek() : null;
            }
        }

        public void Forget(ushort id)
        {
            lock (_byId)
            {
                _byId.Remove(id);
            }
        }

        public Task<IngestOutcome>? Take(ushort id)
        {
            lock (_byId)
            {
                return _byId.Remove(id, out var work) ? work : null;
            }
        }
    }
}
