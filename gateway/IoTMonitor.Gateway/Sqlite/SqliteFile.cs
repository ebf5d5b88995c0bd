using Microsoft.Data.Sqlite;

namespace IoTMonitor.Gateway.Sqlite;

/// <summary>
/// Opens one of the gateway's SQLite files (registry, site profiles, API keys, downlink, alerts) the
/// way every store needs it: its folder created, one unpooled connection the store owns for its
/// lifetime, and WAL journaling so readers do not block the writer.
/// </summary>
public static class SqliteFile
{
    public static SqliteConnection Open(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode = WAL;";
        cmd.ExecuteNonQuery();
        return db;
    }
}
