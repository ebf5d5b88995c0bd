using System.Security.Cryptography;
using System.Text;

namespace IoTMonitor.Gateway.Access;

/// <summary>
/// A key is <c>iotm_{id}_{secret}</c>: <c>id</c> (12 hex digits) finds the row, and only SHA-256 of the
/// secret (24 random bytes) is stored. A slow hash would add nothing for 192 random bits and would
/// cost every request. The key is shown once, when created.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "iotm_";

    /// <summary>A new key's record (created now), the key itself, and the hash to store.</summary>
    public static (ApiKeyInfo Info, string Key, byte[] Hash) New(string name, ApiRole role)
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
        return (info, Prefix + id + "_" + secret, Hash(secret));
    }

    /// <summary>The principal of <c>Api:AdminKey</c> when <paramref name="key"/> is it (compared in constant time).</summary>
    public static ApiPrincipal? Bootstrap(string key, string? bootstrapKey) =>
        bootstrapKey is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(bootstrapKey))
            ? new ApiPrincipal("bootstrap", "Api:AdminKey", ApiRole.Admin)
            : null;

    /// <summary>The id and secret hash of a well-formed key; false for anything else (too long, wrong prefix or shape).</summary>
    public static bool TryParse(string key, out string id, out byte[] hash)
    {
        id = string.Empty;
        hash = [];
        if (key.Length > 200 || !key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length < Prefix.Length + 14 || key[Prefix.Length + 12] != '_')
        {
            return false;
        }

        id = key.Substring(Prefix.Length, 12);
        hash = Hash(key[(Prefix.Length + 13)..]);
        return true;
    }

    public static bool HashMatches(byte[] stored, byte[] hash) => CryptographicOperations.FixedTimeEquals(stored, hash);

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
