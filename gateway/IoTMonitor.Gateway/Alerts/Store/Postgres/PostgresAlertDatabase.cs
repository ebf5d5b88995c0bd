using IoTMonitor.Gateway.State.Leases;
using Npgsql;

namespace IoTMonitor.Gateway.Alerts.Store.Postgres;

/// <summary>
/// The alert store's side of the shared PostgreSQL database: statements serialised by
/// <see cref="Gate"/> as on SQLite (one writer per gateway; the other replicas are other writers,
/// kept apart by the leases), the transaction that groups a group's changes, and its fence: the
/// partitions of the sites whose state, alerts or rain readings it wrote are checked against
/// <see cref="PartitionLeases"/> in the same transaction, just before the commit. Statements outside
/// a transaction run on a pooled connection of their own.
/// </summary>
internal sealed class PostgresAlertDatabase(NpgsqlDataSource source, PartitionLeases leases)
{
    private readonly HashSet<int> _written = [];
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _tx;
    private bool _fenced;
    private long _commits;

    /// <summary>Held by every statement.</summary>
    public object Gate { get; } = new();

    public PartitionLeases Leases => leases;

    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Runs <paramref name="work"/> in one transaction (joins the current one); with <paramref name="fenced"/> the commit is fenced by the leases.</summary>
    public T InTransaction<T>(Func<T> work, bool fenced)
    {
        lock (Gate)
        {
            if (_tx is not null)
            {
                _fenced |= fenced;
                return work();
            }

            _connection = source.OpenConnection();
            _tx = _connection.BeginTransaction();
            _fenced = fenced;
            try
            {
                var result = work();
                if (_fenced && _written.Count > 0)
                {
                    leases.Fence(_connection, _tx, _written);
                }

                _tx.Commit();
                Interlocked.Increment(ref _commits);
                return result;
            }
            catch
            {
                try
                {
                    _tx.Rollback();
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
                {
                    // the connection broke: the server rolls the transaction back itself
                }

                throw;
            }
            finally
            {
                _written.Clear();
                _tx.Dispose();
                _tx = null;
                _connection.Dispose();
                _connection = null;
            }
        }
    }

    /// <summary>A write of <paramref name="site"/>'s state in the current transaction: its partition is fenced at the commit.</summary>
    public void Wrote(string site)
    {
        if (_tx is not null)
        {
            _written.Add(PartitionLeases.PartitionOf(site));
        }
    }

    /// <summary>A command in the current transaction, or on a pooled connection of its own. Caller holds <see cref="Gate"/>.</summary>
    public NpgsqlCommand Command(string sql, params object?[] args)
    {
        var cmd = _tx is not null ? new NpgsqlCommand(sql, _connection, _tx) : source.CreateCommand(sql);
        foreach (var arg in args)
        {
            cmd.Parameters.Add(arg as NpgsqlParameter ?? new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        return cmd;
    }

    public int Execute(string sql, params object?[] args)
    {
        lock (Gate)
        {
            using var cmd = Command(sql, args);
            return cmd.ExecuteNonQuery();
        }
    }

    public object? Scalar(string sql, params object?[] args)
    {
        lock (Gate)
        {
            using var cmd = Command(sql, args);
            var value = cmd.ExecuteScalar();
            return value is DBNull ? null : value;
        }
    }

    public List<T> Query<T>(string sql, Func<NpgsqlDataReader, T> map, params object?[] args)
    {
        var list = new List<T>();
        lock (Gate)
        {
            using var cmd = Command(sql, args);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(map(r));
            }
        }

        return list;
    }
}
