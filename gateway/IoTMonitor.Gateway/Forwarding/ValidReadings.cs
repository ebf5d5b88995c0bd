namespace IoTMonitor.Gateway.Forwarding;

/// <summary>
/// The readings a platform may count: flags without OUT_OF_RANGE, STUCK, NO_VALUE, WARMING_UP,
/// SENSOR_FAULT (UNCALIBRATED and TIME_ESTIMATED may be set). The flags are listed as values because
/// InfluxQL 1.x has no bit test.
/// </summary>
public static class ValidReadings
{
    /// <summary>The InfluxQL condition on the <c>flags</c> field.</summary>
    public const string Where = "(flags = 0 OR flags = 16 OR flags = 32 OR flags = 48)";
}
