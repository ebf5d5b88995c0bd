// The entry type of the quantity vocabulary (Validation/Quantities.cs). Also compiled into the CLI
// as a linked file, under the CLI's namespace like the table itself.
#if IOTMON_CLI
namespace IoTMonitor.Cli.Vocabulary;
#else
namespace IoTMonitor.Gateway.Model;
#endif

/// <summary>
/// One entry of the quantity vocabulary (docs/protocol.md §8): code, unit, resolution and plausible
/// range as in the protocol's table, plus what the gateway and the CLI show about it.
/// </summary>
/// <param name="Code">Wire code <c>domain.quantity</c>, e.g. <c>water.ph</c>.</param>
/// <param name="Unit">Unit symbol as written in the protocol (empty for none).</param>
/// <param name="Resolution">Smallest step the node sends (0.01 → 2 decimals on the wire).</param>
/// <param name="Min">Lower end of the plausible range.</param>
/// <param name="Max">Upper end of the plausible range.</param>
public sealed record Quantity(string Code, string Unit, double Resolution, double Min, double Max)
{
    /// <summary>The InfluxDB measurement: the part before the dot (<c>water</c>).</summary>
    public string Domain { get; } = Code[..Code.IndexOf('.', StringComparison.Ordinal)];

    /// <summary>The <c>quantity</c> tag: the part after the dot (<c>ph</c>).</summary>
    public string Name { get; } = Code[(Code.IndexOf('.', StringComparison.Ordinal) + 1)..];

    /// <summary>Decimals of <see cref="Resolution"/> (0.001 → 3, 1 → 0).</summary>
    public int Decimals { get; } = Math.Max(0, (int)Math.Round(-Math.Log10(Resolution)));

    /// <summary>
    /// The range a freshly installed, working probe is expected to read in at a site (wider than
    /// alarm limits, narrower than plausible): <c>iotmon check</c> fails a probe outside it. Null for a
    /// quantity that is not a probe's (device.rssi: the check judges RSSI from the node's health).
    /// </summary>
    public (double Min, double Max)? Commissioning { get; init; }

    /// <summary>Values outside [Min − span, Max + span] are refused as implausible.</summary>
    public bool IsPlausible(double value)
    {
        var span = Max - Min;
        return value >= Min - span && value <= Max + span;
    }
}
