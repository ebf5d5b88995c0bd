using IoTMonitor.Gateway.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Accounting;

/// <summary>
/// Keeps the per-device ledgers (boot, highest sequence, gaps, counts) of a single gateway in their own
/// SQLite file so a restart does not forget which sequence numbers it has seen: without it every
/// device showed a false gap from 1 to its first sequence number after the restart.
/// <para>
/// Written behind the ingest path: every <c>flushInterval</c> the ledgers that changed are written
/// in one transaction, and once more at a clean stop. A gap still open at the stop stays open after
/// it. After a crash (SIGKILL, power cut) the last interval's changes are lost, so readings made
/// durable in that interval can show as a gap until they are re-sent (docs/gateway.md).
/// </para>
/// </summary>
public sealed class SqliteLedgerStore : ILedgerStore
{
    private readonly SqliteConnection _db;
    private readonly Dictionary<(string, string), long> _written = new();
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private Ledger? _ledger;
    private long _flushes;
    private int _disposeOnce;

    public SqliteLedgerStore(string path, ILogger log)
    {
        _log = log;
        _db = SqliteFile.Open(path);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            CREATE TABLE IF NOT EXISTS device_ledger (
              site TEXT NOT NULL, device TEXT NOT NULL, last_seen INTEGER NOT NULL, boot INTEGER NOT NULL,
              highest INTEGER NOT NULL, duplicates INTEGER NOT NULL, readings INTEGER NOT NULL,
              battery REAL NOT NULL, rssi INTEGER NOT NULL, dropped INTEGER NOT NULL, gaps TEXT NOT NULL,
              PRIMARY KEY (site, device));
            """;
        cmd.ExecuteNonQuery();
    }

    public long Flushes => Interlocked.Read(ref _flushes);

    public void Start(Ledger ledger, TimeSpan flushInterval)
    {
        _ledger = ledger;
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT site, device, last_seen, boot, highest, duplicates, readings, battery, rssi, dropped, gaps FROM device_ledger";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var state = new DeviceLedgerState(
                    r.GetString(0), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetInt64(3), r.GetInt64(4),
                    r.GetInt64(5), r.GetInt64(6), r.GetDouble(7), r.GetInt64(8), r.GetInt64(9), LedgerGapText.Parse(r.GetString(10)));
                var device = ledger.For(state.Site, state.Device);
                device.Restore(state);
                _written[(state.Site, state.Device)] = device.Version;
            }
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
                using var tx = _db.BeginTransaction();
                using var cmd = _db.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = """
                    INSERT INTO device_ledger (site, device, last_seen, boot, highest, duplicates, readings, battery, rssi, dropped, gaps)
                    VALUES ($site, $device, $seen, $boot, $highest, $dups, $readings, $bat, $rssi, $dropped, $gaps)
                    ON CONFLICT (site, device) DO UPDATE SET last_seen = $seen, boot = $boot, highest = $highest,
                      duplicates = $dups, readings = $readings, battery = $bat, rssi = $rssi, dropped = $dropped, gaps = $gaps
                    """;
                var names = new[] { "$site", "$device", "$seen", "$boot", "$highest", "$dups", "$readings", "$bat", "$rssi", "$dropped", "$gaps" };
                foreach (var n in names)
                {
                    cmd.Parameters.Add(new SqliteParameter { ParameterName = n });
                }

                var changed = new List<((string, string) Key, long Version)>();
                foreach (var device in _ledger.Devices)
                {
                    var key = (device.Site, device.Device);
                    if (_written.TryGetValue(key, out var written) && written == device.Version)
                    {
                        continue;
                    }

                    var (s, version) = device.Snapshot();
                    object[] values = [s.Site, s.Device, s.LastSeen.ToUnixTimeMilliseconds(), s.Boot, s.HighestSequence, s.Duplicates, s.Readings, s.Battery, s.Rssi, s.DroppedByDevice, LedgerGapText.Format(s.Gaps)];
                    for (var i = 0; i < values.Length; i++)
                    {
                        cmd.Parameters[i].Value = values[i];
                    }

                    cmd.ExecuteNonQuery();
                    changed.Add((key, version));
                }

                tx.Commit();
                foreach (var (key, version) in changed)
                {
                    _written[key] = version;
                }

                Interlocked.Increment(ref _flushes);
            }
            catch (SqliteException e)
            {
                // the next flush writes the same ledgers again; counts in memory stay right meanwhile
                _log.LogWarning(e, "Could not store the device ledgers");
            }
        }
    }

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
        _db.Dispose();
        _stop.Dispose();
    }
}
