using IoTMonitor.Gateway.Sqlite;
using Microsoft.Data.Sqlite;

namespace IoTMonitor.Gateway.Alerts.Store;

/// <summary>
/// The alert stage's SQLite file (not the registry's): one connection, serialised by <see cref="Gate"/>,
/// and the transaction that groups changes so an alert and its notifications are committed
/// together. The tables live in their own classes beside this one. One reason to change: how the
/// file is opened and written.
/// </summary>
internal sealed class AlertDatabase : IDisposable
{
    private readonly SqliteConnection _db;
    private SqliteTransaction? _tx;
    private long _commits;

    public AlertDatabase(string path)
    {
        _db = SqliteFile.Open(path);
        Execute("PRAGMA synchronous = FULL;");
    }

    /// <summary>Held by every statement: one connection, one writer at a time.</summary>
    public object Gate { get; } = new();

    /// <summary>Transactions committed (each one an fsync: WAL with synchronous = FULL).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public T InTransaction<T>(Func<T> work)
    {
        lock (Gate)
        {
            if (_tx is not null)
            {
                return work();
            }

            _tx = _db.BeginTransaction();
            try
            {
                var result = work();
                _tx.Commit();
                Interlocked.Increment(ref _commits);
                return result;
            }
            catch
            {
                _tx.Rollback();
                throw;
            }
            finally
            {
                _tx.Dispose();
                _tx = null;
            }
        }
    }

    /// <summary>A command in the current transaction, if any. Caller holds <see cref="Gate"/>.</summary>
    public SqliteCommand Command(string sql)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = _tx;
        return cmd;
    }

    /// <summary>
    /// A command kept for the connection's lifetime, so its statement is parsed once: an evaluation
    /// group writes hundreds of states, and preparing the upsert each time was much of its cost.
    /// The owner disposes it. Caller holds <see cref="Gate"/>.
    /// </summary>
    public SqliteCommand Reused(ref SqliteCommand? cached, string sql, params string[] parameters)
    {
        if (cached is null)
        {
            cached = _db.CreateCommand();
            cached.CommandText = sql;
            foreach (var name in parameters)
            {
                cached.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
        }

        cached.Transaction = _tx;
        return cached;
    }

    public void Execute(string sql)
    {
        lock (Gate)
        {
            using var cmd = Command(sql);
            cmd.ExecuteNonQuery();
        }
    }

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object Value)[] args)
    {
        var list = new List<T>();
        lock (Gate)
        {
            using var cmd = Command(sql);
            foreach (var (name, value) in args)
            {
                cmd.Parameters.AddWithValue(name, value);
            }

            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(map(r));
            }
        }

        return list;
    }

    public void Dispose()
    {
        lock (Gate)
        {
            _db.Dispose();
        }
    }
}
