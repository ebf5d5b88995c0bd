using System.Collections;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Downlink;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTMonitor.Gateway.Ingest.Embedded;

/// <summary>
/// The walk of one PUBLISH through the embedded broker. MQTTnet shows it twice: as a packet on the
/// connection's receive loop (InterceptingInboundPacketAsync, where telemetry is handed to the
/// pipeline without waiting, <see cref="PubAckHolding"/>), then as a message (InterceptingPublishAsync,
/// where a refusal gets its reason code and status and acks are taken in). The topic is parsed and
/// the message admitted once, on the packet: enrolment (<see cref="AutoEnrolment"/>), then the
/// access check (<see cref="TopicAccess"/>); the verdict is kept in the session for the message
/// step, which follows on the same receive loop before the next packet is read.
/// </summary>
internal sealed class PublishIntake(
    RegistryOptions registryOptions,
    IngestPipeline pipeline,
    AckIngest acks,
    NodeStatusBook statuses,
    AutoEnrolment enrolment)
{
    private const string VerdictKey = "iotmon.verdict";

    /// <summary>Receive loop: parse, admit, and start the pipeline for admitted telemetry.</summary>
    public Task InterceptInboundAsync(InterceptingPacketEventArgs e)
    {
        if (e.Packet is not MqttPublishPacket publish)
        {
            return Task.CompletedTask;
        }

        var pending = publish.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce ? null : PubAckHolding.Pending(e.SessionItems);
        pending?.Forget(publish.PacketIdentifier); // a stale entry of an earlier connection of this session
        var route = TopicRoute.Parse(TopicAliases.Resolve(e.SessionItems, publish));
        var admitted = Admit(e.SessionItems, route);
        Verdict(e.SessionItems).Set(route, admitted);
        if (!route.IsTelemetry || !admitted)
        {
            return Task.CompletedTask; // status, acks, refusals: InterceptPublishAsync
        }

        var work = pipeline.HandleTelemetryAsync(e.ClientId, route, publish.Payload);
        if (pending is null || work.IsCompletedSuccessfully && work.Result != IngestOutcome.Refused)
        {
            pending?.Add(publish.PacketIdentifier, null);
            return Task.CompletedTask;
        }

        var oldest = pending.Add(publish.PacketIdentifier, work);
        return oldest is null ? Task.CompletedTask : oldest;
    }

    /// <summary>Message step: the verdict of the packet step answers; refusals are counted and dead-lettered here.</summary>
    public Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (topic.Length == 0)
        {
            // only an MQTT 5 alias that this connection never set leaves a PUBLISH without a topic
            pipeline.Refuse(e.ClientId, topic, e.ApplicationMessage.Payload, DecodeError.BadTopic);
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.TopicNameInvalid;
            return Task.CompletedTask;
        }

        // the packet step's verdict, unless this message is not that packet
        if (!Verdict(e.SessionItems).TryTake(topic, out var route, out var admitted))
        {
            route = TopicRoute.Parse(topic);
            admitted = Admit(e.SessionItems, route);
        }

        if (!admitted)
        {
            GatewayCounters.Inc(ref pipeline.Ledger.Counters.AclDenials);
            pipeline.Refuse(e.ClientId, topic, e.ApplicationMessage.Payload, DecodeError.Unauthorized);
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            return Task.CompletedTask;
        }

        if (SessionIdentity.IsService(e.SessionItems) || SessionIdentity.IsGateway(e.SessionItems))
        {
            return Task.CompletedTask; // alerts of the service login, the gateway's own downlink: routed to subscribers
        }

        if (route.IsTelemetry)
        {
            // already handed to the pipeline by the packet step; telemetry is not routed to subscribers
            e.ProcessPublish = false;
        }
        else if (AckIngest.IsAck(route.Kind))
        {
            acks.Handle(e.ClientId, topic, route.Kind, route.Device, e.ApplicationMessage.Payload);
        }
        else if (route.Kind == TopicKind.Status)
        {
            statuses.Record(e.ClientId, topic, route.Site, route.Device, e.ApplicationMessage.Payload);
        }

        return Task.CompletedTask;
    }

    /// <summary>Subscriptions: only what <see cref="TopicAccess.MaySubscribe"/> allows.</summary>
    public Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        if (registryOptions.RequireAuthentication && !TopicAccess.MaySubscribe(e.SessionItems, e.TopicFilter.Topic))
        {
            GatewayCounters.Inc(ref pipeline.Ledger.Counters.AclDenials);
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        }

        return Task.CompletedTask;
    }

    /// <summary>Enrolment, then the access check; everything is admitted when authentication is off.</summary>
    private bool Admit(IDictionary items, in TopicRoute route)
    {
        if (!registryOptions.RequireAuthentication)
        {
            return true;
        }

        enrolment.EnrolOnFirstPublish(items, route);
        return TopicAccess.MayPublish(items, route);
    }

    private static LastVerdict Verdict(IDictionary items)
    {
        if (items[VerdictKey] is LastVerdict verdict)
        {
            return verdict;
        }

        lock (items)
        {
            if (items[VerdictKey] is not LastVerdict created)
            {
                created = new LastVerdict();
                items[VerdictKey] = created;
            }

            return created;
        }
    }

    /// <summary>The packet step's verdict on the connection's latest PUBLISH, one slot per session (no allocation per message).</summary>
    private sealed class LastVerdict
    {
        private readonly Lock _gate = new();
        private TopicRoute _route;
        private bool _admitted;
        private bool _set;

        public void Set(in TopicRoute route, bool admitted)
        {
            lock (_gate)
            {
                _route = route;
                _admitted = admitted;
                _set = true;
            }
        }

        /// <summary>Takes the verdict if it is about this very topic string: MQTTnet builds the message from the packet with the packet's topic string (MqttApplicationMessageFactory.Create, MQTTnet 5.2).</summary>
        public bool TryTake(string topic, out TopicRoute route, out bool admitted)
        {
            lock (_gate)
            {
                route = _route;
                admitted = _admitted;
                var mine = _set && ReferenceEquals(_route.Topic, topic);
                _set = false;
                return mine;
            }
        }
    }
}
