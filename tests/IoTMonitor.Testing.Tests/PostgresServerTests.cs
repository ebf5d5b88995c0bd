using System.Diagnostics;

namespace IoTMonitor.Testing.Tests;

public sealed class PostgresServerTests
{
    [Fact]
    public async Task Runs_sql_in_a_database_of_its_own()
    {
        using var postgres = await PostgresServer.StartNewAsync();
        var db = await postgres.CreateDatabaseAsync("fixture");

        await PostgresServer.ExecuteAsync(db, "CREATE TABLE site (id text PRIMARY KEY, ph numeric); INSERT INTO site VALUES ('yellow-river-01', 7.25), ('yellow-river-02', 7.31)");

        Assert.Equal(2L, await PostgresServer.ScalarAsync(db, "SELECT count(*) FROM site"));
        Assert.Equal(7.31m, await PostgresServer.ScalarAsync(db, "SELECT ph FROM site WHERE id = 'yellow-river-02'"));
        var version = (string)(await PostgresServer.ScalarAsync(db, "SHOW server_version"))!;
        Assert.Matches(@"^\d+\.\d+", version);
        var other = await postgres.CreateDatabaseAsync("fixture");
        Assert.NotEqual(db, other);
        Assert.Equal(0L, await PostgresServer.ScalarAsync(other, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'site'"));
    }

    [Fact]
    public async Task Listens_on_127_0_0_1_only_with_its_socket_in_the_temp_dir()
    {
        using var postgres = await PostgresServer.StartNewAsync();

        Assert.Equal("127.0.0.1", await PostgresServer.ScalarAsync(postgres.AdminConnectionString, "SHOW listen_addresses"));
        Assert.Equal(postgres.DataDir, await PostgresServer.ScalarAsync(postgres.AdminConnectionString, "SHOW unix_socket_directories"));
        Assert.True(File.Exists(Path.Combine(postgres.DataDir, $".s.PGSQL.{postgres.Port}")), "no Unix socket in the temp dir");

        // what the kernel says: every listening TCP socket on the port is bound to 127.0.0.1
        var listeners = Ss($"-ltnH sport = :{postgres.Port}");
        Assert.NotEmpty(listeners);
        Assert.All(listeners, line => Assert.Contains($"127.0.0.1:{postgres.Port}", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keeps_its_data_across_a_stop_and_start_and_leaves_nothing_behind()
    {
        var postgres = await PostgresServer.StartNewAsync();
        var dataDir = postgres.DataDir;
        try
        {
            var db = await postgres.CreateDatabaseAsync();
            await PostgresServer.ExecuteAsync(db, "CREATE TABLE k (v int); INSERT INTO k VALUES (42)");
            var pid = postgres.Pid!.Value;

            postgres.Stop();
            Assert.False(InfluxDbServerTests.IsAlive(pid), "postgres still running after Stop");
            Assert.False(FreePort.IsListening(postgres.Port));

            await postgres.StartAsync();
            Assert.Equal(42, await PostgresServer.ScalarAsync(db, "SELECT v FROM k"));
        }
        finally
        {
            var pid = postgres.Pid;
            postgres.Dispose();
            if (pid is not null)
            {
                Assert.False(InfluxDbServerTests.IsAlive(pid.Value), "postgres still running after Dispose");
            }
        }

        Assert.False(Directory.Exists(dataDir), "temporary data dir left behind");
    }

    private static List<string> Ss(string args)
    {
        using var ss = Process.Start(new ProcessStartInfo(ServerBinary.Find("ss", "iproute2"), args) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        Assert.Equal(0, ss.ExitCode);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
