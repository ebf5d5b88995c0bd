namespace IoTMonitor.Gateway.Storage;

/// <summary>Options of the InfluxDB writer (appsettings section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>InfluxDB base URL.</summary>
    public string Url { get; set; } = "http://127.0.0.1:8086";

    /// <summary>Database (1.x) or bucket (2.x/3.x) name.</summary>
    public string Database { get; set; } = "iotmon";

    /// <summary>Retention policy (1.x); empty = the database's default policy.</summary>
    public string RetentionPolicy { get; set; } = string.Empty;

    /// <summary>Retention of the database created on first start (1.x), in days; 0 = keep forever.</summary>
    public int RetentionDays { get; set; }

    /// <summary>Create the database on start when missing (1.x).</summary>
    public bool CreateDatabase { get; set; } = true;

    /// <summary>API token (2.x/3.x), or <c>user:password</c> for 1.x with auth; empty = none.</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary>Organisation (2.x); ignored by 1.x.</summary>
    public string Org { get; set; } = "iotmon";

    /// <summary>Most lines in one write request.</summary>
    public int BatchLines { get; set; } = 5000;

    /// <summary>Write requests in flight at once.</summary>
    public int MaxInFlight { get; set; } = 2;

    /// <summary>
    /// Gzip the request bodies: <c>true</c>, <c>false</c> or <c>auto</c> (on unless InfluxDB is on
    /// this machine: over loopback compressing only spends CPU on both ends).
    /// </summary>
    public string Gzip { get; set; } = "auto";

    /// <summary>Whether request bodies are gzipped, from <see cref="Gzip"/> and <see cref="Url"/>.</summary>
    public bool UsesGzip => Gzip.ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => !IsLoopback(Url),
    };

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host, out var ip) && System.Net.IPAddress.IsLoopback(ip)));

    /// <summary>Timeout of one write request, seconds.</summary>
    public int TimeoutSeconds { get; set; } = 15;

    /// <summary>First retry delay, milliseconds (doubled per attempt, with ±50 % jitter).</summary>
    public int RetryInitialMs { get; set; } = 200;

    /// <summary>Longest retry delay, milliseconds.</summary>
    public int RetryMaxMs { get; set; } = 10_000;

    internal IEnumerable<string> Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            yield return "Storage:Url must be an absolute http(s) URL";
        }

        if (string.IsNullOrWhiteSpace(Database))
        {
            yield return "Storage:Database must be set";
        }

        if (BatchLines is < 1 or > 100_000)
        {
            yield return "Storage:BatchLines must be 1–100000";
        }

        if (Gzip.ToLowerInvariant() is not ("auto" or "true" or "false"))
        {
            yield return $"Storage:Gzip must be auto, true or false (got '{Gzip}')";
        }

        if (MaxInFlight is < 1 or > 64)
        {
            yield return "Storage:MaxInFlight must be 1–64";
        }

        if (TimeoutSeconds < 1)
        {
            yield return "Storage:TimeoutSeconds must be ≥ 1";
        }

        if (RetryInitialMs < 1 || RetryMaxMs < RetryInitialMs)
        {
            yield return "Storage:RetryInitialMs must be ≥ 1 and ≤ Storage:RetryMaxMs";
        }

        if (RetentionDays < 0)
        {
            yield return "Storage:RetentionDays must be ≥ 0";
        }
    }
}
