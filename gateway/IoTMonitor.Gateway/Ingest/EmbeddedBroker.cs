using System.Net;
using System.Security.Cryptography.X509Certificates;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Downlink;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTMonitor.Gateway.Ingest;

/// <summary>
/// The embedded MQTTnet 5 broker. Devices authenticate with user name = device id and password =
/// device secret (checked against the registry); the topic ACL lets a device publish only under its
/// own <c>iotmon/v1/{site}/{device}/</c> (telemetry, status, config/ack, cmd/ack) and subscribe only
/// to its own <c>config</c> and <c>cmd</c>.
/// <para>
/// Identity: a device's client id must be its device id or <c>{site}/{device}</c> (the firmware's), so no
/// login can open another device's session; a CONNECT with any other client id is refused with
/// ClientIdentifierNotValid (MQTT 5 reason 0x85, MQTT 3.1.1 return code 2 "identifier rejected").
/// MQTTnet keeps a persistent session's items from the connection that created it and discards the
/// new login's (MqttClientSessionsManager.CreateClientConnection, MQTTnet 5.2), so the identity the
/// login established is written over the session's items at every connect (ClientConnectedAsync),
/// before the connection's first packet is read.
/// </para>
/// <para>
/// MQTTnet 5 reads a connection's packets one at a time and awaits InterceptingPublishAsync before it
/// queues the PUBACK, so waiting for the WAL fsync there would allow one message per connection per
/// fsync. Instead telemetry is handed to the pipeline in InterceptingInboundPacketAsync (where the
/// packet identifier is known) without waiting: the receive loop goes on to the connection's next
/// packet, and the pending durability task is kept per connection by packet identifier. The PUBACK
/// MQTTnet then queues is held in InterceptingOutboundPacketAsync (the connection's send loop) until
/// that task completes, so it still leaves only once the message is durable in the WAL (or
/// dead-lettered), and with reason QuotaExceeded when the WAL refused it. PUBACKs leave in order.
/// A connection may have at most <see cref="MaxPendingPerConnection"/> messages waiting; past that the
/// receive loop waits for the oldest (back-pressure on that connection only).
/// </para>
/// <para>
/// Downlink: config and commands are injected into the broker's own sessions (marked as the
/// gateway's, so the device ACL lets them through); acks go to <see cref="AckIngest"/>. MQTTnet
/// keeps retained messages in memory only, so the desired configs are loaded into its retained
/// store when it starts, under their stored revisions.
/// </para>
/// </summary>
public sealed class EmbeddedBroker : IMqttListener, IDownlinkTransport
{
    private const string DeviceKey = "iotmon.device";
    private const string SiteKey = "iotmon.site";
    private const string EnrolKey = "iotmon.enrol";
    private const string ServiceKey = "iotmon.service";
    private const string AlertsPrefix = "iotmon/alerts/";
    private const string PendingKey = "iotmon.pending";
    private const string GatewayKey = "iotmon.gateway";
    private const string GatewayClientId = "iotmon-gateway";
    private const string ProtocolKey = "iotmon.protocol";
    private static readonly string[] IdentityKeys = [DeviceKey, SiteKey, EnrolKey, ServiceKey, ProtocolKey];

    /// <summary>Most telemetry messages of one connection waiting for the WAL at once.</summary>
    public const int MaxPendingPerConnection = 256;

    private readonly MqttOptions _options;
    private readonly RegistryOptions _registryOptions;
    private readonly DeviceRegistry _registry;
    private readonly IngestPipeline _pipeline;
    private readonly AckIngest _acks;
    private readonly DownlinkService _downlink;
    private readonly ILogger _log;
    /// <summary>Identities validated but not yet applied to their session (between CONNECT and the connected event), by connection.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long At, Dictionary<string, object> Items)> _logins = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _closing = new(StringComparer.Ordinal);
    private readonly NodeStatusBook _statuses;
    private MqttServer? _server;
    private int _clients;
    private int _disposeOnce;

    public EmbeddedBroker(MqttOptions options, RegistryOptions registryOptions, DeviceRegistry registry, IngestPipeline pipeline, AckIngest acks, NodeStatusBook statuses, DownlinkService downlink, ILogger log)
    {
        _statuses = statuses;
        _options = options;
        _registryOptions = registryOptions;
        _registry = registry;
        _pipeline = pipeline;
        _acks = acks;
        _downlink = downlink;
        _log = log;
    }

    public bool IsConnected => _server?.IsStarted == true;

    public string Mode => "embedded";

    public int ConnectedClients => Volatile.Read(ref _clients);

    /// <summary>None: the broker acknowledges each publish itself once it is durable.</summary>
    public long? InFlight => null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var address = IPAddress.Parse(_options.BindAddress);
        var (v4, v6) = ListenAddresses(address);
        // Persistent sessions (MQTTnet deletes a session at disconnect without them): a node's
        // session keeps its subscriptions and the commands queued for it while it sleeps (protocol §2, §7).
        var builder = new MqttServerOptionsBuilder()
            .WithPersistentSessions(true)
            .WithMaxPendingMessagesPerClient(_options.MaxPendingMessagesPerClient);
        if (_options.Port > 0)
        {
            builder.WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(v4).WithDefaultEndpointBoundIPV6Address(v6).WithDefaultEndpointPort(_options.Port).WithDefaultEndpointReuseAddress();
        }
        else
        {
            builder.WithoutDefaultEndpoint();
        }

        if (_options.CertificatePath.Length > 0)
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(_options.CertificatePath, _options.CertificatePassword);
            builder.WithEncryptedEndpoint().WithEncryptedEndpointBoundIPAddress(v4).WithEncryptedEndpointBoundIPV6Address(v6).WithEncryptedEndpointPort(_options.TlsPort).WithEncryptionCertificate(certificate);
        }

        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingInboundPacketAsync += InterceptInboundAsync;
        _server.InterceptingOutboundPacketAsync += InterceptOutboundAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.LoadingRetainedMessageAsync += LoadRetainedConfigsAsync;
        _server.ClientConnectedAsync += e =>
        {
            EstablishIdentity(e);
            Interlocked.Increment(ref _clients);
            return Task.CompletedTask;
        };
        _server.ClientDisconnectedAsync += _ =>
        {
            Interlocked.Decrement(ref _clients);
            return Task.CompletedTask;
        };
        await _server.StartAsync().ConfigureAwait(false);
        _log.LogInformation("Embedded MQTT broker on {Address}:{Port}{Tls}", Describe(v4, v6), _options.Port, _options.CertificatePath.Length > 0 ? $" and TLS {_options.TlsPort}" : string.Empty);
    }

    /// <summary>
    /// The IPv4 and IPv6 addresses to listen on; <see cref="IPAddress.None"/> turns that family's
    /// listener off (MqttServerTcpEndpointBaseOptions, MQTTnet 5.2). MQTTnet listens on IPv6 any
    /// unless told otherwise, so a specific IPv4 address (127.0.0.1) means IPv4 only; 0.0.0.0 means
    /// every address of both families; an IPv6 address means that address only.
    /// </summary>
    internal static (IPAddress V4, IPAddress V6) ListenAddresses(IPAddress address)
    {
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return (IPAddress.None, address);
        }

        return address.Equals(IPAddress.Any) ? (IPAddress.Any, IPAddress.IPv6Any) : (address, IPAddress.None);
    }

    private static string Describe(IPAddress v4, IPAddress v6) =>
        v4.Equals(IPAddress.None) ? $"[{v6}]" : v6.Equals(IPAddress.None) ? v4.ToString() : $"{v4} and [{v6}]";

    /// <summary>The connection's key among its session's: client id and remote end point.</summary>
    private static string ConnectionKey(string clientId, string? endpoint) => clientId + "\n" + endpoint;

    /// <summary>Whether a device login may use this client id: its own id, or <c>{site}/{device}</c> as the firmware sends.</summary>
    private static bool IsOwnClientId(string? clientId, string device, string? site)
    {
        if (clientId == device)
        {
            return true;
        }

        if (clientId is null || !clientId.EndsWith("/" + device, StringComparison.Ordinal))
        {
            return false;
        }

        var clientSite = clientId[..^(device.Length + 1)];
        return site is null ? TopicName.IsValidId(clientSite) : clientSite == site;
    }

    /// <summary>
    /// Replaces whatever identity the session carries with the one this connection's login
    /// established (nothing, for a connection that logged in as nobody).
    /// </summary>
    private void EstablishIdentity(ClientConnectedEventArgs e)
    {
        var items = e.SessionItems;
        var login = _logins.TryRemove(ConnectionKey(e.ClientId, e.RemoteEndPoint?.ToString()), out var entry) ? entry.Items : null;
        lock (items)
        {
            foreach (var key in IdentityKeys)
            {
                items.Remove(key);
            }

            if (login is not null)
            {
                foreach (var (key, value) in login)
                {
                    items[key] = value;
                }
            }

            items[ProtocolKey] = e.ProtocolVersion;
        }
    }

    private Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var login = Login(e);
        if (login is not null)
        {
            var now = Environment.TickCount64;
            if (_logins.Count > 1024)
            {
                // a connection that failed between CONNECT and CONNACK never reaches the connected event
                foreach (var (key, stale) in _logins)
                {
                    if (now - stale.At > 60_000)
                    {
                        _logins.TryRemove(key, out _);
                    }
                }
            }

            _logins[ConnectionKey(e.ClientId, e.RemoteEndPoint?.ToString())] = (now, login);
        }

        return Task.CompletedTask;
    }

    /// <summary>The identity a CONNECT establishes, or null (refused: reason code set; or authentication off).</summary>
    private Dictionary<string, object>? Login(ValidatingConnectionEventArgs e)
    {
        if (!_registryOptions.RequireAuthentication)
        {
            return null;
        }

        if (_options.ServiceUser.Length > 0 && e.UserName == _options.ServiceUser
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(e.Password ?? string.Empty), System.Text.Encoding.UTF8.GetBytes(_options.ServicePassword)))
        {
            return new() { [ServiceKey] = true };
        }

        var device = _registry.Authenticate(e.UserName, e.Password);
        if (device is not null)
        {
            return IsOwnClientId(e.ClientId, device.Id, device.SiteId)
                ? new() { [DeviceKey] = device.Id, [SiteKey] = device.SiteId }
                : RefuseClientId(e);
        }

        if (_registryOptions.AutoEnrol && TopicName.IsValidId(e.UserName) && !string.IsNullOrEmpty(e.Password) && _registry.FindDevice(e.UserName) is null)
        {
            if (!IsOwnClientId(e.ClientId, e.UserName, site: null))
            {
                return RefuseClientId(e);
            }

            _log.LogWarning("Auto-enrol: accepting unknown device {Device}; it is enrolled at its first publish", e.UserName);
            return new() { [DeviceKey] = e.UserName, [EnrolKey] = e.Password };
        }

        GatewayCounters.Inc(ref _pipeline.Ledger.Counters.AuthFailures);
        e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        return null;
    }

    /// <summary>A device login with a client id not its own: refused before any session is touched, counted as an authentication failure.</summary>
    private Dictionary<string, object>? RefuseClientId(ValidatingConnectionEventArgs e)
    {
        GatewayCounters.Inc(ref _pipeline.Ledger.Counters.AuthFailures);
        e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
        return null;
    }

    private static bool IsTelemetryTopic(string topic, TopicKind kind) =>
        kind == TopicKind.Telemetry || topic.StartsWith(TopicName.Prefix, StringComparison.Ordinal) && topic.EndsWith("/telemetry", StringComparison.Ordinal);

    private static PendingAcks Pending(System.Collections.IDictionary items)
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
    /// Receive loop of one connection: starts the pipeline for an authorised telemetry PUBLISH and
    /// returns without waiting for the WAL. Everything else goes on to InterceptPublishAsync.
    /// </summary>
    private Task InterceptInboundAsync(InterceptingPacketEventArgs e)
    {
        if (e.Packet is not MqttPublishPacket publish)
        {
            return Task.CompletedTask;
        }

        var pending = publish.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce ? null : Pending(e.SessionItems);
        pending?.Forget(publish.PacketIdentifier); // a stale entry of an earlier connection of this session
        var topic = publish.Topic;
        var kind = TopicName.Parse(topic, out var site, out var device);
        if (!IsTelemetryTopic(topic, kind) || _registryOptions.RequireAuthentication && !Admit(e.SessionItems, kind, site, device))
        {
            return Task.CompletedTask; // status, acks, refusals: InterceptPublishAsync
        }

        var work = _pipeline.HandleTelemetryAsync(e.ClientId, topic, publish.Payload);
        if (pending is null || work.IsCompletedSuccessfully && work.Result != IngestOutcome.Refused)
        {
            pending?.Add(publish.PacketIdentifier, null);
            return Task.CompletedTask;
        }

        var oldest = pending.Add(publish.PacketIdentifier, work);
        return oldest is null ? Task.CompletedTask : oldest;
    }

    /// <summary>Send loop of one connection: a PUBACK leaves only when its message is durable.</summary>
    private Task InterceptOutboundAsync(InterceptingPacketEventArgs e)
    {
        if (e.Packet is not MqttPubAckPacket ack || e.SessionItems[PendingKey] is not PendingAcks pending)
        {
            return Task.CompletedTask;
        }

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

        async Task AwaitThenSetReasonAsync(InterceptingPacketEventArgs e, MqttPubAckPacket ack, Task<IngestOutcome> work)
        {
            await ((Task)work).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            SetReason(e, ack, work);
        }

        void SetReason(InterceptingPacketEventArgs e, MqttPubAckPacket ack, Task<IngestOutcome> work)
        {
            if (!work.IsCompletedSuccessfully)
            {
                WithholdAndClose(e); // unexpected failure
                return;
            }

            if (work.Result != IngestOutcome.Refused)
            {
                ack.ReasonCode = MqttPubAckReasonCode.Success;
            }
            else if (e.SessionItems[ProtocolKey] is MqttProtocolVersion.V500)
            {
                ack.ReasonCode = MqttPubAckReasonCode.QuotaExceeded; // the MQTT 5 node keeps the message and sends it again
            }
            else
            {
                WithholdAndClose(e); // below MQTT 5 every PUBACK means success
            }
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
        var key = ConnectionKey(e.ClientId, e.RemoteEndPoint?.ToString());
        if (_server is not { } server || !_closing.TryAdd(key, 0))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                foreach (var client in await server.GetClientsAsync().ConfigureAwait(false))
                {
                    if (client.Id == e.ClientId && Equals(client.RemoteEndPoint, e.RemoteEndPoint))
                    {
                        await client.DisconnectAsync(new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.QuotaExceeded }).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
            {
                // the connection or the server is already going
            }
            finally
            {
                _closing.TryRemove(key, out _);
            }
        });
    }

    private Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        var kind = TopicName.Parse(topic, out var site, out var device);
        if (e.SessionItems[ServiceKey] is true && topic.StartsWith(AlertsPrefix, StringComparison.Ordinal))
        {
            return Task.CompletedTask; // the service login publishes alerts
        }

        if (e.SessionItems[GatewayKey] is true && kind is TopicKind.Config or TopicKind.Command)
        {
            return Task.CompletedTask; // the gateway's own downlink (InjectApplicationMessage)
        }

        if (_registryOptions.RequireAuthentication && !Admit(e.SessionItems, kind, site, device))
        {
            GatewayCounters.Inc(ref _pipeline.Ledger.Counters.AclDenials);
            _pipeline.Refuse(e.ClientId, topic, e.ApplicationMessage.Payload, DecodeError.Unauthorized);
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            return Task.CompletedTask;
        }

        if (IsTelemetryTopic(topic, kind))
        {
            // already handed to the pipeline by InterceptInboundAsync; telemetry is not routed to subscribers
            e.ProcessPublish = false;
        }
        else if (AckIngest.IsAck(kind))
        {
            _acks.Handle(e.ClientId, topic, kind, device, e.ApplicationMessage.Payload);
        }
        else if (kind == TopicKind.Status)
        {
            _statuses.Record(e.ClientId, topic, site, device, e.ApplicationMessage.Payload);
        }

        return Task.CompletedTask;
    }

    private Task LoadRetainedConfigsAsync(LoadingRetainedMessagesEventArgs e)
    {
        foreach (var (topic, payload) in _downlink.RetainedConfigs())
        {
            e.LoadedRetainedMessages.Add(DownlinkMessage.Build(topic, payload, retain: true, expiry: null));
        }

        return Task.CompletedTask;
    }

    /// <summary>Injects a gateway → node message as if the gateway's own client had published it (MqttServer.InjectApplicationMessage, MQTTnet 5).</summary>
    public async Task PublishAsync(string topic, byte[] payload, bool retain, TimeSpan? expiry, CancellationToken cancellationToken)
    {
        var server = _server;
        if (server is not { IsStarted: true })
        {
            throw new DownlinkUnavailableException("the embedded broker is not running");
        }

        var injected = new InjectedMqttApplicationMessage(DownlinkMessage.Build(topic, payload, retain, expiry))
        {
            SenderClientId = GatewayClientId,
            CustomSessionItems = new System.Collections.Hashtable { [GatewayKey] = true },
        };
        try
        {
            await server.InjectApplicationMessage(injected, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException ex)
        {
            throw new DownlinkUnavailableException("the embedded broker is stopping", ex);
        }
    }

    /// <summary>
    /// The access check of a device publish, after <see cref="EnrolOnFirstPublish"/>: a device login
    /// publishes only on its own topics (its site, its device) and only the kinds a node sends.
    /// </summary>
    private static bool MayPublish(System.Collections.IDictionary items, TopicKind kind, string site, string device) =>
        items[DeviceKey] is string own && own == device
        && IsNodeUplink(kind)
        && items[SiteKey] is string ownSite && ownSite == site;

    private static bool IsNodeUplink(TopicKind kind) => kind is TopicKind.Telemetry or TopicKind.Status or TopicKind.ConfigAck or TopicKind.CommandAck;

    /// <summary>
    /// Auto-enrolment (<c>Registry:AutoEnrol</c>), a step of its own before the access check: a login
    /// accepted for an unknown device carries its secret until its first uplink publish, whose topic
    /// names the site; the device is enrolled there and the session gets that site. A device enrolled
    /// meanwhile in another site keeps the session without a site, so the check refuses.
    /// </summary>
    private void EnrolOnFirstPublish(System.Collections.IDictionary items, TopicKind kind, string site, string device)
    {
        if (items[EnrolKey] is not string secret || items[DeviceKey] is not string own || own != device || !IsNodeUplink(kind))
        {
            return;
        }

        lock (_registry)
        {
            if (_registry.FindDevice(device) is null)
            {
                if (!_registry.SiteExists(site))
                {
                    _registry.AddSite(site, null);
                }

                _registry.AddDevice(device, site, secret);
                _log.LogWarning("Auto-enrol: device {Device} enrolled in site {Site}", device, site);
            }
        }

        if (_registry.FindDevice(device) is { } enrolled && enrolled.SiteId == site)
        {
            items.Remove(EnrolKey);
            items[SiteKey] = site;
        }
    }

    /// <summary>Enrolment, then the access check: what both intercepts of a publish ask.</summary>
    private bool Admit(System.Collections.IDictionary items, TopicKind kind, string site, string device)
    {
        EnrolOnFirstPublish(items, kind, site, device);
        return MayPublish(items, kind, site, device);
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        if (!_registryOptions.RequireAuthentication)
        {
            return Task.CompletedTask;
        }

        var filter = e.TopicFilter.Topic;
        if (e.SessionItems[ServiceKey] is true && (filter.StartsWith(AlertsPrefix, StringComparison.Ordinal) || filter == "iotmon/v1/+/+/status"))
        {
            return Task.CompletedTask; // the service login reads alerts and node status
        }

        var kind = TopicName.Parse(filter, out var site, out var device);
        var ok = kind is TopicKind.Config or TopicKind.Command
            && e.SessionItems[DeviceKey] is string own && own == device
            && e.SessionItems[SiteKey] is string ownSite && ownSite == site;
        if (!ok)
        {
            GatewayCounters.Inc(ref _pipeline.Ledger.Counters.AclDenials);
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        }

        return Task.CompletedTask;
    }

    /// <summary>Durability tasks of one connection's telemetry, by packet identifier, until its PUBACK leaves.</summary>
    private sealed class PendingAcks
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

    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // the lifecycle stops it, then the container disposes it again
        if (Interlocked.Exchange(ref _disposeOnce, 1) != 0)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        _server?.Dispose();
    }
}
