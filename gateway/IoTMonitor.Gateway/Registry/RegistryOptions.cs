namespace IoTMonitor.Gateway.Registry;

/// <summary>Options of the device registry (appsettings section <c>Registry</c>).</summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    /// <summary>SQLite file; relative paths are under <c>Gateway:DataDir</c>.</summary>
    public string Path { get; set; } = "registry.db";

    /// <summary>
    /// Embedded mode: check device credentials on connect and the topic ACL on every publish and
    /// subscribe. Turn off only on a closed test network.
    /// </summary>
    public bool RequireAuthentication { get; set; } = true;

    /// <summary>
    /// Commissioning mode: an unknown device that connects with user name = its device id and any
    /// password is enrolled with that password, bound to the site of its first publish. Off by default.
    /// </summary>
    public bool AutoEnrol { get; set; }

    /// <summary>PBKDF2-SHA256 iterations for new secrets.</summary>
    public int Pbkdf2Iterations { get; set; } = 100_000;

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return "Registry:Path must be set";
        }

        if (Pbkdf2Iterations < 1000)
        {
            yield return "Registry:Pbkdf2Iterations must be ≥ 1000";
        }
    }
}
