using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace IoTMonitor.Testing;

/// <summary>
/// A real PostgreSQL (Debian's package, 15 here) as a temporary cluster: <c>initdb</c> into the temp
/// dir, <c>postgres</c> on a free port listening on 127.0.0.1 only, its Unix socket in the temp dir
/// (not /var/run/postgresql), trust authentication for loopback connections only. Keeps its data
/// across <see cref="ServerProcess.Stop"/> and <see cref="ServerProcess.StartAsync"/>.
/// PostgreSQL refuses to run as root, so under root (CI) both programs run as the <c>postgres</c>
/// account the Debian package creates, through <c>setpriv</c> (which execs, so the process we
/// signal is postgres itself).
/// </summary>
public sealed class PostgresServer : ServerProcess
{
    private const string Package = "postgresql";
    private static int _databases;

    public PostgresServer()
        : base("postgres")
    {
        Port = FreePort.Next();
        ClusterDir = Path.Combine(DataDir, "cluster");
        InitCluster();
    }

    public int Port { get; }

    /// <summary>The cluster's data directory (inside <see cref="ServerProcess.DataDir"/>).</summary>
    public string ClusterDir { get; }

    /// <summary>Connection string of the maintenance database <c>postgres</c> as the superuser.</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        Pooling = false,

        // unpooled, every open forks a backend; with the whole suite's assemblies running at once a connect
        // took over 5 s (a clean-clone run). A server that is down refuses at once, so this only waits on a slow one.
        Timeout = 30,
    }.ConnectionString;

    public static async Task<PostgresServer> StartNewAsync()
    {
        var server = new PostgresServer();
        try
        {
            await server.StartAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? prefix = null)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{prefix ?? "test"}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..12]}").ToLowerInvariant();
        await ExecuteAsync(AdminConnectionString, $"CREATE DATABASE \"{name}\"").ConfigureAwait(false);
        return ConnectionString(name);
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync().ConfigureAwait(false);
    }

    protected override ProcessStartInfo CreateStartInfo()
    {
        // every setting on the command line, so the cluster's own postgresql.conf cannot widen them
        var info = AsServerAccount(Binary("postgres"));
        foreach (var arg in new[]
        {
            "-D", ClusterDir, "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", $"unix_socket_directories={DataDir}",
            "-c", "logging_collector=off",
            "-c", "log_min_messages=warning",
        })
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>
    /// SIGINT, "Fast Shutdown": PostgreSQL ends open sessions and stops at once. Its SIGTERM is "Smart
    /// Shutdown", which waits for every client, e.g. a pool a test left open, to disconnect.
    /// </summary>
    protected override int StopSignal => 2;

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NpgsqlException)
        {
            // not listening yet, or "the database system is starting up" (57P03)
            return false;
        }
    }

    private void InitCluster()
    {
        if (IsRoot)
        {
            GrantTraverse(DataDir);
            Chown(DataDir);
        }

        var info = AsServerAccount(Binary("initdb"));
        foreach (var arg in new[]
        {
            "-D", ClusterDir, "-U", "postgres", "-E", "UTF8", "--locale=C",
            "--auth-local=trust", "--auth-host=trust", "--no-sync", "--no-instructions",
        })
        {
            info.ArgumentList.Add(arg);
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("initdb did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("initdb did not finish within 120 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed with exit code {process.ExitCode}:\n{output.Result}\n{error.Result}");
        }

        // trust only on the Unix socket (inside our temp dir) and 127.0.0.1; initdb's default file
        // would also trust ::1 and replication connections
        File.WriteAllText(Path.Combine(ClusterDir, "pg_hba.conf"), """
            # TYPE  DATABASE  USER  ADDRESS       METHOD
            local   all       all                 trust
            host    all       all   127.0.0.1/32  trust
            """);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static ProcessStartInfo AsServerAccount(string binary)
    {
        if (!IsRoot)
        {
            return new ProcessStartInfo(binary);
        }

        var info = new ProcessStartInfo(ServerBinary.Find("setpriv", "util-linux"));
        foreach (var arg in new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", "--", binary })
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>
    /// The server account must reach its directory: a parent made by <c>mktemp -d</c> (mode 0700, e.g.
    /// scripts/test.sh's run directory in TMPDIR) gets search permission for others, nothing more (no listing).
    /// </summary>
    private static void GrantTraverse(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        for (var parent = Directory.GetParent(dir); parent is not null; parent = parent.Parent)
        {
            var mode = File.GetUnixFileMode(parent.FullName);
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
            {
                File.SetUnixFileMode(parent.FullName, mode | UnixFileMode.OtherExecute);
            }
        }
    }

    private static void Chown(string dir)
    {
        using var chown = Process.Start(new ProcessStartInfo("chown", ["postgres:postgres", dir]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("chown did not start");
        chown.WaitForExit(10_000);
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"could not give {dir} to the 'postgres' account (PostgreSQL does not run as root); " +
                $"install it with: scripts/install-deps.sh (or: apt-get install -y {Package}).");
        }
    }

    /// <summary>Debian keeps the server programs in /usr/lib/postgresql/&lt;major&gt;/bin, off PATH; the newest wins.</summary>
    private static string Binary(string name)
    {
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var found = Directory.GetDirectories(root)
                .Select(d => (Major: int.TryParse(Path.GetFileName(d), out var m) ? m : -1, Path: Path.Combine(d, "bin", name)))
                .Where(c => c.Major > 0 && File.Exists(c.Path))
                .OrderByDescending(c => c.Major)
                .Select(c => c.Path)
                .FirstOrDefault();
            if (found is not null)
            {
                return found;
            }
        }

        return ServerBinary.Find(name, Package);
    }
}
