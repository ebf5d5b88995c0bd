using IoTMonitor.Gateway.Sqlite;
using Microsoft.Data.Sqlite;

namespace IoTMonitor.Gateway.Registry;

/// <summary>A site with where and what it is (the registry's <c>sites</c> row plus the profile columns).</summary>
public sealed record SiteProfile(string Id, string Name, DateTimeOffset Created, double? Lat, double? Lon, string? Basin, string? Type);

/// <summary>
/// Migration and access for the site profile columns <c>lat</c>, <c>lon</c>, <c>basin</c>,
/// <c>site_type</c> of the registry's <c>sites</c> table (added here with <c>ALTER TABLE</c> when
/// missing, so <see cref="DeviceRegistry"/> keeps its own schema). Opens its own connection to the same
/// SQLite file; construct it after the registry has created its tables.
/// </summary>
public sealed class SiteProfiles : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly object _gate = new();

    public SiteProfiles(string path)
    {
        _db = SqliteFile.Open(path);
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

        if (have.Count == 0)
        {
            throw new InvalidOperationException("the registry has no sites table yet: create DeviceRegistry first");
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

    /// <summary>Checks a profile; returns the problem, or null when it is fine.</summary>
    public static string? Check(double? lat, double? lon, string? basin, string? type)
    {
        if (lat is { } la && (double.IsNaN(la) || la < -90 || la > 90))
        {
            return "lat must be −90…90";
        }

        if (lon is { } lo && (double.IsNaN(lo) || lo < -180 || lo > 180))
        {
            return "lon must be −180…180";
        }

        if (lat.HasValue != lon.HasValue)
        {
            return "give both lat and lon, or neither";
        }

        if (basin is { Length: > 64 })
        {
            return "basin must be at most 64 characters";
        }

        if (type is not null && !SiteTypes.IsKnown(type))
        {
            return SiteTypes.Problem("type");
        }

        return null;
    }

    public void Set(string site, double? lat, double? lon, string? basin, string? type)
    {
        var problem = Check(lat, lon, basin, type);
        if (problem is not null)
        {
            throw new ArgumentException(problem);
        }

        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "UPDATE sites SET lat = $lat, lon = $lon, basin = $basin, site_type = $type WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", site);
            cmd.Parameters.AddWithValue("$lat", (object?)lat ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$lon", (object?)lon ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$basin", (object?)basin ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$type", (object?)type ?? DBNull.Value);
            if (cmd.ExecuteNonQuery() == 0)
            {
                throw new ArgumentException($"site '{site}' does not exist");
            }
        }
    }

    public IReadOnlyList<SiteProfile> List() => Read(null);

    public SiteProfile? Find(string id) => Read(id).FirstOrDefault();

    private List<SiteProfile> Read(string? id)
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

    public void Dispose() => _db.Dispose();
}
