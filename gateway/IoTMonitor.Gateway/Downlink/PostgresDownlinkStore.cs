using System.Text.Json.Nodes;
using IoTMonitor.Gateway.State;
using Npgsql;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>
/// Desired remote configs, their acks, and the command history in PostgreSQL (tables
/// <c>downlink_config</c>, <c>downlink_commands</c> of <see cref="State.Migrations.GatewayStoresSchema"/>),
/// shared by every replica: a config set or a command sent through one is matched when its ack reaches
/// another. Every read-then-write runs in one transaction that holds the row: a new revision under a
/// per-device advisory lock (two replicas setting a config at once get revisions n+1 and n+2, never
/// n+1 twice), an ack with the row locked <c>FOR UPDATE</c> (two deliveries of one ack on two replicas
/// record it once, the other is a Duplicate). Command ids come from an identity column, unique across replicas.
/// </summary>
public sealed class PostgresDownlinkStore(PostgresState state) : IDownlinkStore
{
    private const string Select = "SELECT seq, device, site, cmd, args, requested_by, requested_at, expires_at, state, err, acked_at FROM downlink_commands";

    public DeviceConfigStatus ConfigOf(string device)
    {
        using var connection = state.DataSource.OpenConnection();
        return Read(connection, null, device, forUpdate: false);
    }

    public IReadOnlyList<(DesiredConfig Config, string Site)> AllDesired(Func<string, string?> siteOf)
    {
        var list = new List<(DesiredConfig, string)>();
        using var cmd = state.DataSource.CreateCommand("SELECT device, rev, config, set_by, set_at FROM downlink_config ORDER BY device COLLATE \"C\"");
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var desired = new DesiredConfig(r.GetString(0), r.GetInt64(1), (JsonObject)JsonNode.Parse(r.GetString(2))!, r.GetString(3), At(r.GetInt64(4)));
            if (siteOf(desired.Device) is { } site)
            {
                list.Add((desired, site));
            }
        }

        return list;
    }

    public DesiredConfig? SetConfig(string device, Func<JsonObject, (JsonObject? Next, string? Error)> change, string by, DateTimeOffset now, out string? error)
    {
        using var connection = state.DataSource.OpenConnection();
        using var tx = connection.BeginTransaction();
        using (var lockRow = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('downlink_config:' || $1, 0))", connection, tx))
        {
            lockRow.Parameters.Add(new NpgsqlParameter { Value = device });
            lockRow.ExecuteNonQuery();
        }

        var current = Read(connection, tx, device, forUpdate: false);
        var (next, err) = change(current.Desired?.Config ?? new JsonObject());
        error = err;
        if (next is null)
        {
            return null;
        }

        var desired = new DesiredConfig(device, (current.Desired?.Rev ?? 0) + 1, next, by, now);
        using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO downlink_config (device, rev, config, set_by, set_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (device) DO UPDATE SET rev = excluded.rev, config = excluded.config, set_by = excluded.set_by, set_at = excluded.set_at
            """, connection, tx))
        {
            Add(cmd, device, desired.Rev, next.ToJsonString(), by, now.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
        return desired;
    }

    public AckOutcome RecordConfigAck(string device, long rev, bool ok, int err, DateTimeOffset now)
    {
        using var connection = state.DataSource.OpenConnection();
        using var tx = connection.BeginTransaction();
        var current = Read(connection, tx, device, forUpdate: true);
        if (current.Desired is null || rev < 1 || rev > current.Desired.Rev)
        {
            return AckOutcome.Unknown;
        }

        if (current.Acked is { } last && rev < last.Rev)
        {
            return AckOutcome.Duplicate; // a late answer to an older revision: the newer one stands
        }

        using (var cmd = new NpgsqlCommand("UPDATE downlink_config SET ack_rev = $2, ack_ok = $3, ack_err = $4, ack_at = $5 WHERE device = $1", connection, tx))
        {
            Add(cmd, device, rev, ok, err, now.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
        return AckOutcome.Recorded;
    }

    public CommandRecord AddCommand(string device, string site, CommandRequest request, string by, DateTimeOffset now, TimeSpan expiry)
    {
        var args = request.Arguments();
        using var cmd = state.DataSource.CreateCommand(
            """
            INSERT INTO downlink_commands (device, site, cmd, args, requested_by, requested_at, expires_at, state)
            VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued') RETURNING seq
            """);
        Add(cmd, device, site, request.Cmd, args.ToJsonString(), by, now.ToUnixTimeMilliseconds(), (now + expiry).ToUnixTimeMilliseconds());
        var seq = (long)cmd.ExecuteScalar()!;
        return new CommandRecord(CommandRecord.IdOf(seq), device, site, request.Cmd, args, by, now, now + expiry, CommandState.Queued, null, null);
    }

    public void MarkUnsent(string id)
    {
        using var cmd = state.DataSource.CreateCommand("UPDATE downlink_commands SET state = 'unsent' WHERE seq = $1 AND state = 'queued'");
        Add(cmd, CommandRecord.SeqOf(id));
        cmd.ExecuteNonQuery();
    }

    public AckOutcome RecordCommandAck(string device, string? id, bool ok, int err, DateTimeOffset now)
    {
        var seq = CommandRecord.SeqOf(id);
        using var connection = state.DataSource.OpenConnection();
        using var tx = connection.BeginTransaction();
        using (var find = new NpgsqlCommand("SELECT state FROM downlink_commands WHERE seq = $1 AND device = $2 FOR UPDATE", connection, tx))
        {
            Add(find, seq, device);
            var found = find.ExecuteScalar() as string;
            if (found is null)
            {
                return AckOutcome.Unknown;
            }

            if (found is "acked" or "failed")
            {
                return AckOutcome.Duplicate;
            }
        }

        using (var cmd = new NpgsqlCommand("UPDATE downlink_commands SET state = $2, err = $3, acked_at = $4 WHERE seq = $1", connection, tx))
        {
            Add(cmd, seq, ok ? "acked" : "failed", err, now.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
        return AckOutcome.Recorded;
    }

    public IReadOnlyList<CommandRecord> Commands(string device, int limit, DateTimeOffset now)
    {
        Expire(now);
        using var cmd = state.DataSource.CreateCommand(Select + " WHERE device = $1 ORDER BY seq DESC LIMIT $2");
        Add(cmd, device, limit);
        return CommandRows.Read(cmd);
    }

    public CommandRecord? Command(string device, string id, DateTimeOffset now)
    {
        Expire(now);
        using var cmd = state.DataSource.CreateCommand(Select + " WHERE device = $1 AND seq = $2");
        Add(cmd, device, CommandRecord.SeqOf(id));
        return CommandRows.Read(cmd).FirstOrDefault();
    }

    /// <summary>One statement: an ack committed first keeps its row out (the expiry re-checks <c>state</c> after the row lock).</summary>
    private void Expire(DateTimeOffset now)
    {
        using var cmd = state.DataSource.CreateCommand("UPDATE downlink_commands SET state = 'expired' WHERE state = 'queued' AND expires_at <= $1");
        Add(cmd, now.ToUnixTimeMilliseconds());
        cmd.ExecuteNonQuery();
    }


    private static DeviceConfigStatus Read(NpgsqlConnection connection, NpgsqlTransaction? tx, string device, bool forUpdate)
    {
        using var cmd = new NpgsqlCommand("SELECT rev, config, set_by, set_at, ack_rev, ack_ok, ack_err, ack_at FROM downlink_config WHERE device = $1" + (forUpdate ? " FOR UPDATE" : string.Empty), connection, tx);
        Add(cmd, device);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return new DeviceConfigStatus(device, null, null);
        }

        var desired = new DesiredConfig(device, r.GetInt64(0), (JsonObject)JsonNode.Parse(r.GetString(1))!, r.GetString(2), At(r.GetInt64(3)));
        var acked = r.IsDBNull(4) ? null : new ConfigAck(r.GetInt64(4), r.GetBoolean(5), r.GetInt32(6), At(r.GetInt64(7)));
        return new DeviceConfigStatus(device, desired, acked);
    }

    private static void Add(NpgsqlCommand cmd, params object[] values)
    {
        foreach (var value in values)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        }
    }

    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
