namespace IoTMonitor.Gateway.Ingest;

public enum MqttMode
{
    /// <summary>The gateway runs its own MQTTnet broker (default).</summary>
    Embedded,

    /// <summary>The gateway is a client of an external broker (plain or <c>$share</c> subscription).</summary>
    External,

    /// <summary>The gateway consumes a RabbitMQ cluster's partition queues over AMQP (<c>Ingest/Cluster/</c>).</summary>
    Cluster,
}

/// <summary>Options of the MQTT listener (appsettings section <c>Mqtt</c>).</summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    public MqttMode Mode { get; set; } = MqttMode.Embedded;

    /// <summary>Embedded: address the broker listens on.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>Embedded: plain TCP port; 0 turns the plain listener off.</summary>
    public int Port { get; set; } = 1883;

    /// <summary>Embedded: TLS port, used when <see cref="CertificatePath"/> is set.</summary>
    public int TlsPort { get; set; } = 8883;

    /// <summary>Embedded: PFX/PKCS#12 certificate for TLS; empty = no TLS listener.</summary>
    public string CertificatePath { get; set; } = string.Empty;

    public string CertificatePassword { get; set; } = string.Empty;

    /// <summary>Embedded: queued outgoing messages per client before the oldest are dropped.</summary>
    public int MaxPendingMessagesPerClient { get; set; } = 10_000;

    /// <summary>
    /// Embedded: the largest MQTT packet a client may send, counted after the fixed header (its
    /// remaining length). A packet announcing more closes its connection before the broker reserves
    /// memory for it. The default leaves room for the largest telemetry payload (8,192 bytes) with
    /// its topic and MQTT 5 properties many times over.
    /// </summary>
    public int MaxPacketBytes { get; set; } = 65_536;

    /// <summary>
    /// Embedded: seconds from accepting a connection (its TLS handshake included) to the last byte of its
    /// CONNECT; a connection that takes longer is closed. MQTTnet alone would wait 100 s.
    /// </summary>
    public int ConnectTimeoutSeconds { get; set; } = 30;

    /// <summary>Embedded: connections waiting for their CONNECT at once; one more closes the oldest waiting.</summary>
    public int MaxPendingConnections { get; set; } = 512;

    /// <summary>Embedded: connections from one address waiting for their CONNECT at once; one more closes that address's oldest waiting.</summary>
    public int MaxPendingConnectionsPerAddress { get; set; } = 64;

    public ExternalBrokerOptions External { get; set; } = new();

    public Cluster.ClusterBrokerOptions Cluster { get; set; } = new();

    /// <summary>
    /// Embedded: a service login (not a device) that may publish and subscribe under
    /// <c>iotmon/alerts/#</c> and subscribe to <c>iotmon/v1/+/+/status</c>: the alert engine's own
    /// connection and operators' alert consumers. Empty = none.
    /// </summary>
    public string ServiceUser { get; set; } = string.Empty;

    public string ServicePassword { get; set; } = string.Empty;

    internal IEnumerable<string> Validate()
    {
        if (Mode == MqttMode.Embedded)
        {
            if (!System.Net.IPAddress.TryParse(BindAddress, out _))
            {
                yield return "Mqtt:BindAddress must be an IP address";
            }

            if (Port is < 0 or > 65535)
            {
                yield return "Mqtt:Port must be 0–65535";
            }

            if (TlsPort is < 1 or > 65535)
            {
                yield return "Mqtt:TlsPort must be 1–65535";
            }

            if (CertificatePath.Length > 0 && !File.Exists(CertificatePath))
            {
                yield return $"Mqtt:CertificatePath '{CertificatePath}' does not exist";
            }

            if (MaxPacketBytes is < 16_384 or > 268_435_455)
            {
                yield return "Mqtt:MaxPacketBytes must be 16384–268435455 (MQTT's largest remaining length)";
            }

            if (ConnectTimeoutSeconds is < 1 or > 300)
            {
                yield return "Mqtt:ConnectTimeoutSeconds must be 1–300";
            }

            if (MaxPendingConnections < 1)
            {
                yield return "Mqtt:MaxPendingConnections must be ≥ 1";
            }

            if (MaxPendingConnectionsPerAddress < 1)
            {
                yield return "Mqtt:MaxPendingConnectionsPerAddress must be ≥ 1";
            }

            if (Port == 0 && CertificatePath.Length == 0)
            {
                yield return "Mqtt:Port is 0 and no Mqtt:CertificatePath is set: no listener would run";
            }
        }
        else if (Mode == MqttMode.Cluster)
        {
            foreach (var e in Cluster.Validate())
            {
                yield return e;
            }
        }
        else
        {
            foreach (var e in External.Validate())
            {
                yield return e;
            }
        }
    }
}

/// <summary>Options of the external-broker client (appsettings section <c>Mqtt:External</c>).</summary>
public sealed class ExternalBrokerOptions
{
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1883;

    public bool UseTls { get; set; }

    /// <summary>Client id; must differ between replicas. Default: iotmon-gateway-{machine}-{pid}.</summary>
    public string ClientId { get; set; } = string.Empty;

    public string Username { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    /// <summary>
    /// Shared-subscription group: replicas in one group split the stream (<c>$share/{group}/…</c>).
    /// Empty (the default) = a plain subscription, which a broker restart does not lose (Mosquitto does
    /// not restore <c>$share</c> subscriptions; see docs/operations.md).
    /// </summary>
    public string SharedGroup { get; set; } = string.Empty;

    /// <summary>
    /// Telemetry topic filters, comma-separated (a replica's partition, e.g. its sites:
    /// <c>iotmon/v1/site-a/+/telemetry,iotmon/v1/site-b/+/telemetry</c>). For each filter ending in
    /// <c>/telemetry</c> the gateway also takes that partition's <c>config/ack</c> and <c>cmd/ack</c>.
    /// </summary>
    public string TopicFilter { get; set; } = "iotmon/v1/+/+/telemetry";

    /// <summary>MQTT 5 session expiry (persistent session), seconds.</summary>
    public uint SessionExpirySeconds { get; set; } = 7 * 24 * 3600;

    /// <summary>MQTT 5 receive maximum: unacknowledged QoS 1 messages the broker may send at once.</summary>
    public ushort ReceiveMaximum { get; set; } = 1000;

    /// <summary>Longest wait between reconnect attempts, milliseconds (the first is immediate, then 50 ms doubling).</summary>
    public int ReconnectMaxMs { get; set; } = 2000;

    /// <summary>
    /// Socket send and receive buffer of the broker connection, bytes (the OS may cap it: Linux at
    /// net.core.rmem_max). MQTTnet's default of 8 KiB pins the TCP receive window at a few KiB,
    /// so a backlog at the broker drained at a few hundred messages a second (window / delayed-ACK
    /// round trip); 1 MiB lets the window open.
    /// </summary>
    public int SocketBufferBytes { get; set; } = 1024 * 1024;

    /// <summary>Every filter the gateway subscribes to: the telemetry filters and their partitions' acks, with the share prefix when set.</summary>
    internal IEnumerable<string> SubscriptionFilters()
    {
        var prefix = SharedGroup.Length > 0 ? $"$share/{SharedGroup}/" : string.Empty;
        var filters = new List<string>();
        foreach (var raw in TopicFilter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            filters.Add(raw);
            var stem = raw.EndsWith("/telemetry", StringComparison.Ordinal) ? raw[..^"telemetry".Length] : "iotmon/v1/+/+/";
            filters.Add(stem + "config/ack");
            filters.Add(stem + "cmd/ack");
            filters.Add(stem + "status");
        }

        return filters.Distinct(StringComparer.Ordinal).Select(f => prefix + f);
    }

    internal string EffectiveClientId => ClientId.Length > 0 ? ClientId : $"iotmon-gateway-{Environment.MachineName}-{Environment.ProcessId}";

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            yield return "Mqtt:External:Host must be set";
        }

        if (Port is < 1 or > 65535)
        {
            yield return "Mqtt:External:Port must be 1–65535";
        }

        if (SharedGroup.Contains('/', StringComparison.Ordinal) || SharedGroup.Contains('+', StringComparison.Ordinal) || SharedGroup.Contains('#', StringComparison.Ordinal) || SharedGroup.Any(char.IsWhiteSpace))
        {
            yield return "Mqtt:External:SharedGroup must contain no '/', '+', '#' or spaces (empty = plain subscription)";
        }

        if (TopicFilter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length == 0)
        {
            yield return "Mqtt:External:TopicFilter must name at least one topic filter";
        }

        if (ReconnectMaxMs is < 50 or > 60_000)
        {
            yield return "Mqtt:External:ReconnectMaxMs must be 50–60000";
        }

        if (ReceiveMaximum < 1)
        {
            yield return "Mqtt:External:ReceiveMaximum must be ≥ 1";
        }

        if (SocketBufferBytes is < 8192 or > 64 * 1024 * 1024)
        {
            yield return "Mqtt:External:SocketBufferBytes must be 8192–67108864";
        }
    }
}
