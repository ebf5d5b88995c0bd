using IoTMonitor.Gateway.State;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace IoTMonitor.Gateway.Tests.State;

/// <summary>The schema steps on a real PostgreSQL: applied once, in order, each whole or not at all.</summary>
public sealed class PostgresMigrations_Tests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly (int, string, string)[] TwoSteps =
    [
        (1, "sites", "CREATE TABLE site (id text PRIMARY KEY)"),
        (2, "site names", "ALTER TABLE site ADD COLUMN name text NOT NULL DEFAULT ''"),
    ];

    [Fact]
    public async Task A_fresh_database_gets_every_step_and_a_restart_applies_none_again()
    {
        var db = await postgres.Server.CreateDatabaseAsync("migrate");

        using (var first = Open(db))
        {
            Assert.Equal(PostgresMigrations.Latest, first.SchemaVersion);
        }

        await PostgresServer.ExecuteAsync(db, "INSERT INTO api_keys (id, name, role, hash, created) VALUES ('aaaaaaaaaaaa', 'kept', 0, '\\x00', 0)");
        using (var second = Open(db))
        {
            Assert.Equal(PostgresMigrations.Latest, second.SchemaVersion);
        }

        Assert.Equal((long)PostgresMigrations.Steps.Count, await PostgresServer.ScalarAsync(db, "SELECT count(*) FROM schema_version"));
        Assert.Equal((long)PostgresMigrations.Latest, Convert.ToInt64(await PostgresServer.ScalarAsync(db, "SELECT max(version) FROM schema_version")));
        Assert.Equal("kept", await PostgresServer.ScalarAsync(db, "SELECT name FROM api_keys"));
    }

    [Fact]
    public async Task A_later_step_is_applied_on_top_of_an_older_schema()
    {
        var db = await postgres.Server.CreateDatabaseAsync("migrate");
        using (var v1 = Open(db, TwoSteps[..1]))
        {
            Assert.Equal(1, v1.SchemaVersion);
        }

        await PostgresServer.ExecuteAsync(db, "INSERT INTO site VALUES ('yellow-river-01')");
        using var v2 = Open(db, TwoSteps);

        Assert.Equal(2, v2.SchemaVersion);
        Assert.Equal(string.Empty, await PostgresServer.ScalarAsync(db, "SELECT name FROM site"));
        Assert.Equal(2L, await PostgresServer.ScalarAsync(db, "SELECT count(*) FROM schema_version"));
    }

    [Fact]
    public async Task A_schema_newer_than_the_code_stops_the_start_with_a_clear_error()
    {
        var db = await postgres.Server.CreateDatabaseAsync("migrate");
        Open(db, TwoSteps).Dispose();

        var e = Assert.Throws<InvalidOperationException>(() => Open(db, TwoSteps[..1]));

        Assert.Contains("schema version 2, newer than this gateway knows (1)", e.Message, StringComparison.Ordinal);
        Assert.Contains("State:ConnectionString", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_step_leaves_no_trace_and_the_earlier_steps_stay()
    {
        var db = await postgres.Server.CreateDatabaseAsync("migrate");
        (int, string, string)[] broken = [TwoSteps[0], (2, "half done", "CREATE TABLE half (id int); SELECT no_such_function()")];

        Assert.Throws<PostgresException>(() => Open(db, broken));

        Assert.Equal(1, await PostgresServer.ScalarAsync(db, "SELECT max(version) FROM schema_version"));
        Assert.Equal(0L, await PostgresServer.ScalarAsync(db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'half'"));
        using var fixedUp = Open(db, TwoSteps);
        Assert.Equal(2, fixedUp.SchemaVersion);
    }

    [Fact]
    public async Task Replicas_starting_together_apply_each_step_once()
    {
        var db = await postgres.Server.CreateDatabaseAsync("migrate");

        var states = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Open(db, TwoSteps))));

        Assert.All(states, s => Assert.Equal(2, s.SchemaVersion));
        Assert.Equal(2L, await PostgresServer.ScalarAsync(db, "SELECT count(*) FROM schema_version"));
        foreach (var s in states)
        {
            s.Dispose();
        }
    }

    [Fact]
    public void A_server_that_does_not_answer_is_named_in_the_error()
    {
        var port = FreePort.Next(); // free: nothing listens there
        var e = Assert.Throws<InvalidOperationException>(() => Open($"Host=127.0.0.1;Port={port};Database=iotmonitor;Username=x;Password=secret-pw;Timeout=3"));

        Assert.Contains($"State:ConnectionString: cannot reach PostgreSQL at 127.0.0.1:{port}, database 'iotmonitor'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Database=x;Colour=blue", "State:ConnectionString is not a valid PostgreSQL connection string")]
    [InlineData("Database=x", "State:ConnectionString must name the server (Host=...)")]
    [InlineData("Host=127.0.0.1", "State:ConnectionString must name the database (Database=...)")]
    [InlineData(" ", "State:ConnectionString must be set when State:Provider is 'postgres'")]
    public void A_bad_connection_string_is_refused_naming_the_key(string connectionString, string message)
    {
        var errors = new StateOptions { Provider = "Postgres", ConnectionString = connectionString }.Validate().ToList();

        Assert.Contains(errors, e => e.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unpooled_connection_string_is_warned_about_at_start()
    {
        var db = await postgres.Server.CreateDatabaseAsync("migrate"); // the fixture's strings are unpooled
        var unpooled = new ListLogger();
        var pooled = new ListLogger();

        using (new PostgresState(db, PostgresMigrations.Steps, unpooled))
        using (new PostgresState(new NpgsqlConnectionStringBuilder(db) { Pooling = true }.ConnectionString, PostgresMigrations.Steps, pooled))
        {
        }

        Assert.Contains(unpooled.Lines(Microsoft.Extensions.Logging.LogLevel.Warning), l => l.Contains("Pooling=false", StringComparison.Ordinal));
        Assert.DoesNotContain(pooled.Lines(Microsoft.Extensions.Logging.LogLevel.Warning), l => l.Contains("Pooling", StringComparison.Ordinal));
    }

    private static PostgresState Open(string connectionString, IReadOnlyList<(int, string, string)>? steps = null) =>
        steps is null
            ? new PostgresState(new StateOptions { Provider = StateOptions.Postgres, ConnectionString = connectionString }, NullLogger<PostgresState>.Instance)
            : new PostgresState(connectionString, steps, NullLogger.Instance);
}
