using IoTMonitor.Gateway.State;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace IoTMonitor.Gateway.Accounting;

/// <summary>
/// The device ledgers in PostgreSQL (table <c>device_ledger</c> of
/// <see cref="State.Migrations.GatewayStoresSchema"/>), joined across replicas. Each replica counts the
/// readings it receives in memory, as with SQLite; every flush interval it
/// <list type="number">
/// <item>pushes each changed ledger: in one transaction, rows locked <c>FOR UPDATE</c> in (site, device)
///   order so two replicas cannot deadlock, it joins its state into the row (<see cref="LedgerMerge"/>:
///   gaps only where neither saw the number, its new readings added once) and takes the joined state
///   back into memory;</item>
/// <item>pulls the rows other replicas changed since its last pull, and joins them the same way.</item>
/// </list>
/// Rows carry the id of the transaction that wrote them; a pull asks for ids from the oldest
/// transaction still running at the previous pull on (<c>pg_snapshot_xmin</c>), so a write that
/// commits late is still pulled. A gap seen on one replica and filled on the other is closed on both
/// within two flush intervals.
/// </summary>
public sealed class PostgresLedgerStore(PostgresState state, ILogger log) : ILedgerStore
{
    private const string Columns = "site, device, last_seen, boot, highest, duplicates, readings, battery, rssi, dropped, gaps";

    private readonly Dictionary<(string, string), long> _written = new();
    private readonly Dictionary<(string, string), (long Readings, long Duplicates)> _accounted = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private Ledger? _ledger;
    private long _pulledFrom;
    private long _flushes;
    private System.Diagnostics.Stopwatch? _failingSince;
    private int _disposeOnce;

    public long Flushes => Interlocked.Read(ref _flushes);

    public void Start(Ledger ledger, TimeSpan flushInterval)
    {
        _ledger = ledger;
        lock (_written)
        {
            Pull(restore: true);
        }

        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(flushInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    Flush();
                }
            }
            catch (OperationCanceledException)
            {
                // stopping: DisposeAsync flushes once more
            }
        });
    }

    public void Flush()
    {
        if (_ledger is null)
        {
            return;
        }

        lock (_written)
        {
            try
            {
                Push();
                Pull(restore: false);
                Interlocked.Increment(ref _flushes);
                if (_failingSince is { } since)
                {
                    _failingSince = null;
                    log.LogWarning("Device ledgers stored in PostgreSQL again after {Seconds:0.0} s", since.Elapsed.TotalSeconds);
                }
            }
            catch (NpgsqlException e)
            {
                // the next flush pushes the same ledgers again (nothing was taken as written); counts in memory stay right meanwhile.
                // Once per outage: a restart of PostgreSQL fails every flush until it is back.
                if (_failingSince is null)
                {
                    _failingSince = System.Diagnostics.Stopwatch.StartNew();
                    if (PostgresOutage.Is(e))
                    {
                        log.LogWarning("Could not store the device ledgers in PostgreSQL ({Error}); kept in memory and stored when it is back", e.Message);
                    }
                    else
                    {
                        log.LogWarning(e, "Could not store the device ledgers in PostgreSQL");
                    }
                }
            }
        }
    }

    private void Push()
    {
        var changed = new List<(DeviceLedger Device, DeviceLedgerState State, long Version)>();
        foreach (var device in _ledger!.Devices)
        {
            if (_written.TryGetValue((device.Site, device.Device), out var written) && written == device.Version)
            {
                continue;
            }

            var (s, version) = device.Snapshot();
            changed.Add((device, s, version));
        }

        if (changed.Count == 0)
        {
            return;
        }

        changed.Sort((x, y) => string.CompareOrdinal(x.State.Site, y.State.Site) is var c && c != 0 ? c : string.CompareOrdinal(x.State.Device, y.State.Device));
        var joined = new List<(DeviceLedger Device, DeviceLedgerState Snapshot, DeviceLedgerState Joined, long Version)>();
        using (var connection = state.DataSource.OpenConnection())
        using (var tx = connection.BeginTransaction())
        {
            foreach (var (device, snapshot, version) in changed)
            {
                var accounted = _accounted.GetValueOrDefault((snapshot.Site, snapshot.Device));
                var row = LockRow(connection, tx, snapshot.Site, snapshot.Device);
                var next = row is null
                    ? snapshot with { Readings = snapshot.Readings - accounted.Readings, Duplicates = snapshot.Duplicates - accounted.Duplicates }
                    : LedgerMerge.Combine(row, snapshot, accounted.Readings, accounted.Duplicates);
                Write(connection, tx, next);
                joined.Add((device, snapshot, next, version));
            }

            tx.Commit();
        }

        foreach (var (device, snapshot, next, version) in joined)
        {
            // what this replica observed after its snapshot stays; the snapshot's counts are in the row now
            device.Merge(next, snapshot.Readings, snapshot.Duplicates);
            _accounted[(next.Site, next.Device)] = (next.Readings, next.Duplicates);
            _written[(next.Site, next.Device)] = version;
        }
    }

    /// <summary>The row locked for this transaction; a row another replica inserts meanwhile is waited for and locked.</summary>
    private static DeviceLedgerState? LockRow(NpgsqlConnection connection, NpgsqlTransaction tx, string site, string device)
    {
        using (var insert = new NpgsqlCommand(
            $"INSERT INTO device_ledger ({Columns}, changed_xid) VALUES ($1, $2, 0, -1, 0, 0, 0, 0, 0, 0, '', 0) ON CONFLICT (site, device) DO NOTHING", connection, tx))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = site });
            insert.Parameters.Add(new NpgsqlParameter { Value = device });
            if (insert.ExecuteNonQuery() == 1)
            {
                return null; // new: this transaction holds it, nobody has counted anything into it
            }
        }

        using var select = new NpgsqlCommand($"SELECT {Columns} FROM device_ledger WHERE site = $1 AND device = $2 FOR UPDATE", connection, tx);
        select.Parameters.Add(new NpgsqlParameter { Value = site });
        select.Parameters.Add(new NpgsqlParameter { Value = device });
        using var r = select.ExecuteReader();
        r.Read();
        return ReadState(r);
    }

    private static void Write(NpgsqlConnection connection, NpgsqlTransaction tx, DeviceLedgerState s)
    {
        using var cmd = new NpgsqlCommand(
            """
            UPDATE device_ledger SET last_seen = $3, boot = $4, highest = $5, duplicates = $6, readings = $7, battery = $8, rssi = $9,
              dropped = $10, gaps = $11, changed_xid = pg_current_xact_id()::text::bigint
            WHERE site = $1 AND device = $2
            """, connection, tx);
        foreach (var value in new object[] { s.Site, s.Device, s.LastSeen.ToUnixTimeMilliseconds(), s.Boot, s.HighestSequence, s.Duplicates, s.Readings, s.Battery, s.Rssi, s.DroppedByDevice, LedgerGapText.Format(s.Gaps) })
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        cmd.ExecuteNonQuery();
    }

    /// <summary>Rows changed since the last pull (all of them at start), joined into the ledgers in memory.</summary>
    private void Pull(bool restore)
    {
        using var connection = state.DataSource.OpenConnection();
        using var tx = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        long xmin;
        using (var snapshot = new NpgsqlCommand("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint", connection, tx))
        {
            xmin = (long)snapshot.ExecuteScalar()!;
        }

        using (var cmd = new NpgsqlCommand($"SELECT {Columns} FROM device_ledger WHERE changed_xid >= $1", connection, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = _pulledFrom });
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var row = ReadState(r);
                var key = (row.Site, row.Device);
                var device = _ledger!.For(row.Site, row.Device);
                if (restore)
                {
                    device.Restore(row);
                    _written[key] = device.Version;
                }
                else
                {
                    // a ledger this pull creates has nothing of its own to push; one that already counted readings here
                    // keeps them unpushed (taking its version as written lost a replica's whole half when its readings
                    // came between a flush's push and its pull, and none after)
                    var fresh = device.Version == 0;
                    var accounted = _accounted.GetValueOrDefault(key);
                    device.Merge(row, accounted.Readings, accounted.Duplicates);
                    if (fresh)
                    {
                        _written.TryAdd(key, 0);
                    }
                }

                _accounted[key] = (row.Readings, row.Duplicates);
            }
        }

        tx.Commit();
        _pulledFrom = xmin;
    }

    private static DeviceLedgerState ReadState(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetInt64(3), r.GetInt64(4),
        r.GetInt64(5), r.GetInt64(6), r.GetDouble(7), r.GetInt64(8), r.GetInt64(9), LedgerGapText.Parse(r.GetString(10)));

    public async ValueTask DisposeAsync()
    {
        // the lifecycle stops it, then the container disposes it again
        if (Interlocked.Exchange(ref _disposeOnce, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Flush();
        _stop.Dispose();
    }
}
