namespace IoTMonitor.Firmware.Host.Signals;

/// <summary>
/// A storm placed in simulated time over a catchment: the rain a gauge at the site counts (exact
/// cumulative depth of the hyetograph) and the stream level the catchment gives (per minute, the rain
/// of each minute taken as constant). Deterministic; the levels are computed once up to the end of
/// the recession (<see cref="TailHours"/> after the storm).
/// </summary>
public sealed class StormScenario
{
    private const int StepSec = 60;
    private readonly double[] _level;

    public StormScenario(IHyetograph storm, long startUtc, LinearReservoirCatchment? catchment = null, double tailHours = 12)
    {
        Storm = storm;
        StartUtc = startUtc;
        Catchment = catchment ?? new LinearReservoirCatchment();
        TailHours = tailHours;
        var steps = (int)Math.Ceiling((storm.DurationSec + (tailHours * 3600)) / StepSec) + 1;
        _level = new double[steps];
        var quick = 0.0;
        _level[0] = Catchment.LevelM(Catchment.BaseFlowM3s);
        for (var i = 1; i < steps; i++)
        {
            // the minute's mean intensity from the exact depths, so the catchment gets exactly the rain the gauge counts
            var mmPerHour = (storm.DepthMm(i * StepSec) - storm.DepthMm((i - 1) * StepSec)) * 3600 / StepSec;
            quick = Catchment.Step(quick, mmPerHour, StepSec);
            _level[i] = Catchment.LevelM(Catchment.BaseFlowM3s + quick);
        }
    }

    public IHyetograph Storm { get; }

    public long StartUtc { get; }

    public LinearReservoirCatchment Catchment { get; }

    public double TailHours { get; }

    /// <summary>Storm rain fallen between the start and <paramref name="utc"/>, mm.</summary>
    public double DepthMm(double utc) => Storm.DepthMm(utc - StartUtc);

    public double IntensityMmPerHour(double utc) => Storm.IntensityMmPerHour(utc - StartUtc);

    /// <summary>Stream level at <paramref name="utc"/>, m (base level before the storm and after the tail).</summary>
    public double LevelM(double utc)
    {
        var x = (utc - StartUtc) / StepSec;
        if (x <= 0)
        {
            return _level[0];
        }

        var i = (int)Math.Floor(x);
        return i >= _level.Length - 1 ? _level[^1] : _level[i] + ((_level[i + 1] - _level[i]) * (x - i));
    }

    /// <summary>Base level (dry weather), m.</summary>
    public double BaseLevelM => _level[0];

    /// <summary>
    /// The default design storm of <c>iotmon simulate --profile storm</c> and the tests: a 3-hour
    /// Chicago storm with an illustrative IDF (a = 1700 mm/h·min^0.75, b = 10 min, c = 0.75: 1 h ≈ 70 mm,
    /// 3 h ≈ 100 mm) and r = 0.375. Not any city's published formula: give a site's own 暴雨强度公式 for real work.
    /// </summary>
    public static ChicagoStorm DefaultDesignStorm() => new(a: 1700, b: 10, c: 0.75, r: 0.375, durationMin: 180);
}
