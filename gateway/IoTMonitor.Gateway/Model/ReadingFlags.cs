namespace IoTMonitor.Gateway.Model;

/// <summary>Quality flag bits (docs/protocol.md §4).</summary>
[Flags]
public enum ReadingFlags
{
    None = 0,
    OutOfRange = 1,
    Stuck = 2,
    NoValue = 4,
    WarmingUp = 8,
    Uncalibrated = 16,
    TimeEstimated = 32,
    SensorFault = 64,
}
