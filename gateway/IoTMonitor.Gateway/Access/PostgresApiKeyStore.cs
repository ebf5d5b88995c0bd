using IoTMonitor.Gateway.State;
using Npgsql;

namespace IoTMonitor.Gateway.Access;

/// <summary>
/// API keys in PostgreSQL (table <c>api_keys</c> of <see cref="PostgresMigrations"/>), shared by every
/// gateway replica: a key created or revoked on one is known to all. Nothing is cached, because a
/// revoke on another replica must hold at once; the check is one primary-key lookup.
/// </summary>
public sealed class PostgresApiKeyStore(PostgresState state, string? bootstrapAdminKey) : IApiKeyStore
{
    private readonly string? _bootstrapKey = string.IsNullOrEmpty(bootstrapAdminKey) ? null : bootstrapAdminKey;

    public (ApiKeyInfo Info, string Key) Create(string name, ApiRole role)
    {
        var (info, key, hash) = ApiKeyFormat.New(name, role);
        using var cmd = state.DataSource.CreateCommand("INSERT INTO api_keys (id, name, role, hash, created) VALUES ($1, $2, $3, $4, $5)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = info.Id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = info.Name });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (int)role });
        cmd.Parameters.Add(new NpgsqlParameter { Value = hash });
        cmd.Parameters.Add(new NpgsqlParameter { Value = info.Created.ToUnixTimeSeconds() });
        cmd.ExecuteNonQuery();
        return (info, key);
    }

    public IReadOnlyList<ApiKeyInfo> List()
    {
        var list = new List<ApiKeyInfo>();
        using var cmd = state.DataSource.CreateCommand("SELECT id, name, role, created, revoked FROM api_keys ORDER BY created, id");
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new ApiKeyInfo(r.GetString(0), r.GetString(1), (ApiRole)r.GetInt32(2), DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(3)), r.GetBoolean(4)));
        }

        return list;
    }

    public bool Revoke(string id)
    {
        using var cmd = state.DataSource.CreateCommand("UPDATE api_keys SET revoked = true WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        return cmd.ExecuteNonQuery() > 0;
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

        using var cmd = state.DataSource.CreateCommand("SELECT name, role, hash FROM api_keys WHERE id = $1 AND NOT revoked");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        using var r = cmd.ExecuteReader();
        if (!r.Read() || !ApiKeyFormat.HashMatches((byte[])r[2], hash))
        {
            return null;
        }

        return new ApiPrincipal(id, r.GetString(0), (ApiRole)r.GetInt32(1));
    }
}
