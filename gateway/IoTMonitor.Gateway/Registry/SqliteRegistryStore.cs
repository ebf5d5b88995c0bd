using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Sqlite;
using Microsoft.Data.Sqlite;

namespace IoTMonitor.Gateway.Registry;

/// <summary>
/// Sites, profiles and devices in the registry's SQLite file (tables <c>sites</c> and <c>devices</c>),
/// for a single gateway. The profile columns <c>lat</c>, <c>lon</c>, <c>basin</c>, <c>site_type</c>
/// are added with <c>ALTER TABLE</c> when a file from before them lacks them.
/// </summary>
public sealed class SqliteRegistryStore : IRegistryStore, IDisposable
{
    private readonly object _gate = new();
    private readonly SqliteConnection _db;

    public SqliteRegistryStore(string path)
    {
        _db = SqliteFile.Open(path);
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = """
                CREATE TABLE IF NOT EXISTS sites (
                  id TEXT PRIMARY KEY, name TEXT NOT NULL, created INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS devices (
                  id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id),
                  salt BLOB NOT NULL, hash BLOB NOT NULL, iterations INTEGER NOT NULL,
                  created INTEGER NOT NULL, enabled INTEGER NOT NULL DEFAULT 1);
                """;
            cmd.ExecuteNonQuery();
        }

        var have = new HashSet<string>(StringComparer.Ordinal);
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "PRAGMA table_info(sites)";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                have.Add(r.GetString(1));
            }
        }

        foreach (var (column, type) in new[] { ("lat", "REAL"), ("lon", "REAL"), ("basin", "TEXT"), ("site_type", "TEXT") })
        {
            if (!have.Contains(column))
            {
                using var cmd = _db.CreateCommand();
                cmd.CommandText = $"ALTER TABLE sites ADD COLUMN {column} {type}";
                cmd.ExecuteNonQuery();
            }
        }
    }

    public void UpsertSite(Site site)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO sites (id, name, created) VALUES ($id, $name, $created) ON CONFLICT(id) DO UPDATE SET name = excluded.name";
            cmd.Parameters.AddWithValue("$id", site.Id);
            cmd.Parameters.AddWithValue("$name", site.Name);
            cmd.Parameters.AddWithValue("$created", site.Created.ToUnixTimeSeconds());
            cmd.ExecuteNonQuery();
        }
    }

    public bool SiteExists(string id)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT 1 FROM sites WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
            return cmd.ExecuteScalar() is not null;
        }
    }

    public bool TryAddDevice(Device device, byte[] salt, byte[] hash, int iterations)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO devices (id, site_id, salt, hash, iterations, created, enabled) VALUES ($id, $site, $salt, $hash, $it, $created, 1)";
            cmd.Parameters.AddWithValue("$id", device.Id);
            cmd.Parameters.AddWithValue("$site", device.SiteId);
            cmd.Parameters.AddWithValue("$salt", salt);
            cmd.Parameters.AddWithValue("$hash", hash);
            cmd.Parameters.AddWithValue("$it", iterations);
            cmd.Parameters.AddWithValue("$created", device.Created.ToUnixTimeSeconds());
            try
            {
                cmd.ExecuteNonQuery();
                return true;
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19)
            {
                return false;
            }
        }
    }

    public IReadOnlyList<Device> ListDevices()
    {
        var list = new List<Device>();
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, site_id, created, enabled FROM devices ORDER BY site_id, id";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                list.Add(ReadDevice(reader));
            }
        }

        return list;
    }

    public Device? FindDevice(string id)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, site_id, created, enabled FROM devices WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
            using var reader = cmd.ExecuteReader();
            return reader.Read() ? ReadDevice(reader) : null;
        }
    }

    public DeviceCredentials? FindCredentials(string id)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, site_id, created, enabled, salt, hash, iterations FROM devices WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
            using var reader = cmd.ExecuteReader();
            return reader.Read() ? new DeviceCredentials(ReadDevice(reader), (byte[])reader[4], (byte[])reader[5], reader.GetInt32(6)) : null;
        }
    }

    public bool SetProfile(string site, double? lat, double? lon, string? basin, string? type)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "UPDATE sites SET lat = $lat, lon = $lon, basin = $basin, site_type = $type WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", site);
            cmd.Parameters.AddWithValue("$lat", (object?)lat ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$lon", (object?)lon ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$basin", (object?)basin ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$type", (object?)type ?? DBNull.Value);
            return cmd.ExecuteNonQuery() > 0;
        }
    }

    public IReadOnlyList<SiteProfile> Sites(string? id)
    {
        var list = new List<SiteProfile>();
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, name, created, lat, lon, basin, site_type FROM sites" + (id is null ? " ORDER BY id" : " WHERE id = $id");
            if (id is not null)
            {
                cmd.Parameters.AddWithValue("$id", id);
            }

            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(new SiteProfile(
                    r.GetString(0),
                    r.GetString(1),
                    DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(2)),
                    r.IsDBNull(3) ? null : r.GetDouble(3),
                    r.IsDBNull(4) ? null : r.GetDouble(4),
                    r.IsDBNull(5) ? null : r.GetString(5),
                    r.IsDBNull(6) ? null : r.GetString(6)));
            }
        }

        return list;
    }

    private static Device ReadDevice(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)), reader.GetInt64(3) != 0);

    public void Dispose() => _db.Dispose();
}
