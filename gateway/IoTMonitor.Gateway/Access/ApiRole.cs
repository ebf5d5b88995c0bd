namespace IoTMonitor.Gateway.Access;

/// <summary>What a key may do; each role includes the ones below it.</summary>
public enum ApiRole
{
    /// <summary>Agencies: read sites, devices, data, exports and alerts.</summary>
    Viewer = 1,

    /// <summary>Technicians: also acknowledge alerts and read gateway metrics.</summary>
    Operator = 2,

    /// <summary>Also manage sites, devices and API keys.</summary>
    Admin = 3,
}

/// <summary>The caller of a request, once its key is known.</summary>
public sealed record ApiPrincipal(string KeyId, string Name, ApiRole Role);

/// <summary>A stored key as listed (never the key itself).</summary>
public sealed record ApiKeyInfo(string Id, string Name, ApiRole Role, DateTimeOffset Created, bool Revoked);
