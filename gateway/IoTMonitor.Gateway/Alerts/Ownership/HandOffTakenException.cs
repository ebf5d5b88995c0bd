namespace IoTMonitor.Gateway.Alerts.Ownership;

/// <summary>
/// A group evaluated handed-off items that another evaluation had taken first (the same row queued
/// twice, or taken by the replica that owned the site a moment before): the group is rolled back and
/// run again, taking each item when it is evaluated, so none of them is evaluated twice.
/// </summary>
internal sealed class HandOffTakenException(int missing)
    : Exception($"{missing} handed-off item(s) of the group were taken by another evaluation")
{
    public int Missing => missing;
}
