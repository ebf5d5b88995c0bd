using System.Text.Json.Nodes;
using IoTMonitor.Gateway.Sqlite;
using Microsoft.Data.Sqlite;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>
/// Desired remote configs, their acks, and the command history, in SQLite (tables beside the
/// registry's in its database), for a single gateway: one lock orders every change.
/// </summary>
public sealed class SqliteDownlinkStore : IDownlinkStore, IDisposable
{
    private readonly object _gate = new();
    private readonly SqliteConnection _db;

    public SqliteDownlinkStore(string path)
    {
        _db = SqliteFile.Open(path);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            PRAGMA busy_timeout = 5000;
            CREATE TABLE IF NOT EXISTS downlink_config (
              device TEXT PRIMARY KEY, rev INTEGER NOT NULL, config TEXT NOT NULL,
              set_by TEXT NOT NULL, set_at INTEGER NOT NULL,
              ack_rev INTEGER, ack_ok INTEGER, ack_err INTEGER, ack_at INTEGER);
            CREATE TABLE IF NOT EXISTS downlink_commands (
              seq INTEGER PRIMARY KEY AUTOINCREMENT, device TEXT NOT NULL, site TEXT NOT NULL,
              cmd TEXT NOT NULL, args TEXT NOT NULL, requested_by TEXT NOT NULL,
              requested_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
              state TEXT NOT NULL, err INTEGER, acked_at INTEGER);
            CREATE INDEX IF NOT EXISTS downlink_commands_device ON downlink_commands (device, seq);
            """;
        cmd.ExecuteNonQuery();
    }

    public DeviceConfigStatus ConfigOf(string device)
    {
        lock (_gate)
        {
            return Read(device);
        }
    }

    public IReadOnlyList<(DesiredConfig Config, string Site)> AllDesired(Func<string, string?> siteOf)
    {
        var list = new List<(DesiredConfig, string)>();
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT device, rev, config, set_by, set_at FROM downlink_config ORDER BY device";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var desired = new DesiredConfig(r.GetString(0), r.GetInt64(1), (JsonObject)JsonNode.Parse(r.GetString(2))!, r.GetString(3), At(r.GetInt64(4)));
                if (siteOf(desired.Device) is { } site)
                {
                    list.Add((desired, site));
                }
            }
        }

        return list;
    }

    public DesiredConfig? SetConfig(string device, Func<JsonObject, (JsonObject? Next, string? Error)> change, string by, DateTimeOffset now, out string? error)
    {
        lock (_gate)
        {
            var current = Read(device);
            var (next, err) = change(current.Desired?.Config ?? new JsonObject());
            error = err;
            if (next is null)
            {
                return null;
            }

            var desired = new DesiredConfig(device, (current.Desired?.Rev ?? 0) + 1, next, by, now);
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO downlink_config (device, rev, config, set_by, set_at) VALUES ($d, $rev, $config, $by, $at)
                ON CONFLICT(device) DO UPDATE SET rev = excluded.rev, config = excluded.config, set_by = excluded.set_by, set_at = excluded.set_at
                """;
            cmd.Parameters.AddWithValue("$d", device);
            cmd.Parameters.AddWithValue("$rev", desired.Rev);
            cmd.Parameters.AddWithValue("$config", next.ToJsonString());
            cmd.Parameters.AddWithValue("$by", by);
            cmd.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
            return desired;
        }
    }

    public AckOutcome RecordConfigAck(string device, long rev, bool ok, int err, DateTimeOffset now)
    {
        lock (_gate)
        {
            var current = Read(device);
            if (current.Desired is null || rev < 1 || rev > current.Desired.Rev)
            {
                return AckOutcome.Unknown;
            }

            if (current.Acked is { } last && rev < last.Rev)
            {
                return AckOutcome.Duplicate; // a late answer to an older revision: the newer one stands
            }

            using var cmd = _db.CreateCommand();
            cmd.CommandText = "UPDATE downlink_config SET ack_rev = $rev, ack_ok = $ok, ack_err = $err, ack_at = $at WHERE device = $d";
            cmd.Parameters.AddWithValue("$d", device);
            cmd.Parameters.AddWithValue("$rev", rev);
            cmd.Parameters.AddWithValue("$ok", ok ? 1 : 0);
            cmd.Parameters.AddWithValue("$err", err);
            cmd.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
            return AckOutcome.Recorded;
        }
    }

    public CommandRecord AddCommand(string device, string site, CommandRequest request, string by, DateTimeOffset now, TimeSpan expiry)
    {
        var args = request.Arguments();
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO downlink_commands (device, site, cmd, args, requested_by, requested_at, expires_at, state)
                VALUES ($d, $site, $cmd, $args, $by, $at, $exp, 'queued') RETURNING seq
                """;
            cmd.Parameters.AddWithValue("$d", device);
            cmd.Parameters.AddWithValue("$site", site);
            cmd.Parameters.AddWithValue("$cmd", request.Cmd);
            cmd.Parameters.AddWithValue("$args", args.ToJsonString());
            cmd.Parameters.AddWithValue("$by", by);
            cmd.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$exp", (now + expiry).ToUnixTimeMilliseconds());
            var seq = (long)cmd.ExecuteScalar()!;
            return new CommandRecord(CommandRecord.IdOf(seq), device, site, request.Cmd, args, by, now, now + expiry, CommandState.Queued, null, null);
        }
    }

    public void MarkUnsent(string id)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "UPDATE downlink_commands SET state = 'unsent' WHERE seq = $seq AND state = 'queued'";
            cmd.Parameters.AddWithValue("$seq", CommandRecord.SeqOf(id));
            cmd.ExecuteNonQuery();
        }
    }

    public AckOutcome RecordCommandAck(string device, string? id, bool ok, int err, DateTimeOffset now)
    {
        var seq = CommandRecord.SeqOf(id);
        lock (_gate)
        {
            using var find = _db.CreateCommand();
            find.CommandText = "SELECT state FROM downlink_commands WHERE seq = $seq AND device = $d";
            find.Parameters.AddWithValue("$seq", seq);
            find.Parameters.AddWithValue("$d", device);
            if (find.ExecuteScalar() is not string state)
            {
                return AckOutcome.Unknown;
            }

            if (state is "acked" or "failed")
            {
                return AckOutcome.Duplicate;
            }

            using var cmd = _db.CreateCommand();
            cmd.CommandText = "UPDATE downlink_commands SET state = $state, err = $err, acked_at = $at WHERE seq = $seq";
            cmd.Parameters.AddWithValue("$seq", seq);
            cmd.Parameters.AddWithValue("$state", ok ? "acked" : "failed");
            cmd.Parameters.AddWithValue("$err", err);
            cmd.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
            return AckOutcome.Recorded;
        }
    }

    public IReadOnlyList<CommandRecord> Commands(string device, int limit, DateTimeOffset now)
    {
        lock (_gate)
        {
            Expire(now);
            using var cmd = _db.CreateCommand();
            cmd.CommandText = Select + " WHERE device = $d ORDER BY seq DESC LIMIT $limit";
            cmd.Parameters.AddWithValue("$d", device);
            cmd.Parameters.AddWithValue("$limit", limit);
            return CommandRows.Read(cmd);
        }
    }

    public CommandRecord? Command(string device, string id, DateTimeOffset now)
    {
        lock (_gate)
        {
            Expire(now);
            using var cmd = _db.CreateCommand();
            cmd.CommandText = Select + " WHERE device = $d AND seq = $seq";
            cmd.Parameters.AddWithValue("$d", device);
            cmd.Parameters.AddWithValue("$seq", CommandRecord.SeqOf(id));
            return CommandRows.Read(cmd).FirstOrDefault();
        }
    }

    private const string Select = "SELECT seq, device, site, cmd, args, requested_by, requested_at, expires_at, state, err, acked_at FROM downlink_commands";

    private void Expire(DateTimeOffset now)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "UPDATE downlink_commands SET state = 'expired' WHERE state = 'queued' AND expires_at <= $now";
        cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        cmd.ExecuteNonQuery();
    }


    private DeviceConfigStatus Read(string device)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT rev, config, set_by, set_at, ack_rev, ack_ok, ack_err, ack_at FROM downlink_config WHERE device = $d";
        cmd.Parameters.AddWithValue("$d", device);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return new DeviceConfigStatus(device, null, null);
        }

        var desired = new DesiredConfig(device, r.GetInt64(0), (JsonObject)JsonNode.Parse(r.GetString(1))!, r.GetString(2), At(r.GetInt64(3)));
        var acked = r.IsDBNull(4) ? null : new ConfigAck(r.GetInt64(4), r.GetInt64(5) != 0, r.GetInt32(6), At(r.GetInt64(7)));
        return new DeviceConfigStatus(device, desired, acked);
    }

    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public void Dispose() => _db.Dispose();
}
