namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>What is wrong with a simulated probe (none, drifting, stuck or failed).</summary>
public enum ProbeFaultKind
{
    None = 0,

    /// <summary>The output wanders off: an offset growing linearly from <see cref="ProbeFault.FromUtc"/>.</summary>
    Drift,

    /// <summary>The output freezes at its value at <see cref="ProbeFault.FromUtc"/>.</summary>
    Stuck,

    /// <summary>From <see cref="ProbeFault.FromUtc"/> the probe is dead: open circuit, NACK, silence, no presence pulse.</summary>
    Failed,

    /// <summary>
    /// The probe reads a fixed <see cref="ProbeFault.Offset"/> off (in the quantity's unit): an aged pH
    /// electrode, a fouled sensor — what an on-site calibration corrects.
    /// </summary>
    Offset,
}

/// <summary>A fault of one simulated probe, in effect from a simulated time on.</summary>
public sealed record ProbeFault(ProbeFaultKind Kind, long FromUtc, double DriftPerDay = 0, double Offset = 0)
{
    public static readonly ProbeFault None = new(ProbeFaultKind.None, long.MaxValue);

    public bool IsActive(long utc) => Kind != ProbeFaultKind.None && utc >= FromUtc;

    public bool IsFailed(long utc) => Kind == ProbeFaultKind.Failed && utc >= FromUtc;

    /// <summary>
    /// The value the probe shows for <paramref name="trueValue"/> at <paramref name="utc"/>;
    /// <paramref name="valueAt"/> gives the true value at another time (for a stuck probe).
    /// </summary>
    public double Apply(long utc, double trueValue, Func<long, double> valueAt)
    {
        if (!IsActive(utc))
        {
            return trueValue;
        }

        return Kind switch
        {
            ProbeFaultKind.Drift => trueValue + (DriftPerDay * (utc - FromUtc) / 86400.0),
            ProbeFaultKind.Offset => trueValue + Offset,
            ProbeFaultKind.Stuck => valueAt(FromUtc),
            _ => trueValue,
        };
    }
}
