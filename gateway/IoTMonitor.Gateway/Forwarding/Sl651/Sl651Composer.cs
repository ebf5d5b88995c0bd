namespace IoTMonitor.Gateway.Forwarding.Sl651;

/// <summary>
/// Builds the report bodies of one station from a <see cref="SiteWindow"/>: which quantity goes out
/// under which element identifier and format (docs/forwarding.md "SL 651-2014" lists them), the
/// 5-minute series of the hourly report, and the frames around them.
/// </summary>
public sealed class Sl651Composer(Sl651Options options)
{
    public static readonly ElementFormat RainFormat = new(3, 1);
    public static readonly ElementFormat StageFormat = new(4, 3);

    /// <summary>Latest-value quantities and their element: identifier and format (BCD bytes, decimals).</summary>
    public static readonly IReadOnlyList<(string Quantity, byte Id, ElementFormat Format)> Latest =
    [
        ("water.temp", Sl651Element.WaterTemperature, new(2, 1)),
        ("water.ph", Sl651Element.Ph, new(2, 2)),
        ("water.do", Sl651Element.DissolvedOxygen, new(2, 1)),
        ("water.ec", Sl651Element.Conductivity, new(3, 0)),
        ("water.turbidity", Sl651Element.Turbidity, new(2, 0)),
        ("device.battery", Sl651Element.Voltage, new(2, 2)),
    ];

    public TimeSpan Offset => options.Offset;

    /// <summary>
    /// The elements of the hourly report (34) for the hour [end − 3600, end): F4 the rain of each 5
    /// minutes (0.1 mm, FF when the gauge sent no reading in those 5 minutes), 1A the hour's rain,
    /// F5 the level's last reading of each 5 minutes (cm, FFFF when none or negative), 39 the stage
    /// (last level + the station's base), then the latest values; empty when the hour has no data.
    /// </summary>
    public byte[] HourlyElements(Sl651Station station, long end, SiteWindow w)
    {
        var b = new Sl651Body(Offset);
        var any = false;
        var from = end - 3600;
        if (w.HasGauge && w.GaugeReadIn(from, end))
        {
            var series = new byte[12];
            for (var i = 0; i < 12; i++)
            {
                var a = from + (i * 300);
                var tenths = Math.Round(w.RainIn(a, a + 300) * 10, MidpointRounding.AwayFromZero);
                series[i] = !w.GaugeReadIn(a, a + 300) || tenths > 254 ? (byte)0xFF : (byte)tenths;
            }

            b.Raw(Sl651Element.Rain5Minutes, Sl651Element.Definition(12, 0), series);
            b.Element(Sl651Element.Rain1Hour, w.RainIn(from, end), RainFormat);
            any = true;
        }

        var levels = Enumerable.Range(0, 12).Select(i => w.LastLevelIn(from + (i * 300), from + ((i + 1) * 300))).ToList();
        if (levels.Any(l => l is not null))
        {
            var series = new List<byte>(24);
            foreach (var l in levels)
            {
                var cm = l is { } m ? Math.Round(m * 100, MidpointRounding.AwayFromZero) : -1;
                var v = cm is < 0 or > 65534 ? 0xFFFF : (int)cm;
                series.Add((byte)(v >> 8));
                series.Add((byte)v);
            }

            b.Raw(Sl651Element.Level5Minutes, Sl651Element.Definition(24, 0), series);
            any = true;
            b.Element(Sl651Element.RiverStage, w.LastLevelIn(from, end) + station.LevelBaseMetres, StageFormat);
        }

        any |= AddLatest(b, w);
        return any ? b.ToArray() : [];
    }

    /// <summary>
    /// The elements of a timed (32) or additional (33) report at <paramref name="end"/>: 20 the rain
    /// since <paramref name="rainFrom"/>, 39 the stage, then the latest values; empty without data.
    /// </summary>
    public byte[] StateElements(Sl651Station station, long rainFrom, long end, SiteWindow w)
    {
        var b = new Sl651Body(Offset);
        var any = false;
        if (w.HasGauge && w.GaugeReadIn(rainFrom, end))
        {
            any |= b.Element(Sl651Element.RainCurrent, w.RainIn(rainFrom, end), RainFormat);
        }

        any |= b.Element(Sl651Element.RiverStage, w.LastLevelIn(w.From, end) + station.LevelBaseMetres, StageFormat);
        any |= AddLatest(b, w);
        return any ? b.ToArray() : [];
    }

    /// <summary>A whole uplink frame: header (serial, send time), station, observation time, elements.</summary>
    public byte[] Report(Sl651Platform platform, Sl651Station station, byte function, int serial, DateTimeOffset sent, DateTimeOffset observed, byte[] elements)
    {
        var body = new Sl651Body(Offset).Header(serial, sent).Station(station.Station, station.Category[0]).Observed(observed).ToArray();
        return Up(platform, station, function, [.. body, .. elements], Sl651Control.Etx);
    }

    public static byte[] Up(Sl651Platform platform, Sl651Station station, byte function, byte[] body, byte end) =>
        new Sl651Frame(true, (byte)platform.CentreAddress, station.Station, platform.PasswordValue, function, end, body).Encode();

    private static bool AddLatest(Sl651Body b, SiteWindow w)
    {
        var any = false;
        foreach (var (quantity, id, format) in Latest)
        {
            any |= b.Element(id, w.Latest.TryGetValue(quantity, out var v) ? v : null, format);
        }

        return any;
    }
}
