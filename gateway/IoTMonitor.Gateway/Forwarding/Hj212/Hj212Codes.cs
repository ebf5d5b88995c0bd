namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>Command codes (CN) of HJ 212-2017 Table 9 that the forwarder sends or answers.</summary>
public static class Hj212Cn
{
    public const string TimeQuery = "1011";
    public const string TimeSet = "1012";
    public const string RealTime = "2011";
    public const string Daily = "2031";
    public const string Minute = "2051";
    public const string Hourly = "2061";
    public const string RequestAnswer = "9011";
    public const string ExecutionResult = "9012";
    public const string DataAnswer = "9014";
}

/// <summary>
/// Request answer codes (QnRtn of CN 9011) and execution results (ExeRtn of CN 9012), HJ 212-2017
/// Tables 10 and 11 (values as the standard lists them).
/// </summary>
public static class Hj212Return
{
    /// <summary>QnRtn 1: ready to execute the request.</summary>
    public const int Ready = 1;

    /// <summary>QnRtn 2: the request was refused.</summary>
    public const int Refused = 2;

    /// <summary>QnRtn 3: PW wrong.</summary>
    public const int BadPassword = 3;

    /// <summary>QnRtn 4: MN wrong.</summary>
    public const int BadMn = 4;

    /// <summary>QnRtn 5: ST wrong.</summary>
    public const int BadSt = 5;

    /// <summary>QnRtn 6: Flag wrong.</summary>
    public const int BadFlag = 6;

    /// <summary>QnRtn 7: QN wrong.</summary>
    public const int BadQn = 7;

    /// <summary>QnRtn 8: CN wrong (a command this data logger does not support).</summary>
    public const int BadCn = 8;

    /// <summary>QnRtn 9: CRC wrong.</summary>
    public const int BadCrc = 9;

    /// <summary>QnRtn 100: unknown error.</summary>
    public const int Unknown = 100;

    /// <summary>ExeRtn 1: executed successfully.</summary>
    public const int Success = 1;

    /// <summary>ExeRtn 2: execution failed, reason unknown.</summary>
    public const int Failed = 2;

    /// <summary>ExeRtn 100: no data for the request.</summary>
    public const int NoData = 100;
}

/// <summary>Data flags of HJ 212-2017 Table 8 (<c>xxx-Flag=</c>).</summary>
public static class Hj212DataFlag
{
    public const char Normal = 'N';
    public const char Stopped = 'F';
    public const char Maintenance = 'M';
    public const char ManualSetting = 'S';
    public const char Fault = 'D';
    public const char Calibration = 'C';
    public const char OverLimit = 'T';
    public const char CommunicationAbnormal = 'B';

    // bits of docs/protocol.md §4
    private const long OutOfRange = 1;
    private const long Stuck = 2;
    private const long NoValue = 4;
    private const long WarmingUp = 8;
    private const long SensorFault = 64;

    /// <summary>Quality bits that keep a reading out of the minute/hour/day aggregates.</summary>
    public const long ExcludedFromAggregates = OutOfRange | Stuck | NoValue | WarmingUp | SensorFault;

    /// <summary>
    /// The data flag of one reading (docs/forwarding.md, "Data flags"): a fault the node saw
    /// (NO_VALUE, SENSOR_FAULT, STUCK) is D; a node that stops after this batch (power mode cut-off) F;
    /// a sensor still warming up M (not yet measuring, like an instrument under maintenance); a value
    /// outside the quantity's plausible range T; everything else N (UNCALIBRATED and TIME_ESTIMATED
    /// leave the measured value valid; the standard has no flag for them).
    /// </summary>
    public static char Of(long qualityFlags, bool deviceStopping)
    {
        if ((qualityFlags & (NoValue | SensorFault | Stuck)) != 0)
        {
            return Fault;
        }

        if (deviceStopping)
        {
            return Stopped;
        }

        if ((qualityFlags & WarmingUp) != 0)
        {
            return Maintenance;
        }

        return (qualityFlags & OutOfRange) != 0 ? OverLimit : Normal;
    }
}

/// <summary>
/// Quantity (docs/protocol.md §8) → pollutant code of HJ 212-2017 Appendix B (Table B.1 water,
/// Table B.2 air), with the factor from the quantity's unit to the code's unit. Quantities without a
/// 2017 code (turbidity, TDS, water level, soil, PM1, device health) are sent only when configured
/// (<c>Forwarding:Hj212:ExtraCodes</c>), in the quantity's own unit.
/// </summary>
public static class Hj212PollutantCodes
{
    public static IReadOnlyDictionary<string, (string Code, double Factor)> Standard { get; } = new Dictionary<string, (string, double)>(StringComparer.Ordinal)
    {
        ["water.ph"] = ("w01001", 1),
        ["water.do"] = ("w01009", 1),
        ["water.ec"] = ("w01014", 1),
        ["water.temp"] = ("w01010", 1),
        ["air.pm25"] = ("a34004", 1),
        ["air.pm10"] = ("a34002", 1),
        ["air.temp"] = ("a01001", 1),
        ["air.rh"] = ("a01002", 1),
        // a01006 is in kPa; the gateway stores hPa
        ["air.pressure"] = ("a01006", 0.1),
        ["air.co2"] = ("a05001", 1),
    };
}
