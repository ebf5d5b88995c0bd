using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Sqlite;
using IoTMonitor.Gateway.Validation;
using Microsoft.Data.Sqlite;

namespace IoTMonitor.Gateway.Registry;

/// <summary>
/// Sites and devices in SQLite. Device secrets are stored as salted PBKDF2 hashes only. A
/// successful check is remembered in memory as a SHA-256 of the secret, so a reconnecting device
/// does not pay PBKDF2 again.
/// </summary>
public sealed class DeviceRegistry : IDisposable
{
    private readonly RegistryOptions _options;
    private readonly ConcurrentDictionary<string, byte[]> _verified = new();
    private readonly object _gate = new();
    private readonly SqliteConnection _db;

    public DeviceRegistry(string path, RegistryOptions options)
    {
        _options = options;
        _db = SqliteFile.Open(path);
        Execute("""
            CREATE TABLE IF NOT EXISTS sites (
              id TEXT PRIMARY KEY, name TEXT NOT NULL, created INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS devices (
              id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id),
              salt BLOB NOT NULL, hash BLOB NOT NULL, iterations INTEGER NOT NULL,
              created INTEGER NOT NULL, enabled INTEGER NOT NULL DEFAULT 1);
            """);
    }

    public RegistryOptions Options => _options;

    public Site AddSite(string id, string? name)
    {
        if (!TopicName.IsValidId(id))
        {
            throw new ArgumentException($"site id '{id}' must match ^[a-z0-9][a-z0-9_-]{{0,31}}$", nameof(id));
        }

        var site = new Site(id, string.IsNullOrWhiteSpace(name) ? id : name, DateTimeOffset.UtcNow);
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO sites (id, name, created) VALUES ($id, $name, $created) ON CONFLICT(id) DO UPDATE SET name = excluded.name";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$name", site.Name);
            cmd.Parameters.AddWithValue("$created", site.Created.ToUnixTimeSeconds());
            cmd.ExecuteNonQuery();
        }

        return site;
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

    /// <summary>Adds a device with the given secret, or a new random one; returns the secret (shown once).</summary>
    public (Device Device, string Secret) AddDevice(string id, string siteId, string? secret = null)
    {
        if (!TopicName.IsValidId(id))
        {
            throw new ArgumentException($"device id '{id}' must match ^[a-z0-9][a-z0-9_-]{{0,31}}$", nameof(id));
        }

        if (!SiteExists(siteId))
        {
            throw new ArgumentException($"site '{siteId}' does not exist", nameof(siteId));
        }

        secret ??= SecretHasher.NewSecret();
        var (salt, hash) = SecretHasher.Hash(secret, _options.Pbkdf2Iterations);
        var device = new Device(id, siteId, DateTimeOffset.UtcNow, true);
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO devices (id, site_id, salt, hash, iterations, created, enabled) VALUES ($id, $site, $salt, $hash, $it, $created, 1)";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$site", siteId);
            cmd.Parameters.AddWithValue("$salt", salt);
            cmd.Parameters.AddWithValue("$hash", hash);
            cmd.Parameters.AddWithValue("$it", _options.Pbkdf2Iterations);
            cmd.Parameters.AddWithValue("$created", device.Created.ToUnixTimeSeconds());
            try
            {
                cmd.ExecuteNonQuery();
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19)
            {
                throw new InvalidOperationException($"device '{id}' already exists", e);
            }
        }

        _verified.TryRemove(id, out _);
        return (device, secret);
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
                list.Add(new Device(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)), reader.GetInt64(3) != 0));
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
            return reader.Read()
                ? new Device(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)), reader.GetInt64(3) != 0)
                : null;
        }
    }

    /// <summary>Checks a device's credentials; returns the device when they are right.</summary>
    public Device? Authenticate(string? deviceId, string? secret)
    {
        if (string.IsNullOrEmpty(deviceId) || string.IsNullOrEmpty(secret) || !TopicName.IsValidId(deviceId))
        {
            return null;
        }

        byte[] salt, hash;
        int iterations;
        Device device;
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, site_id, created, enabled, salt, hash, iterations FROM devices WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", deviceId);
            using var reader = cmd.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            device = new Device(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)), reader.GetInt64(3) != 0);
            salt = (byte[])reader[4];
            hash = (byte[])reader[5];
            iterations = reader.GetInt32(6);
        }

        if (!device.Enabled)
        {
            return null;
        }

        var quick = SHA256.HashData(Encoding.UTF8.GetBytes(deviceId + "\n" + secret));
        if (_verified.TryGetValue(deviceId, out var known) && CryptographicOperations.FixedTimeEquals(known, quick))
        {
            return device;
        }

        if (!SecretHasher.Verify(secret, salt, hash, iterations))
        {
            return null;
        }

        _verified[deviceId] = quick;
        return device;
    }

    private void Execute(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}
