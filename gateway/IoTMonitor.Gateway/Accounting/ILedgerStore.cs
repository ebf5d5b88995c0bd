namespace IoTMonitor.Gateway.Accounting;

/// <summary>
/// Where the device ledgers outlive a restart: <see cref="SqliteLedgerStore"/> (one gateway's file)
/// or <see cref="PostgresLedgerStore"/> (joined across replicas). Written behind the ingest path
/// every flush interval and once more at a clean stop.
/// </summary>
public interface ILedgerStore : IAsyncDisposable
{
    /// <summary>Flushes done (tests).</summary>
    long Flushes { get; }

    /// <summary>Restores every stored device into <paramref name="ledger"/>; then writes its changes every <paramref name="flushInterval"/>.</summary>
    void Start(Ledger ledger, TimeSpan flushInterval);

    /// <summary>Writes every ledger that changed since the last flush, in one transaction.</summary>
    void Flush();
}
