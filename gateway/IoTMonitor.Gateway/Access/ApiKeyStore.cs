using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IoTMonitor.Gateway.Sqlite;
using Microsoft.Data.Sqlite;

namespace IoTMonitor.Gateway.Access;

/// <summary>
/// API keys in the registry's SQLite file (table <c>api_keys</c>). A key is
/// <c>iotm_{id}_{secret}</c>: <c>id</c> (12 hex digits) finds the row, and only SHA-256 of the
/// secret (24 random bytes) is stored. A slow hash would add nothing for 192 random bits and would
/// cost every request. The key is shown once, when created.
/// </summary>
public sealed class ApiKeyStore : IDisposable
{
    public const string Prefix = "iotm_";

    private readonly SqliteConnection _db;
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, (byte[] Hash, ApiPrincipal Principal)> _cache = new();
    private readonly string? _bootstrapKey;

    /// <param name="path">The registry's SQLite file.</param>
    /// <param name="bootstrapAdminKey"><c>Api:AdminKey</c>: accepted as an admin key so the first real keys can be created; empty = none.</param>
    public ApiKeyStore(string path, string? bootstrapAdminKey)
    {
        _bootstrapKey = string.IsNullOrEmpty(bootstrapAdminKey) ? null : bootstrapAdminKey;
        _db = SqliteFile.Open(path);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            CREATE TABLE IF NOT EXISTS api_keys (
              id TEXT PRIMARY KEY, name TEXT NOT NULL, role INTEGER NOT NULL,
              hash BLOB NOT NULL, created INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
            """;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Creates a key; returns its record and the key itself (shown once).</summary>
    public (ApiKeyInfo Info, string Key) Create(string name, ApiRole role)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
        {
            throw new ArgumentException("name must be 1–64 characters", nameof(name));
        }

        if (!Enum.IsDefined(role))
        {
            throw new ArgumentException("role must be viewer, operator or admin", nameof(role));
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        var info = new ApiKeyInfo(id, name.Trim(), role, DateTimeOffset.UtcNow, false);
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO api_keys (id, name, role, hash, created) VALUES ($id, $name, $role, $hash, $created)";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$name", info.Name);
            cmd.Parameters.AddWithValue("$role", (int)role);
            cmd.Parameters.AddWithValue("$hash", Hash(secret));
            cmd.Parameters.AddWithValue("$created", info.Created.ToUnixTimeSeconds());
            cmd.ExecuteNonQuery();
        }

        return (info, Prefix + id + "_" + secret);
    }

    public IReadOnlyList<ApiKeyInfo> List()
    {
        var list = new List<ApiKeyInfo>();
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, name, role, created, revoked FROM api_keys ORDER BY created, id";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(new ApiKeyInfo(r.GetString(0), r.GetString(1), (ApiRole)r.GetInt32(2), DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(3)), r.GetInt64(4) != 0));
            }
        }

        return list;
    }

    /// <summary>Revokes a key at once (also for requests already cached); false when there is no such key.</summary>
    public bool Revoke(string id)
    {
        int n;
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "UPDATE api_keys SET revoked = 1 WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
            n = cmd.ExecuteNonQuery();
        }

        _cache.TryRemove(id, out _);
        return n > 0;
    }

    /// <summary>The caller a key belongs to, or null for an unknown, malformed or revoked key.</summary>
    public ApiPrincipal? Authenticate(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 200)
        {
            return null;
        }

        if (_bootstrapKey is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(_bootstrapKey)))
        {
            return new ApiPrincipal("bootstrap", "Api:AdminKey", ApiRole.Admin);
        }

        if (!key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length < Prefix.Length + 14 || key[Prefix.Length + 12] != '_')
        {
            return null;
        }

        var id = key.Substring(Prefix.Length, 12);
        var hash = Hash(key[(Prefix.Length + 13)..]);
        if (_cache.TryGetValue(id, out var known))
        {
            return CryptographicOperations.FixedTimeEquals(known.Hash, hash) ? known.Principal : null;
        }

        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT name, role, hash FROM api_keys WHERE id = $id AND revoked = 0";
            cmd.Parameters.AddWithValue("$id", id);
            using var r = cmd.ExecuteReader();
            if (!r.Read())
            {
                return null;
            }

            var stored = (byte[])r[2];
            if (!CryptographicOperations.FixedTimeEquals(stored, hash))
            {
                return null;
            }

            var principal = new ApiPrincipal(id, r.GetString(0), (ApiRole)r.GetInt32(1));
            _cache[id] = (stored, principal);
            return principal;
        }
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public void Dispose() => _db.Dispose();
}
