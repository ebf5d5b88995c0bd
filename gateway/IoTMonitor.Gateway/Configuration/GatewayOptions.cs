namespace IoTMonitor.Gateway.Configuration;

/// <summary>Process-wide options (appsettings section <c>Gateway</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Folder for the WAL, the registry and the dead-letter file (relative paths of those resolve here).</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>The device ledgers' SQLite file (sequence numbers seen, gaps), kept across restarts.</summary>
    public string LedgerPath { get; set; } = "ledger.db";

    /// <summary>How often changed device ledgers are written to <see cref="LedgerPath"/> (also at a clean stop).</summary>
    public int LedgerFlushMs { get; set; } = 1000;

    internal string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.Combine(Path.GetFullPath(DataDir), path);

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            yield return "Gateway:DataDir must be set";
        }

        if (string.IsNullOrWhiteSpace(LedgerPath))
        {
            yield return "Gateway:LedgerPath must be set";
        }

        if (LedgerFlushMs is < 10 or > 60_000)
        {
            yield return "Gateway:LedgerFlushMs must be 10..60000";
        }
    }
}
