namespace IoTMonitor.Gateway.Access;

/// <summary>
/// API keys: <see cref="SqliteApiKeyStore"/> in the registry's file (one gateway, the default) or
/// <see cref="PostgresApiKeyStore"/> shared by every replica (<c>State:Provider = postgres</c>).
/// The key format, its hash and the bootstrap key are <see cref="ApiKeyFormat"/>'s, the same for both.
/// </summary>
public interface IApiKeyStore
{
    /// <summary>Creates a key; returns its record and the key itself (shown once).</summary>
    (ApiKeyInfo Info, string Key) Create(string name, ApiRole role);

    IReadOnlyList<ApiKeyInfo> List();

    /// <summary>Revokes a key at once; false when there is no such key.</summary>
    bool Revoke(string id);

    /// <summary>The caller a key belongs to, or null for an unknown, malformed or revoked key.</summary>
    ApiPrincipal? Authenticate(string? key);
}
