namespace IoTMonitor.Gateway.State.Leases;

/// <summary>
/// A transaction wrote state of sites whose partition lease this gateway no longer holds (it expired
/// or another replica took it): the transaction is rolled back, so nothing it wrote (state, alert,
/// notice) is committed.
/// </summary>
public sealed class LeaseLostException(IReadOnlyCollection<int> partitions)
    : Exception($"alert evaluation fenced: the lease of partition(s) {string.Join(", ", partitions)} is no longer held by this gateway")
{
    public IReadOnlyCollection<int> Partitions { get; } = partitions;
}
