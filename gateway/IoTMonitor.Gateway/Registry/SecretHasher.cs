using System.Security.Cryptography;

namespace IoTMonitor.Gateway.Registry;

/// <summary>Salted PBKDF2-SHA256 hashes of device secrets; secrets themselves are never stored.</summary>
public static class SecretHasher
{
    public const int SaltBytes = 16;
    public const int HashBytes = 32;

    public static (byte[] Salt, byte[] Hash) Hash(string secret, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return (salt, Derive(secret, salt, iterations));
    }

    public static bool Verify(string secret, byte[] salt, byte[] hash, int iterations) =>
        CryptographicOperations.FixedTimeEquals(Derive(secret, salt, iterations), hash);

    /// <summary>A new random secret: 24 bytes, base64url (32 characters).</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    private static byte[] Derive(string secret, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(secret, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
}
