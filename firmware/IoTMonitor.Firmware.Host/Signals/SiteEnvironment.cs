using IoTMonitor.Firmware.Host.Sensors;

namespace IoTMonitor.Firmware.Host.Signals;

/// <summary>
/// The simulated environment of one site as pure functions of time (Unix seconds), deterministic
/// from the site's seed: diurnal and seasonal air temperature; water and soil temperature that
/// follow it damped and late; rain events (Poisson, 3-hour blocks) that raise water level,
/// turbidity and soil moisture and decay afterwards; pollution episodes (1–3 days) with high PM2.5,
/// low dissolved oxygen and pH excursions; sunshine for the solar charger.
/// </summary>
/// <remarks>
/// Figures are plausible for the basins in Fleet/sites.json (semi-arid north-west, humid Sichuan
/// basin), not measurements. Rain and episode rates come from <see cref="EnvironmentOptions"/>.
/// </remarks>
public sealed class SiteEnvironment
{
    private const double Day = 86400;
    private const long RainBlockSec = 3 * 3600;
    private const long EpisodeBlockSec = 86400;

    private readonly long _seed;
    private readonly double _latitude;
    private readonly double _longitude;
    private readonly double _altitudeM;
    private readonly EnvironmentOptions _o;

    public SiteEnvironment(string siteId, double latitude, double longitude, double altitudeM, EnvironmentOptions? options = null)
    {
        _seed = Noise.Hash(siteId);
        _latitude = latitude;
        _longitude = longitude;
        _altitudeM = altitudeM;
        _o = options ?? new EnvironmentOptions();
    }

    /// <summary>Local solar hour (0–24) at <paramref name="utc"/>.</summary>
    public double SolarHour(double utc) => (((utc / 3600.0) + (_longitude / 15.0)) % 24 + 24) % 24;

    /// <summary>Day of year (0–365) at <paramref name="utc"/>.</summary>
    public static double DayOfYear(double utc) => (utc / Day) % 365.2425;

    /// <summary>Air temperature, °C: seasonal mean by latitude and altitude, diurnal swing peaking 15:00, weather noise; rain cools.</summary>
    public double AirTempC(double utc)
    {
        var season = -Math.Cos(2 * Math.PI * (DayOfYear(utc) - 15) / 365.2425); // −1 mid-January, +1 mid-July
        var annualMean = 30 - (0.55 * _latitude) - (0.0055 * _altitudeM);
        var seasonalSwing = 6 + (0.3 * _latitude);
        var diurnal = (5 + (2 * (1 - Cloud(utc)))) * Math.Cos(2 * Math.PI * (SolarHour(utc) - 15) / 24);
        return annualMean + (seasonalSwing * season) + diurnal + (2.5 * Noise.Smooth(_seed, 1, utc, 2 * Day)) - (3 * Math.Min(1, RainResponse(utc, 2 * 3600)));
    }

    /// <summary>Relative humidity, %: high at dawn and in rain, low in the afternoon.</summary>
    public double RelativeHumidity(double utc)
    {
        var rh = 55 - (15 * Math.Cos(2 * Math.PI * (SolarHour(utc) - 15) / 24)) + (10 * Noise.Smooth(_seed, 2, utc, Day)) + (30 * Math.Min(1, RainResponse(utc, 6 * 3600)));
        return Math.Clamp(rh, 8, 99);
    }

    /// <summary>Station pressure, hPa (barometric with altitude, synoptic waves of a few days).</summary>
    public double PressureHpa(double utc) => (1013.25 * Math.Exp(-_altitudeM / 8434.0)) + (8 * Noise.Smooth(_seed, 3, utc, 3 * Day)) - (4 * Math.Min(1, RainResponse(utc, 6 * 3600)));

    /// <summary>Water temperature, °C: the air's daily mean, damped swing three hours late; never below 0.</summary>
    public double WaterTempC(double utc)
    {
        var dailyMean = AirTempC(utc - (3 * Day / 4)) * 0.25 + AirTempC(utc - (Day / 2)) * 0.25 + AirTempC(utc - (Day / 4)) * 0.25 + AirTempC(utc) * 0.25;
        var swing = 1.5 * Math.Cos(2 * Math.PI * (SolarHour(utc) - 18) / 24);
        return Math.Clamp((0.8 * dailyMean) + 3 + swing, 0.2, 32);
    }

    /// <summary>Soil temperature at 10 cm, °C.</summary>
    public double SoilTempC(double utc) => Math.Clamp(WaterTempC(utc) + (2 * Math.Cos(2 * Math.PI * (SolarHour(utc) - 17) / 24)), -15, 45);

    /// <summary>Rain intensity now, mm/h (0 outside events).</summary>
    public double RainMmPerHour(double utc)
    {
        var storm = _o.Storm?.IntensityMmPerHour(utc) ?? 0;
        var block = (long)Math.Floor(utc / RainBlockSec);
        var u = Noise.Uniform(_seed, 10, block);
        if (u >= _o.RainProbabilityPerBlock)
        {
            return storm;
        }

        var within = (utc - (block * RainBlockSec)) / RainBlockSec;
        var peak = 2 + (25 * Noise.Uniform(_seed, 11, block));
        return storm + (peak * Math.Sin(Math.PI * within));
    }

    /// <summary>
    /// Rain fallen between two times, mm: the storm's exact depth plus the background events
    /// integrated in closed form (∫ peak·sin(π·w) over a block fraction), what a gauge counts.
    /// </summary>
    public double RainDepthMm(double fromUtc, double toUtc)
    {
        if (toUtc <= fromUtc)
        {
            return 0;
        }

        var depth = _o.Storm is { } storm ? storm.DepthMm(toUtc) - storm.DepthMm(fromUtc) : 0;
        for (var block = (long)Math.Floor(fromUtc / RainBlockSec); block * RainBlockSec < toUtc; block++)
        {
            if (Noise.Uniform(_seed, 10, block) >= _o.RainProbabilityPerBlock)
            {
                continue;
            }

            var peak = 2 + (25 * Noise.Uniform(_seed, 11, block));
            var w0 = Math.Clamp((fromUtc - (block * RainBlockSec)) / RainBlockSec, 0, 1);
            var w1 = Math.Clamp((toUtc - (block * RainBlockSec)) / RainBlockSec, 0, 1);
            depth += peak * (RainBlockSec / 3600.0) * (Math.Cos(Math.PI * w0) - Math.Cos(Math.PI * w1)) / Math.PI;
        }

        return depth;
    }

    /// <summary>Sum of recent rain convolved with an exponential decay of <paramref name="tauSec"/> (mm).</summary>
    public double RainResponse(double utc, double tauSec)
    {
        var total = 0.0;
        var lookback = (int)Math.Ceiling(4 * tauSec / RainBlockSec) + 1;
        var block = (long)Math.Floor(utc / RainBlockSec);
        for (var k = 0; k <= lookback; k++)
        {
            var b = block - k;
            if (Noise.Uniform(_seed, 10, b) >= _o.RainProbabilityPerBlock)
            {
                continue;
            }

            var peak = 2 + (25 * Noise.Uniform(_seed, 11, b));
            var mid = (b * RainBlockSec) + (RainBlockSec / 2.0);
            var age = utc - mid;
            if (age < -RainBlockSec / 2.0)
            {
                continue;
            }

            var amount = peak * (RainBlockSec / 3600.0) * 0.64; // ∫ sin over the block, mm
            var f = age < 0 ? (age + (RainBlockSec / 2.0)) / RainBlockSec : Math.Exp(-age / tauSec);
            total += amount * f / 10.0;
        }

        return total;
    }

    /// <summary>Cloud cover 0–1 (rain is overcast).</summary>
    public double Cloud(double utc) => Math.Clamp(0.35 + (0.35 * Noise.Smooth(_seed, 4, utc, Day)) + (RainMmPerHour(utc) > 0 ? 0.6 : 0), 0, 1);

    /// <summary>Sunshine on the panel, 0–1 of a clear-sky noon.</summary>
    public double Sun(double utc)
    {
        var h = SolarHour(utc);
        var elevation = Math.Sin(Math.PI * (h - 6) / 12);
        return elevation <= 0 ? 0 : elevation * (1 - (0.75 * Cloud(utc)));
    }

    /// <summary>Pollution episode strength 0–1 (1–3 day episodes, <see cref="EnvironmentOptions.EpisodeProbabilityPerDay"/>).</summary>
    public double Episode(double utc)
    {
        var day = (long)Math.Floor(utc / EpisodeBlockSec);
        for (var k = 0; k < 3; k++)
        {
            var d = day - k;
            if (Noise.Uniform(_seed, 20, d) < _o.EpisodeProbabilityPerDay)
            {
                var length = 1 + (int)(Noise.Uniform(_seed, 21, d) * 3);
                var age = (utc / EpisodeBlockSec) - d;
                if (age < length)
                {
                    return Math.Sin(Math.PI * age / length);
                }
            }
        }

        return 0;
    }

    public double WaterLevelM(double utc) => _o.Storm is { } storm ? storm.LevelM(utc) : Math.Clamp(1.2 + (0.15 * Noise.Smooth(_seed, 5, utc, 5 * Day)) + (0.35 * RainResponse(utc, 12 * 3600)), 0.05, 9.5);

    public double TurbidityNtu(double utc) => Math.Clamp(8 + (4 * Noise.Smooth(_seed, 6, utc, Day)) + (90 * RainResponse(utc, 4 * 3600)) + (40 * Episode(utc)), 0.5, 2800);

    public double Ph(double utc) => Math.Clamp(7.8 + (0.15 * Math.Cos(2 * Math.PI * (SolarHour(utc) - 16) / 24)) + (0.1 * Noise.Smooth(_seed, 7, utc, 2 * Day)) - (1.4 * Episode(utc) * (Noise.Uniform(_seed, 22, (long)(utc / Day)) > 0.5 ? 1 : -0.6)), 4, 10);

    public double EcUsPerCm(double utc) => Math.Clamp(850 + (120 * Noise.Smooth(_seed, 8, utc, 4 * Day)) - (150 * Math.Min(1, RainResponse(utc, 12 * 3600))) + (600 * Episode(utc)), 50, 10000);

    /// <summary>Dissolved oxygen, mg/L: saturation falls with temperature; daytime photosynthesis; episodes deplete it.</summary>
    public double DoMgL(double utc)
    {
        var sat = 14.6 - (0.39 * WaterTempC(utc)) + (0.007 * Math.Pow(WaterTempC(utc), 2));
        var photo = 0.8 * Math.Cos(2 * Math.PI * (SolarHour(utc) - 15) / 24);
        return Math.Clamp((0.9 * sat) + photo - (5.5 * Episode(utc)), 0.3, 18);
    }

    public double SoilMoistureVwc(double utc) => Math.Clamp(18 + (6 * Noise.Smooth(_seed, 9, utc, 6 * Day)) + (14 * Math.Min(1.6, RainResponse(utc, 2 * Day))), 3, 55);

    public SoilSample Soil(double utc) => new(
        SoilMoistureVwc(utc),
        SoilTempC(utc),
        Math.Clamp(450 + (80 * Noise.Smooth(_seed, 12, utc, 5 * Day)) + (10 * SoilMoistureVwc(utc)), 0, 19000),
        Math.Clamp(7.6 + (0.2 * Noise.Smooth(_seed, 13, utc, 10 * Day)), 4, 9.5),
        40 + (10 * Noise.Smooth(_seed, 14, utc, 10 * Day)),
        18 + (5 * Noise.Smooth(_seed, 15, utc, 10 * Day)),
        120 + (20 * Noise.Smooth(_seed, 16, utc, 10 * Day)));

    /// <summary>PM1/PM2.5/PM10, µg/m³: basin background, morning and evening peaks, inversions in episodes; rain washes out.</summary>
    public (double Pm1, double Pm25, double Pm10) Dust(double utc)
    {
        var h = SolarHour(utc);
        var rush = Math.Exp(-Math.Pow(h - 8, 2) / 4) + Math.Exp(-Math.Pow(h - 20, 2) / 6);
        var pm25 = (35 + (15 * Noise.Smooth(_seed, 17, utc, 2 * Day)) + (25 * rush) + (180 * Episode(utc))) * (1 - (0.6 * Math.Min(1, RainResponse(utc, 6 * 3600))));
        pm25 = Math.Clamp(pm25, 2, 900);
        return (pm25 * 0.7, pm25, Math.Min(990, pm25 * 1.6));
    }
}

/// <summary>Rates of the environment's events.</summary>
public sealed class EnvironmentOptions
{
    /// <summary>Chance that a 3-hour block has rain (0.04 ≈ a rainy spell every three days).</summary>
    public double RainProbabilityPerBlock { get; set; } = 0.04;

    /// <summary>A storm replayed over the site's catchment (rain and stream level; <c>iotmon simulate --profile storm</c>); null = none.</summary>
    public StormScenario? Storm { get; set; }

    /// <summary>Chance that a pollution episode starts on a given day.</summary>
    public double EpisodeProbabilityPerDay { get; set; } = 0.08;
}
