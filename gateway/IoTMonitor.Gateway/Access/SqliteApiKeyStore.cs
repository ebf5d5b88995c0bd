using System.Collections.Concurrent;
using IoTMonitor.Gateway.Sqlite;
using Microsoft.Data.Sqlite;

namespace IoTMonitor.Gateway.Access;

/// <summary>
/// API keys in the registry's SQLite file (table <c>api_keys</c>), for a single gateway. Keys that
/// authenticated are cached in memory; a revoke through this store drops its entry at once.
/// </summary>
public sealed class SqliteApiKeyStore : IApiKeyStore, IDisposable
{
    private readonly SqliteConnection _db;
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, (byte[] Hash, ApiPrincipal Principal)> _cache = new();
    private readonly string? _bootstrapKey;

    /// <param name="path">The registry's SQLite file.</param>
    /// <param name="bootstrapAdminKey"><c>Api:AdminKey</c>: accepted as an admin key so the first real keys can be created; empty = none.</param>
    public SqliteApiKeyStore(string path, string? bootstrapAdminKey)
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

    public (ApiKeyInfo Info, string Key) Create(string name, ApiRole role)
    {
        var (info, key, hash) = ApiKeyFormat.New(name, role);
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO api_keys (id, name, role, hash, created) VALUES ($id, $name, $role, $hash, $created)";
            cmd.Parameters.AddWithValue("$id", info.Id);
            cmd.Parameters.AddWithValue("$name", info.Name);
            cmd.Parameters.AddWithValue("$role", (int)role);
            cmd.Parameters.AddWithValue("$hash", hash);
            cmd.Parameters.AddWithValue("$created", info.Created.ToUnixTimeSeconds());
            cmd.ExecuteNonQuery();
        }

        return (info, key);
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

    public ApiPrincipal? Authenticate(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 200)
        {
            return null;
        }

        if (ApiKeyFormat.Bootstrap(key, _bootstrapKey) is { } bootstrap)
        {
            return bootstrap;
        }

        if (!ApiKeyFormat.TryParse(key, out var id, out var hash))
        {
            return null;
        }

        if (_cache.TryGetValue(id, out var known))
        {
            return ApiKeyFormat.HashMatches(known.Hash, hash) ? known.Principal : null;
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
            if (!ApiKeyFormat.HashMatches(stored, hash))
            {
                return null;
            }

            var principal = new ApiPrincipal(id, r.GetString(0), (ApiRole)r.GetInt32(1));
            _cache[id] = (stored, principal);
            return principal;
        }
    }

    public void Dispose() => _db.Dispose();
}
