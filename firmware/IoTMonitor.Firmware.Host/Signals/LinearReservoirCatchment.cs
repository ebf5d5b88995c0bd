namespace IoTMonitor.Firmware.Host.Signals;

/// <summary>
/// A small catchment as one linear reservoir (storage S = k·Q): effective rain (runoff coefficient ×
/// rain) over the area flows in, the outflow Q recedes with time constant k; the stream level at
/// the outlet follows a power-law rating Q = a·(h − h0)^b above the base flow. Over a step with
/// constant inflow I the exact solution is Q(t + Δ) = I + (Q(t) − I)·e^(−Δ/k), so the result does
/// not depend on the step as long as the rain is constant within it.
/// </summary>
public sealed class LinearReservoirCatchment
{
    /// <summary>Catchment area, km² (flash-flood catchments are small: the practice targets basins under ~200 km²).</summary>
    public double AreaKm2 { get; init; } = 12;

    /// <summary>Share of rain that runs off (0–1).</summary>
    public double RunoffCoefficient { get; init; } = 0.6;

    /// <summary>Reservoir time constant k, minutes (lag of the outlet behind the rain).</summary>
    public double LagMin { get; init; } = 40;

    /// <summary>Dry-weather flow, m³/s.</summary>
    public double BaseFlowM3s { get; init; } = 0.5;

    /// <summary>Rating Q = a·(h − h0)^b: a (m³/s per m^b), b, and h0 (m, the gauge reading of zero flow).</summary>
    public double RatingA { get; init; } = 15;

    public double RatingB { get; init; } = 1.6;

    public double RatingH0M { get; init; } = 0.3;

    /// <summary>Inflow of <paramref name="rainMmPerHour"/> over the area, m³/s.</summary>
    public double InflowM3s(double rainMmPerHour) => RunoffCoefficient * rainMmPerHour / 1000 / 3600 * AreaKm2 * 1e6;

    /// <summary>The outflow after <paramref name="stepSec"/> of constant rain, starting from <paramref name="q"/> (quick flow above base, m³/s).</summary>
    public double Step(double q, double rainMmPerHour, double stepSec)
    {
        var inflow = InflowM3s(rainMmPerHour);
        return inflow + ((q - inflow) * Math.Exp(-stepSec / (LagMin * 60)));
    }

    /// <summary>Stream level for a total flow (base + quick), m.</summary>
    public double LevelM(double flowM3s) => RatingH0M + Math.Pow(Math.Max(0, flowM3s) / RatingA, 1 / RatingB);
}
