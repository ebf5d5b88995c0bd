using Microsoft.Data.Sqlite;
using IoTMonitor.Gateway.Sqlite;

namespace IoTMonitor.Gateway.Forwarding;

/// <summary>
/// The outbox of one platform of any forwarding protocol in a SQLite file
/// <c>{protocol}-{platform}.db</c> in the data dir, for a single gateway. A packet is stored once under its identity
/// (<c>key</c>: e.g. real-time = device and sampling time; an aggregate = period and the hash of its
/// items), so the same data offered twice — an MQTT redelivery, a period aggregated again after a
/// restart — is not queued twice; the frame and its message id are fixed when stored, so a packet sent
/// again after an outage or restart is the same packet, not a new one. It also keeps, per site and
/// message kind, the start of the next period to aggregate and the periods late readings made dirty,
/// and named counters (SL 651 serial numbers). A frame is text: HJ 212 frames are ASCII, binary frames
/// are stored as hex. The column <c>cn</c> holds the message kind (named so for the files already deployed).
/// </summary>
public sealed class SqliteForwardingOutbox : IForwardingOutbox
{
    private const int Pending = 0;
    private const int Sent = 1;
    private const int Answered = 2;

    private readonly SqliteConnection _db;
    private readonly object _gate = new();
    private DateTimeOffset _lastStamp = DateTimeOffset.MinValue;

    public SqliteForwardingOutbox(string path)
    {
        _db = SqliteFile.Open(path);
        Exec("""
            CREATE TABLE IF NOT EXISTS packet(
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              key TEXT NOT NULL UNIQUE,
              cn TEXT NOT NULL,
              site TEXT NOT NULL,
              data_time INTEGER NOT NULL,
              qn TEXT NOT NULL,
              frame TEXT NOT NULL,
              state INTEGER NOT NULL DEFAULT 0,
              attempts INTEGER NOT NULL DEFAULT 0,
              created INTEGER NOT NULL,
              done INTEGER);
            CREATE INDEX IF NOT EXISTS packet_state ON packet(state, id);
            CREATE TABLE IF NOT EXISTS period(site TEXT NOT NULL, cn TEXT NOT NULL, next_start INTEGER NOT NULL, PRIMARY KEY(site, cn));
            CREATE TABLE IF NOT EXISTS dirty(site TEXT NOT NULL, cn TEXT NOT NULL, start INTEGER NOT NULL, due INTEGER NOT NULL, PRIMARY KEY(site, cn, start));
            CREATE TABLE IF NOT EXISTS counter(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """);
    }

    public bool Contains(string key)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT EXISTS(SELECT 1 FROM packet WHERE key = $k OR key = $k || '#1')";
            cmd.Parameters.AddWithValue("$k", key);
            return cmd.ExecuteScalar() is long v && v != 0;
        }
    }

    public int NextCounter(string name, int max)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO counter(name, value) VALUES ($n, 1) ON CONFLICT(name) DO UPDATE SET value = CASE WHEN value >= $max THEN 1 ELSE value + 1 END RETURNING value";
            cmd.Parameters.AddWithValue("$n", name);
            cmd.Parameters.AddWithValue("$max", max);
            return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>One gateway writes this file: the last time issued is kept in memory (a restart starts again from the clock).</summary>
    public bool AddStamped(string key, string kind, string site, long dataTime, Func<Func<DateTimeOffset>, IReadOnlyList<(string Qn, string Frame)>> compose, DateTimeOffset now)
    {
        lock (_gate)
        {
            var last = _lastStamp;
            var parts = compose(() => last = MessageTimes.After(last, now));
            if (parts.Count == 0 || !Add(key, kind, site, dataTime, parts, now))
            {
                return false;
            }

            _lastStamp = last;
            return true;
        }
    }

    public bool Add(string key, string kind, string site, long dataTime, IReadOnlyList<(string Qn, string Frame)> parts, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var tx = _db.BeginTransaction();
            using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR IGNORE INTO packet(key, cn, site, data_time, qn, frame, created) VALUES ($k, $cn, $s, $t, $qn, $f, $c)";
            var k = cmd.Parameters.Add("$k", SqliteType.Text);
            cmd.Parameters.AddWithValue("$cn", kind);
            cmd.Parameters.AddWithValue("$s", site);
            cmd.Parameters.AddWithValue("$t", dataTime);
            var qn = cmd.Parameters.Add("$qn", SqliteType.Text);
            var f = cmd.Parameters.Add("$f", SqliteType.Text);
            cmd.Parameters.AddWithValue("$c", now.ToUnixTimeMilliseconds());
            for (var i = 0; i < parts.Count; i++)
            {
                k.Value = parts.Count == 1 ? key : key + "#" + (i + 1);
                qn.Value = parts[i].Qn;
                f.Value = parts[i].Frame;
                if (cmd.ExecuteNonQuery() == 0)
                {
                    tx.Rollback();
                    return false;
                }
            }

            tx.Commit();
            return true;
        }
    }

    public List<ForwardingOutboxEntry> NextPending(int max)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, cn, site, qn, frame, attempts FROM packet WHERE state = 0 ORDER BY id LIMIT $n";
            cmd.Parameters.AddWithValue("$n", max);
            using var r = cmd.ExecuteReader();
            var list = new List<ForwardingOutboxEntry>();
            while (r.Read())
            {
                list.Add(new ForwardingOutboxEntry(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5)));
            }

            return list;
        }
    }

    public bool BeginAttempt(long id)
    {
        Update("UPDATE packet SET attempts = attempts + 1 WHERE id = $id", id, 0);
        return true; // one gateway: nobody else sends this outbox
    }

    public void MarkDone(long id, bool answered, DateTimeOffset now) => Update($"UPDATE packet SET state = {(answered ? Answered : Sent)}, done = $now WHERE id = $id AND state = 0", id, now.ToUnixTimeMilliseconds());

    public ForwardingOutboxCounts Counts()
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT (SELECT count(*) FROM packet WHERE state = 0), (SELECT count(*) FROM packet WHERE state = 1), (SELECT count(*) FROM packet WHERE state = 2), (SELECT min(created) FROM packet WHERE state = 0)";
            using var r = cmd.ExecuteReader();
            r.Read();
            return new ForwardingOutboxCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)));
        }
    }

    public int Prune(DateTimeOffset before)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM packet WHERE state <> 0 AND done < $before";
            cmd.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery();
        }
    }

    public long? NextPeriod(string site, string kind)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT next_start FROM period WHERE site = $s AND cn = $cn";
            cmd.Parameters.AddWithValue("$s", site);
            cmd.Parameters.AddWithValue("$cn", kind);
            return cmd.ExecuteScalar() is long v ? v : null;
        }
    }

    public void SetNextPeriod(string site, string kind, long nextStart)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO period(site, cn, next_start) VALUES ($s, $cn, $n) ON CONFLICT(site, cn) DO UPDATE SET next_start = excluded.next_start";
            cmd.Parameters.AddWithValue("$s", site);
            cmd.Parameters.AddWithValue("$cn", kind);
            cmd.Parameters.AddWithValue("$n", nextStart);
            cmd.ExecuteNonQuery();
        }
    }

    public void MarkDirty(string site, string kind, long start, long due)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO dirty(site, cn, start, due) VALUES ($s, $cn, $st, $d) ON CONFLICT(site, cn, start) DO UPDATE SET due = max(due, excluded.due)";
            cmd.Parameters.AddWithValue("$s", site);
            cmd.Parameters.AddWithValue("$cn", kind);
            cmd.Parameters.AddWithValue("$st", start);
            cmd.Parameters.AddWithValue("$d", due);
            cmd.ExecuteNonQuery();
        }
    }

    public List<(string Site, string Kind, long Start, long Due)> DueDirty(long now, int max)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT site, cn, start, due FROM dirty WHERE due <= $now ORDER BY start LIMIT $n";
            cmd.Parameters.AddWithValue("$now", now);
            cmd.Parameters.AddWithValue("$n", max);
            using var r = cmd.ExecuteReader();
            var list = new List<(string, string, long, long)>();
            while (r.Read())
            {
                list.Add((r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3)));
            }

            return list;
        }
    }

    public void ClearDirty(string site, string kind, long start, long dueSeen)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM dirty WHERE site = $s AND cn = $cn AND start = $st AND due <= $d";
            cmd.Parameters.AddWithValue("$s", site);
            cmd.Parameters.AddWithValue("$cn", kind);
            cmd.Parameters.AddWithValue("$st", start);
            cmd.Parameters.AddWithValue("$d", dueSeen);
            cmd.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _db.Dispose();
        }
    }

    private void Exec(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private void Update(string sql, long id, long now)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$now", now);
            cmd.ExecuteNonQuery();
        }
    }
}
