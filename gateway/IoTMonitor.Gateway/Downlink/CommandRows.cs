using System.Data.Common;
using System.Text.Json.Nodes;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>
/// Reads <c>downlink_commands</c> rows into <see cref="CommandRecord"/>s. Both stores select the
/// columns in the record's order (id, device, site, cmd, args, by, at, expires, state, err, acked_at),
/// so one reader serves SQLite and PostgreSQL.
/// </summary>
internal static class CommandRows
{
    public static List<CommandRecord> Read(DbCommand cmd)
    {
        var list = new List<CommandRecord>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new CommandRecord(
                CommandRecord.IdOf(r.GetInt64(0)),
                r.GetString(1),
                r.GetString(2),
                r.GetString(3),
                (JsonObject)JsonNode.Parse(r.GetString(4))!,
                r.GetString(5),
                At(r.GetInt64(6)),
                At(r.GetInt64(7)),
                Enum.Parse<CommandState>(r.GetString(8), ignoreCase: true),
                r.IsDBNull(9) ? null : r.GetInt32(9),
                r.IsDBNull(10) ? null : At(r.GetInt64(10))));
        }

        return list;
    }

    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
