using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Registry;

/// <summary>
/// Sites and devices, kept in an <see cref="IRegistryStore"/> (SQLite for one gateway, PostgreSQL for
/// replicas). Device secrets are stored as salted PBKDF2 hashes only. A successful check is remembered
/// in memory as a SHA-256 of the secret, so a reconnecting device does not pay PBKDF2 again; the row
/// (enabled, salt, hash) is read on every check, so a change made through another replica holds at once.
/// </summary>
public sealed class DeviceRegistry
{
    private readonly RegistryOptions _options;
    private readonly IRegistryStore _store;
    private readonly ConcurrentDictionary<string, (byte[] Hash, byte[] Quick)> _verified = new();

    public DeviceRegistry(IRegistryStore store, RegistryOptions options)
    {
        _store = store;
        _options = options;
    }

    public RegistryOptions Options => _options;

    public Site AddSite(string id, string? name)
    {
        if (!TopicName.IsValidId(id))
        {
            throw new ArgumentException($"site id '{id}' must match ^[a-z0-9][a-z0-9_-]{{0,31}}$", nameof(id));
        }

        var site = new Site(id, string.IsNullOrWhiteSpace(name) ? id : name, DateTimeOffset.UtcNow);
        _store.UpsertSite(site);
        return site;
    }

    public bool SiteExists(string id) => _store.SiteExists(id);

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
        if (!_store.TryAddDevice(device, salt, hash, _options.Pbkdf2Iterations))
        {
            throw new InvalidOperationException($"device '{id}' already exists");
        }

        _verified.TryRemove(id, out _);
        return (device, secret);
    }

    public IReadOnlyList<Device> ListDevices() => _store.ListDevices();

    public Device? FindDevice(string id) => _store.FindDevice(id);

    /// <summary>Checks a device's credentials; returns the device when they are right.</summary>
    public Device? Authenticate(string? deviceId, string? secret)
    {
        if (string.IsNullOrEmpty(deviceId) || string.IsNullOrEmpty(secret) || !TopicName.IsValidId(deviceId))
        {
            return null;
        }

        if (_store.FindCredentials(deviceId) is not { } row || !row.Device.Enabled)
        {
            return null;
        }

        // remembered with the stored hash it was checked against: a row replaced through another replica is checked again
        var quick = SHA256.HashData(Encoding.UTF8.GetBytes(deviceId + "\n" + secret));
        if (_verified.TryGetValue(deviceId, out var known)
            && CryptographicOperations.FixedTimeEquals(known.Hash, row.Hash)
            && CryptographicOperations.FixedTimeEquals(known.Quick, quick))
        {
            return row.Device;
        }

        if (!SecretHasher.Verify(secret, row.Salt, row.Hash, row.Iterations))
        {
            return null;
        }

        _verified[deviceId] = (row.Hash, quick);
        return row.Device;
    }
}
