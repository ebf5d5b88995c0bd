using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;

namespace IoTMonitor.Testing;

/// <summary>
/// A real RabbitMQ 3.10 cluster of <c>n</c> nodes on one host (Debian's <c>rabbitmq-server</c>): its own
/// epmd on a free loopback port, per node a free AMQP, MQTT and distribution port, a temp dir (Mnesia,
/// quorum-queue logs) and one shared Erlang cookie; the nodes find each other by the config-file peer
/// discovery (<c>cluster_formation.classic_config</c>), all listeners and the distribution bound to
/// 127.0.0.1. The MQTT plugin (persistent sessions as quorum queues) and the consistent-hash exchange
/// are enabled. <see cref="Node.Kill"/> is kill -9 of one node; <see cref="Node.StartAsync"/> brings it
/// back with its data, <see cref="RestoreAsync"/> brings every such node back and waits until the cluster is
/// whole again. Tests that share one cluster keep apart on virtual hosts of their own
/// (<see cref="AddVirtualHostAsync"/>). Fails with the install command when the server is not installed.
/// </summary>
public sealed class RabbitMqCluster : IAsyncDisposable
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private const string CtlScript = "/usr/lib/rabbitmq/bin/rabbitmqctl";

    private readonly Epmd _epmd;

    private RabbitMqCluster(int nodes)
    {
        RequireInstalled();
        _epmd = new Epmd();
        var cookie = Path.Combine(_epmd.DataDir, ".erlang.cookie");
        File.WriteAllText(cookie, Convert.ToHexString(Guid.NewGuid().ToByteArray()));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead); // Erlang refuses a cookie others may read
        }
        var names = Enumerable.Range(0, nodes).Select(_ => $"iotmon{FreePort.Next()}@localhost").ToArray();
        Nodes = names.Select(name => new Node(this, name, names)).ToArray();
    }

    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>The home (Erlang cookie) every node and rabbitmqctl share.</summary>
    public string Home => _epmd.DataDir;

    public int EpmdPort => _epmd.Port;

    /// <summary>The environment rabbitmqctl (and scripts/rabbitmq-provision.py) needs to reach these nodes.</summary>
    public IReadOnlyDictionary<string, string> CtlEnvironment => new Dictionary<string, string>
    {
        ["HOME"] = Home,
        ["ERL_EPMD_PORT"] = EpmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RABBITMQ_CTL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
        ["RABBITMQCTL"] = CtlScript,
    };

    public static async Task<RabbitMqCluster> StartNewAsync(int nodes = 3, TimeSpan? timeout = null)
    {
        if (nodes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(nodes));
        }

        var cluster = new RabbitMqCluster(nodes);
        try
        {
            await cluster._epmd.StartAsync().ConfigureAwait(false);
            // all at once: each node waits in peer discovery for the others
            await Task.WhenAll(cluster.Nodes.Select(n => n.StartAsync(timeout ?? TimeSpan.FromSeconds(180)))).ConfigureAwait(false);
            var status = await cluster.CtlAsync(cluster.Nodes[0], "cluster_status", "--formatter", "json").ConfigureAwait(false);
            foreach (var n in cluster.Nodes)
            {
                if (!status.Contains(n.NodeName, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"node {n.NodeName} did not join the cluster: {status}");
                }
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static void RequireInstalled()
    {
        if (!File.Exists(ServerScript) || !File.Exists(CtlScript))
        {
            throw new InvalidOperationException(
                $"RabbitMQ is not installed ({ServerScript} missing), and this test needs the real cluster. " +
                "Install it with: scripts/install-deps.sh (or: apt-get install -y rabbitmq-server).");
        }
    }

    /// <summary>
    /// Creates a virtual host: its own exchanges (amq.topic included), queues, bindings and permissions, so a
    /// test on it sees no other test's messages. Users are cluster-wide; what a user may do is per virtual host.
    /// </summary>
    public Task AddVirtualHostAsync(string name) => CtlAsync(Nodes.First(n => n.IsRunning), "add_vhost", name);

    /// <summary>Deletes a virtual host with its queues, and closes the connections to it.</summary>
    public Task DeleteVirtualHostAsync(string name) => CtlAsync(Nodes.First(n => n.IsRunning), "delete_vhost", name);

    /// <summary>
    /// Leaves the cluster whole after a test that killed or stopped nodes: starts each such node again with
    /// its data, then waits until every node is a running member of the cluster and every quorum queue of every
    /// virtual host has all its members online (the restarted node's replicas caught up with their leaders).
    /// Throws with what is still missing after <paramref name="timeout"/> (180 s unless given).
    /// </summary>
    public async Task RestoreAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(180);
        await Task.WhenAll(Nodes.Where(n => !n.IsRunning).Select(n => n.StartAsync(limit))).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            string? missing;
            try
            {
                missing = await MissingAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                missing = e.Message; // rabbitmqctl fails while a node is still booting
            }

            if (missing is null)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the RabbitMQ cluster was not whole {limit} after the restore began: {missing}");
            }

            await Task.Delay(500).ConfigureAwait(false);
        }
    }

    /// <summary>What keeps the cluster from being whole, or null: a node not running in it, a quorum queue member offline.</summary>
    private async Task<string?> MissingAsync()
    {
        var node = Nodes.First(n => n.IsRunning);
        using (var status = JsonDocument.Parse(await CtlAsync(node, "cluster_status", "--formatter", "json").ConfigureAwait(false)))
        {
            var running = status.RootElement.GetProperty("running_nodes").EnumerateArray().Select(n => n.GetString()).ToHashSet();
            var absent = Nodes.Where(n => !running.Contains(n.NodeName)).Select(n => n.NodeName).ToArray();
            if (absent.Length > 0)
            {
                return $"not running in the cluster: {string.Join(", ", absent)}";
            }
        }

        using var vhosts = JsonDocument.Parse(await CtlAsync(node, "list_vhosts", "name", "--formatter", "json").ConfigureAwait(false));
        foreach (var vhost in vhosts.RootElement.EnumerateArray().Select(v => v.GetProperty("name").GetString()!))
        {
            using var queues = JsonDocument.Parse(await CtlAsync(node, "list_queues", "-p", vhost, "name", "type", "members", "online", "--formatter", "json").ConfigureAwait(false));
            foreach (var q in queues.RootElement.EnumerateArray().Where(q => q.GetProperty("type").GetString() == "quorum"))
            {
                var members = q.GetProperty("members").EnumerateArray().Select(m => m.GetString()).ToHashSet();
                var online = q.GetProperty("online").EnumerateArray().Select(m => m.GetString()).ToHashSet();
                if (!members.IsSubsetOf(online))
                {
                    return $"quorum queue {q.GetProperty("name").GetString()} in {vhost}: members {string.Join(", ", members)}, online {string.Join(", ", online)}";
                }
            }
        }

        return null;
    }

    /// <summary>Runs rabbitmqctl against <paramref name="node"/>; throws with its output when it fails.</summary>
    public Task<string> CtlAsync(Node node, params string[] args) =>
        RunAsync(CtlScript, ["-n", node.NodeName, .. args]);

    /// <summary>Runs scripts/rabbitmq-provision.py (the operator's tool) against the first running node.</summary>
    public Task<string> ProvisionAsync(string stdin, params string[] args)
    {
        var node = Nodes.First(n => n.IsRunning);
        var script = Path.Combine(RepoRoot(), "scripts", "rabbitmq-provision.py");
        return RunAsync("python3", [script, "--node", node.NodeName, .. args], stdin);
    }

    private async Task<string> RunAsync(string file, string[] args, string? stdin = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in CtlEnvironment)
        {
            info.Environment[k] = v;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 120 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {await output.ConfigureAwait(false)}{await error.ConfigureAwait(false)}");
        }

        return await output.ConfigureAwait(false);
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "IoTMonitor.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("repository root (IoTMonitor.sln) not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        // stop all nodes together (one by one, the last ones wait for the quorum queues' leaders)
        await Task.WhenAll(Nodes.Select(n => Task.Run(n.Dispose))).ConfigureAwait(false);
        _epmd.Dispose();
    }

    /// <summary>One node: its ports, and stop / kill -9 / start of its process.</summary>
    public sealed class Node : ServerProcess
    {
        private readonly RabbitMqCluster _cluster;

        internal Node(RabbitMqCluster cluster, string nodeName, IReadOnlyList<string> allNodes)
            : base("rabbitmq")
        {
            _cluster = cluster;
            NodeName = nodeName;
            AmqpPort = FreePort.Next();
            MqttPort = FreePort.Next();
            DistPort = FreePort.Next();
            var peers = string.Join('\n', allNodes.Select((n, i) => $"cluster_formation.classic_config.nodes.{i + 1} = {n}"));
            File.WriteAllText(ConfigPath, $"""
                listeners.tcp.default = 127.0.0.1:{AmqpPort}
                mqtt.listeners.tcp.default = 127.0.0.1:{MqttPort}
                mqtt.allow_anonymous = false
                mqtt.vhost = /
                mqtt.exchange = amq.topic
                mqtt.durable_queue_type = quorum
                cluster_formation.peer_discovery_backend = classic_config
                {peers}
                loopback_users = none
                log.console = true
                log.console.level = warning
                log.file = false
                """);
        }

        public string NodeName { get; }

        public int AmqpPort { get; }

        public int MqttPort { get; }

        public int DistPort { get; }

        private string ConfigPath => Path.Combine(DataDir, "rabbitmq.conf");

        protected override ProcessStartInfo CreateStartInfo()
        {
            var info = new ProcessStartInfo(ServerScript);
            var env = info.Environment;
            env["HOME"] = _cluster.Home;
            env["ERL_EPMD_PORT"] = _cluster.EpmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            env["RABBITMQ_NODENAME"] = NodeName;
            env["RABBITMQ_USE_LONGNAME"] = "false";
            env["RABBITMQ_DIST_PORT"] = DistPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            env["RABBITMQ_CONFIG_FILE"] = ConfigPath;
            env["RABBITMQ_MNESIA_BASE"] = Path.Combine(DataDir, "mnesia");
            env["RABBITMQ_LOG_BASE"] = Path.Combine(DataDir, "log");
            env["RABBITMQ_PID_FILE"] = Path.Combine(DataDir, "pid");
            env["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(DataDir, "enabled_plugins");
            env["RABBITMQ_ENABLED_PLUGINS"] = "rabbitmq_mqtt,rabbitmq_consistent_hash_exchange";
            env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
            // the script then execs the VM instead of waiting on it in a shell, so Kill() is kill -9 of the node
            env["RUNNING_UNDER_SYSTEMD"] = "true";
            return info;
        }

        protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken) =>
            await Listening(AmqpPort, cancellationToken).ConfigureAwait(false) && await Listening(MqttPort, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> Listening(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The cluster's own Erlang port mapper, on a free loopback port instead of the host-wide 4369.</summary>
    private sealed class Epmd : ServerProcess
    {
        public Epmd()
            : base("epmd")
        {
            Port = FreePort.Next();
        }

        public int Port { get; }

        protected override ProcessStartInfo CreateStartInfo()
        {
            var info = new ProcessStartInfo(ServerBinary.Find("epmd", "erlang-base"), $"-port {Port} -address 127.0.0.1");
            info.Environment["HOME"] = DataDir;
            return info;
        }

        protected override Task<bool> IsReadyAsync(CancellationToken cancellationToken) => Listening(Port, cancellationToken);
    }
}
