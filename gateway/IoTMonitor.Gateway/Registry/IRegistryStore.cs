using IoTMonitor.Gateway.Model;

namespace IoTMonitor.Gateway.Registry;

/// <summary>A device's row with what checking its secret needs (a salted PBKDF2 hash, never the secret).</summary>
public sealed record DeviceCredentials(Device Device, byte[] Salt, byte[] Hash, int Iterations);

/// <summary>
/// Where sites (with their profiles) and devices are kept: <see cref="SqliteRegistryStore"/> in the
/// registry's file for one gateway, <see cref="PostgresRegistryStore"/> shared by replicas. Ids and
/// profiles are checked by <see cref="DeviceRegistry"/> and <see cref="SiteProfiles"/> before they get here.
/// </summary>
public interface IRegistryStore
{
    /// <summary>Adds the site, or renames it when it exists (its created time and profile stay).</summary>
    void UpsertSite(Site site);

    bool SiteExists(string id);

    /// <summary>Adds a device; false when a device with its id exists (nothing changes).</summary>
    bool TryAddDevice(Device device, byte[] salt, byte[] hash, int iterations);

    IReadOnlyList<Device> ListDevices();

    Device? FindDevice(string id);

    DeviceCredentials? FindCredentials(string id);

    /// <summary>Sets a site's profile; false when there is no such site.</summary>
    bool SetProfile(string site, double? lat, double? lon, string? basin, string? type);

    /// <summary>Every site ordered by id, or the one with <paramref name="id"/>.</summary>
    IReadOnlyList<SiteProfile> Sites(string? id);
}
