using System.Net;
using System.Security.Cryptography.X509Certificates;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Downlink;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace IoTMonitor.Gateway.Ingest.Embedded;

/// <summary>
/// Hosts the embedded MQTTnet 5 broker: its endpoints (plain, TLS), persistent sessions, and which
/// part answers each of its events. The parts, one reason each: <see cref="DeviceLogin"/> (who
/// connects), <see cref="PublishIntake"/> (the walk of a publish: parse once, <see cref="AutoEnrolment"/>,
/// <see cref="TopicAccess"/>, then pipeline, acks or node status), <see cref="PubAckHolding"/> (a
/// PUBACK leaves once its message is durable) and <see cref="EmbeddedDownlink"/> (config and commands
/// injected, retained configs loaded at start).
/// </summary>
public sealed class EmbeddedBroker : IMqttListener
{
    private static readonly TimeSpan CutLogInterval = TimeSpan.FromSeconds(10);
    private readonly MqttOptions _options;
    private readonly ILogger _log;
    private readonly DeviceLogin _login;
    private readonly PublishIntake _intake;
    private readonly PubAckHolding _pubAcks;
    private readonly EmbeddedDownlink _downlink;
    private readonly IngestPipeline _pipeline;
    private readonly ConnectGate _gate;
    private MqttServer? _server;
    private int _clients;
    private long _cutsUnlogged;
    private long _cutLoggedAt;
    private int _disposeOnce;

    public EmbeddedBroker(MqttOptions options, RegistryOptions registryOptions, DeviceRegistry registry, IngestPipeline pipeline, AckIngest acks, NodeStatusBook statuses, DownlinkService downlink, ILogger<EmbeddedBroker> log)
    {
        _options = options;
        _log = log;
        _pipeline = pipeline;
        _login = new DeviceLogin(options, registryOptions, registry, pipeline.Ledger.Counters, log);
        _intake = new PublishIntake(registryOptions, pipeline, acks, statuses, new AutoEnrolment(registry, log));
        _pubAcks = new PubAckHolding(() => _server);
        _downlink = new EmbeddedDownlink(downlink, () => _server);
        _gate = new ConnectGate(TimeSpan.FromSeconds(options.ConnectTimeoutSeconds), options.MaxPendingConnections, options.MaxPendingConnectionsPerAddress, Cut);
    }

    /// <summary>Where the downlink service hands config and commands to this broker.</summary>
    public IDownlinkTransport Downlink => _downlink;

    public bool IsConnected => _server?.IsStarted == true;

    public string Mode => "embedded";

    public int ConnectedClients => Volatile.Read(ref _clients);

    /// <summary>Connections accepted and not yet through their CONNECT.</summary>
    public int PendingConnections => _gate.Count;

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

        var listener = new BrokerListener(_options.MaxPacketBytes, TooLarge, _gate, _log);
        var server = new MqttServerFactory().CreateMqttServer(builder.Build(), [listener]);
        server.ValidatingConnectionAsync += _login.ValidateAsync;
        server.InterceptingInboundPacketAsync += _intake.InterceptInboundAsync;
        server.InterceptingOutboundPacketAsync += _pubAcks.InterceptOutboundAsync;
        server.InterceptingOutboundPacketAsync += AnnouncePacketLimit;
        server.InterceptingPublishAsync += _intake.InterceptPublishAsync;
        server.InterceptingSubscriptionAsync += _intake.InterceptSubscriptionAsync;
        server.LoadingRetainedMessageAsync += _downlink.LoadRetainedConfigsAsync;
        server.ClientConnectedAsync += e =>
        {
            _login.Establish(e);
            Interlocked.Increment(ref _clients);
            return Task.CompletedTask;
        };
        server.ClientDisconnectedAsync += _ =>
        {
            Interlocked.Decrement(ref _clients);
            return Task.CompletedTask;
        };
        _server = server;
        await server.StartAsync().ConfigureAwait(false);
        _log.LogInformation("Embedded MQTT broker on {Address}:{Port}{Tls}", Describe(v4, v6), _options.Port, _options.CertificatePath.Length > 0 ? $" and TLS {_options.TlsPort}" : string.Empty);
    }

    /// <summary>
    /// MQTT 5 clients are told the limit in the CONNACK's Maximum Packet Size (MQTT 5.0 §3.2.2.3.6: the
    /// whole packet, so the fixed header's at most 5 bytes are added), so a well-behaved client refuses an
    /// oversized publish itself instead of losing its connection. MQTTnet 5.2 always announces 0
    /// ("unlimited", MqttConnAckPacketFactory); an accepted CONNACK passes the outbound interceptor.
    /// </summary>
    private Task AnnouncePacketLimit(InterceptingPacketEventArgs e)
    {
        if (e.Packet is MqttConnAckPacket connAck)
        {
            connAck.MaximumPacketSize = (uint)_options.MaxPacketBytes + 5;
        }

        return Task.CompletedTask;
    }

    /// <summary>A connection cut off by <see cref="PacketSizeGuard"/>: counted, logged and dead-lettered under its address (no client id is known below MQTT).</summary>
    private void TooLarge(EndPoint? remote, long announced)
    {
        var c = _pipeline.Ledger.Counters;
        GatewayCounters.Inc(ref c.PacketsTooLarge);
        GatewayCounters.Inc(ref c.DeadLetters);
        var detail = $"MQTT packet announcing {announced} bytes after its fixed header, over Mqtt:MaxPacketBytes {_options.MaxPacketBytes}; connection closed";
        _pipeline.DeadLetters.Add(new DeadLetter(DateTimeOffset.UtcNow, remote?.ToString() ?? "?", string.Empty, DecodeError.TooLarge, ReadOnlyMemory<byte>.Empty, detail));
        _log.LogWarning("MQTT connection from {Remote} closed: {Detail}", remote, detail);
    }

    /// <summary>
    /// A connection closed by the <see cref="ConnectGate"/>: counted, and logged at most once per
    /// <see cref="CutLogInterval"/> with the number of closings since the previous line (a flood of idle
    /// connections must not become a flood of log lines). Not dead-lettered: it carried no message (a
    /// dead letter is a message refused), and no client id is known before CONNECT.
    /// </summary>
    private void Cut(ConnectGate.Cut why, EndPoint? remote, TimeSpan waited)
    {
        var c = _pipeline.Ledger.Counters;
        GatewayCounters.Inc(ref (why == ConnectGate.Cut.Deadline ? ref c.ConnectTimeouts : ref c.PendingEvictions));
        var unlogged = Interlocked.Increment(ref _cutsUnlogged);
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _cutLoggedAt);
        if ((last != 0 && now - last < (long)CutLogInterval.TotalMilliseconds) || Interlocked.CompareExchange(ref _cutLoggedAt, now, last) != last)
        {
            return;
        }

        unlogged = Interlocked.Exchange(ref _cutsUnlogged, 0);
        var reason = why == ConnectGate.Cut.Deadline
            ? $"no complete CONNECT within Mqtt:ConnectTimeoutSeconds {_options.ConnectTimeoutSeconds} s"
            : $"too many connections waiting for theirs (Mqtt:MaxPendingConnections {_options.MaxPendingConnections}, per address {_options.MaxPendingConnectionsPerAddress})";
        _log.LogWarning("MQTT connection from {Remote} closed after {Waited} ms without CONNECT: {Reason}; {Count} connection(s) closed so since the last such line (iotmon_mqtt_connect_timeouts_total, iotmon_mqtt_pending_evictions_total)", remote, (long)waited.TotalMilliseconds, reason, unlogged);
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
        _gate.Dispose();
    }
}
