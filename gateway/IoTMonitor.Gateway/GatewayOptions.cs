namespace IoTMonitor.Gateway;

/// <summary>Process-wide options (appsettings section <c>Gateway</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Folder for the WAL, the registry and the dead-letter file (relative paths of those resolve here).</summary>
    public string DataDir { get; set; } = "data";

    internal string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.Combine(Path.GetFullPath(DataDir), path);

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            yield return "Gateway:DataDir must be set";
        }
    }
}
