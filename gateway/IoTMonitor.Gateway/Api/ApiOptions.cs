namespace IoTMonitor.Gateway.Api;

/// <summary>Options of the HTTP API (appsettings section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Key for the registry endpoints (header <c>X-Api-Key</c>); empty = those endpoints answer 403.</summary>
    public string AdminKey { get; set; } = string.Empty;

    internal IEnumerable<string> Validate()
    {
        if (AdminKey.Length is > 0 and < 16)
        {
            yield return "Api:AdminKey must be at least 16 characters (or empty to disable the registry endpoints)";
        }
    }
}
