namespace IoTMonitor.Gateway.Ingest.Cluster;

/// <summary>Options of the RabbitMQ cluster transport (appsettings section <c>Mqtt:Cluster</c>).</summary>
public sealed class ClusterBrokerOptions
{
    /// <summary>AMQP endpoints of the cluster's nodes, <c>host:port</c>, comma-separated; the client connects to the first that answers and to another when it is lost.</summary>
    public string Endpoints { get; set; } = "127.0.0.1:5672";

    public string VirtualHost { get; set; } = "/";

    public string Username { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    /// <summary>Partition queues (<c>iotmon.uplink.0</c> … ): fixed for a deployment, a change moves devices between queues.</summary>
    public int Partitions { get; set; } = 8;

    /// <summary>Unacknowledged deliveries per partition consumer (AMQP basic.qos): what may wait for one WAL group fsync.</summary>
    public ushort Prefetch { get; set; } = 500;

    /// <summary>AMQP heartbeat, seconds: a replica that vanishes without closing its socket loses its partitions after about two of them.</summary>
    public int HeartbeatSeconds { get; set; } = 10;

    /// <summary>Declare the uplink exchange, partition queues and bindings at start (idempotent). Off when the operator declares them (scripts/rabbitmq-provision.py topology) and the gateway's user may not.</summary>
    public bool DeclareTopology { get; set; } = true;

    /// <summary>
    /// With <c>State:Provider</c> = <c>postgres</c>: spread the partitions over the replicas by lease rows
    /// (each consumes a fair share and is a standby on the rest). Off, or without PostgreSQL, every replica
    /// subscribes to every partition and the first to subscribe is active on all: a hot standby, which
    /// takes over in under 2 s where a balanced replica waits for the dead one's lease (about
    /// <see cref="LeaseSeconds"/> + one round), but adds no capacity (docs/operations.md "Load across replicas").
    /// </summary>
    public bool Balance { get; set; } = true;

    /// <summary>How long a partition lease lasts without renewal: after a replica dies, its partitions are consumed again within about this plus one <see cref="LeaseRenewMs"/>.</summary>
    public int LeaseSeconds { get; set; } = 10;

    /// <summary>How often a replica renews its partition leases, takes its share and hands surplus over.</summary>
    public int LeaseRenewMs { get; set; } = 1000;

    /// <summary>This replica's name as lease holder; empty: host name, process id and a random suffix.</summary>
    public string Replica { get; set; } = string.Empty;

    internal string ReplicaName { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    internal string EffectiveReplica => Replica.Length > 0 ? Replica : ReplicaName;

    internal IReadOnlyList<(string Host, int Port)> ParsedEndpoints()
    {
        var list = new List<(string, int)>();
        foreach (var raw in Endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = raw.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(raw[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                continue;
            }

            list.Add((raw[..colon], port));
        }

        return list;
    }

    internal IEnumerable<string> Validate()
    {
        var raw = Endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (raw.Length == 0 || ParsedEndpoints().Count != raw.Length)
        {
            yield return $"Mqtt:Cluster:Endpoints must be host:port entries separated by commas (got '{Endpoints}')";
        }

        if (Username.Length == 0)
        {
            yield return "Mqtt:Cluster:Username must be set (the gateway's AMQP user, scripts/rabbitmq-provision.py gateway)";
        }

        if (Partitions is < 1 or > 1024)
        {
            yield return "Mqtt:Cluster:Partitions must be 1–1024";
        }

        if (Prefetch < 1)
        {
            yield return "Mqtt:Cluster:Prefetch must be ≥ 1";
        }

        if (HeartbeatSeconds is < 1 or > 600)
        {
            yield return "Mqtt:Cluster:HeartbeatSeconds must be 1–600";
        }

        if (LeaseSeconds is < 2 or > 600)
        {
            yield return "Mqtt:Cluster:LeaseSeconds must be 2–600";
        }
        else if (LeaseRenewMs < 100 || LeaseRenewMs * 3 > LeaseSeconds * 1000)
        {
            yield return "Mqtt:Cluster:LeaseRenewMs must be ≥ 100 and at most a third of Mqtt:Cluster:LeaseSeconds (a lease is renewed well before it ends)";
        }
    }
}
