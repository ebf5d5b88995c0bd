using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.State;
using Npgsql;

namespace IoTMonitor.Gateway.Registry;

/// <summary>
/// Sites, profiles and devices in PostgreSQL (tables <c>sites</c>, <c>devices</c> of
/// <see cref="State.Migrations.GatewayStoresSchema"/>), shared by every replica: a device provisioned
/// on one authenticates on all. Each call is one statement, so replicas writing at once cannot lose
/// each other's rows: a site is an upsert, a device an insert that the primary key lets one replica win.
/// </summary>
public sealed class PostgresRegistryStore(PostgresState state) : IRegistryStore
{
    public void UpsertSite(Site site)
    {
        using var cmd = state.DataSource.CreateCommand("INSERT INTO sites (id, name, created) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = excluded.name");
        cmd.Parameters.Add(new NpgsqlParameter { Value = site.Id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = site.Name });
        cmd.Parameters.Add(new NpgsqlParameter { Value = site.Created.ToUnixTimeSeconds() });
        cmd.ExecuteNonQuery();
    }

    public bool SiteExists(string id)
    {
        using var cmd = state.DataSource.CreateCommand("SELECT 1 FROM sites WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        return cmd.ExecuteScalar() is not null;
    }

    public bool TryAddDevice(Device device, byte[] salt, byte[] hash, int iterations)
    {
        using var cmd = state.DataSource.CreateCommand(
            "INSERT INTO devices (id, site_id, salt, hash, iterations, created, enabled) VALUES ($1, $2, $3, $4, $5, $6, true) ON CONFLICT (id) DO NOTHING");
        cmd.Parameters.Add(new NpgsqlParameter { Value = device.Id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = device.SiteId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = salt });
        cmd.Parameters.Add(new NpgsqlParameter { Value = hash });
        cmd.Parameters.Add(new NpgsqlParameter { Value = iterations });
        cmd.Parameters.Add(new NpgsqlParameter { Value = device.Created.ToUnixTimeSeconds() });
        try
        {
            return cmd.ExecuteNonQuery() > 0;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new ArgumentException($"site '{device.SiteId}' does not exist", nameof(device), e);
        }
    }

    public IReadOnlyList<Device> ListDevices()
    {
        var list = new List<Device>();
        using var cmd = state.DataSource.CreateCommand("SELECT id, site_id, created, enabled FROM devices ORDER BY site_id COLLATE \"C\", id COLLATE \"C\"");
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            list.Add(ReadDevice(reader));
        }

        return list;
    }

    public Device? FindDevice(string id)
    {
        using var cmd = state.DataSource.CreateCommand("SELECT id, site_id, created, enabled FROM devices WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? ReadDevice(reader) : null;
    }

    public DeviceCredentials? FindCredentials(string id)
    {
        using var cmd = state.DataSource.CreateCommand("SELECT id, site_id, created, enabled, salt, hash, iterations FROM devices WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? new DeviceCredentials(ReadDevice(reader), (byte[])reader[4], (byte[])reader[5], reader.GetInt32(6)) : null;
    }

    public bool SetProfile(string site, double? lat, double? lon, string? basin, string? type)
    {
        using var cmd = state.DataSource.CreateCommand("UPDATE sites SET lat = $2, lon = $3, basin = $4, site_type = $5 WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = site });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)lat ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)lon ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)basin ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)type ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return cmd.ExecuteNonQuery() > 0;
    }

    public IReadOnlyList<SiteProfile> Sites(string? id)
    {
        var list = new List<SiteProfile>();
        using var cmd = state.DataSource.CreateCommand("SELECT id, name, created, lat, lon, basin, site_type FROM sites" + (id is null ? " ORDER BY id COLLATE \"C\"" : " WHERE id = $1"));
        if (id is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = id });
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

        return list;
    }

    private static Device ReadDevice(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(2)), reader.GetBoolean(3));
}
