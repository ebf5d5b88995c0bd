namespace IoTMonitor.Gateway.Access;

/// <summary>Options of API access (appsettings section <c>Access</c>).</summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>Requests one key may make per minute (token bucket refilled every second).</summary>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>Requests one key may make at once above the steady rate (bucket size).</summary>
    public int Burst { get; set; } = 120;

    internal IEnumerable<string> Validate()
    {
        if (RequestsPerMinute is < 1 or > 1_000_000)
        {
            yield return "Access:RequestsPerMinute must be 1–1000000";
        }

        if (Burst is < 1 or > 1_000_000)
        {
            yield return "Access:Burst must be 1–1000000";
        }
    }
}
