using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Host.Signals;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// A host-only tipping-bucket gauge for the virtual fleet (config kind <c>sim_rain_gauge</c>,
/// quantity <c>rain.total</c>): it yields the rain counted since the node's last cold start, in
/// whole tips, as the rainfall contract asks (docs/protocol.md §8, Rainfall). The counting keeps on
/// through deep sleep (like the tip counter the real gauge needs) and restarts at a cold start
/// (<see cref="PowerOn"/>). It stands in until the firmware core's own rain drivers are wired to the
/// simulated buses.
/// </summary>
public sealed class SimulatedRainGauge : ISensor
{
    public const string KindName = "sim_rain_gauge";

    private readonly Func<long> _utc;
    private readonly SiteEnvironment _env;

    public SimulatedRainGauge(Func<long> utc, SiteEnvironment env, double tipMm = 0.2)
    {
        _utc = utc;
        _env = env;
        TipMm = tipMm;
        CountingFromUtc = utc();
    }

    /// <summary>Rain per tip, mm (0.1, 0.2 or 0.5 for common gauges).</summary>
    public double TipMm { get; }

    /// <summary>When the count began: the node's last cold start.</summary>
    public long CountingFromUtc { get; private set; }

    public int ChannelCount => 1;

    public int WarmupMs => 0;

    /// <summary>A cold start: the node's counter begins at 0 again.</summary>
    public void PowerOn(long utc) => CountingFromUtc = utc;

    /// <summary>Tips counted between the cold start and <paramref name="utc"/>.</summary>
    public long TipsAt(long utc) => (long)Math.Floor((_env.RainDepthMm(CountingFromUtc, utc) / TipMm) + 1e-9);

    public ReadResult Initialize() => ReadResult.Ok;

    public ReadResult Start() => ReadResult.Ok;

    public ReadResult Read(double[] raw)
    {
        // whole tips at 0.1-mm resolution: round, so 7 tips of 0.2 mm are 1.4, not 1.4000000000000001
        raw[0] = Math.Round(TipsAt(_utc()) * TipMm, 1);
        return ReadResult.Ok;
    }

    public void Sleep()
    {
    }
}
