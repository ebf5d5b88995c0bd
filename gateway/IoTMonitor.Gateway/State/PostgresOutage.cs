using Npgsql;

namespace IoTMonitor.Gateway.State;

/// <summary>
/// Whether an exception says the shared PostgreSQL is away for now (not reachable, shutting down,
/// starting up, recovering after a crash, the connection broken mid-statement) rather than that a
/// statement is wrong: the work that met it is kept and tried again when the server is back,
/// instead of being dropped or dead-lettered. Npgsql's <see cref="NpgsqlException.IsTransient"/>
/// covers socket, I/O and timeout failures and the server's transient SQLSTATEs (class 08
/// connection exceptions, 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 53
/// insufficient resources).
/// </summary>
public static class PostgresOutage
{
    public static bool Is(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException p:
                    return p.IsTransient || p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState is "57P01" or "57P02" or "57P03";
                case NpgsqlException n when n.IsTransient:
                    return true;
            }
        }

        return false;
    }
}
