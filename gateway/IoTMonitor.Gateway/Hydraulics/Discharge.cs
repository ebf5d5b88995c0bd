namespace IoTMonitor.Gateway.Hydraulics;

/// <summary>
/// Quality of a discharge derived from a head. The first bits are the protocol's (docs/protocol.md §4,
/// OUT_OF_RANGE and NO_VALUE) so a derived flow carries the same meaning as a reading; <see cref="Submerged"/>
/// is bit 7, used only on derived flow.
/// </summary>
[Flags]
public enum RatingQuality
{
    None = 0,

    /// <summary>The head is outside the range the structure's coefficients were measured over: a value is given, its accuracy is not the published one.</summary>
    OutOfRange = 1,

    /// <summary>No discharge can be given (above a rating table, no rating in force, submerged beyond the structure's free-flow limit).</summary>
    NoValue = 4,

    /// <summary>The downstream head passed the structure's free-flow (transition) submergence: the free-flow rating does not hold.</summary>
    Submerged = 128,
}

/// <summary>The discharge a rating gives for one head, in m³/s; null when <see cref="RatingQuality.NoValue"/> is set.</summary>
/// <param name="Flow">Discharge, m³/s.</param>
/// <param name="Head">The head the rating used (stage − the record's zero), m.</param>
/// <param name="Quality">What limit, if any, the head passed.</param>
/// <param name="Reason">Which limit, in words, for the flag (null when good).</param>
public readonly record struct Discharge(double? Flow, double Head, RatingQuality Quality, string? Reason)
{
    public static Discharge Good(double flow, double head) => new(flow, head, RatingQuality.None, null);

    public static Discharge Flagged(double flow, double head, string reason) => new(flow, head, RatingQuality.OutOfRange, reason);

    public static Discharge None(double head, RatingQuality quality, string reason) => new(null, head, quality | RatingQuality.NoValue, reason);
}
