using System.Globalization;
using System.Text;

namespace IoTMonitor.Gateway.Api.Tests.Api;

/// <summary>One stored reading of the known data set.</summary>
public sealed record KnownPoint(string Domain, string Quantity, string Site, string Device, long T, double Value, long Seq, long Boot, long Flags = 0);

/// <summary>
/// The data the contract tests write straight into InfluxDB (line protocol as the gateway writes it,
/// docs/protocol.md §9) and then compute their expected answers from, independently of the API.
/// </summary>
public static class KnownData
{
    /// <summary>A day boundary 20 days ago (inside the cache's warm-up window).</summary>
    public static readonly long Base = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 86400 - 20) * 86400;

    /// <summary>s1/d1 water.ph every minute for 6 h; s1/d2 water.temp every 5 min; s2, s3 water.ph every 6 h for 10 days; c1/cd the completeness device.</summary>
    public static IReadOnlyList<KnownPoint> Points { get; } = Build();

    /// <summary>Sequence numbers of c1/cd left out: (boot, n).</summary>
    public static readonly (long Boot, long N)[] Missing = [(1, 50), (1, 51), (1, 52), (1, 53), (1, 54), (2, 20)];

    private static List<KnownPoint> Build()
    {
        var list = new List<KnownPoint>();
        for (var i = 0; i < 360; i++)
        {
            var v = Math.Round(7 + (0.5 * Math.Sin(i / 17.0)) + ((i % 7) * 0.013), 2);
            list.Add(new("water", "ph", "s1", "d1", Base + (i * 60), v, i + 1, 1));
        }

        for (var i = 0; i < 72; i++)
        {
            list.Add(new("water", "temp", "s1", "d2", Base + (i * 300), Math.Round(12 + (i % 11 * 0.37), 2), i + 1, 3));
        }

        foreach (var (site, offset) in new[] { ("s2", 0.0), ("s3", 1.5) })
        {
            for (var i = 0; i < 40; i++)
            {
                list.Add(new("water", "ph", site, site + "-node", Base + (i * 21600), Math.Round(6.5 + offset + ((i % 5) * 0.21), 2), i + 1, 1));
            }
        }

        // c1/cd: boot 1 n = 1..200, boot 2 n = 1..100, one reading every 30 s, alternating ph / temp, some missing
        var k = 0;
        foreach (var (boot, count) in new[] { (1L, 200), (2L, 100) })
        {
            for (var n = 1L; n <= count; n++)
            {
                var t = Base + (k++ * 30);
                if (Missing.Contains((boot, n)))
                {
                    continue;
                }

                list.Add(n % 2 == 1
                    ? new("water", "ph", "c1", "cd", t, 7.0, n, boot)
                    : new("water", "temp", "c1", "cd", t, 10.0, n, boot));
            }
        }

        return list;
    }

    public static string LineProtocol()
    {
        var sb = new StringBuilder();
        foreach (var p in Points)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{p.Domain},device={p.Device},quantity={p.Quantity},site={p.Site} value={p.Value.ToString("R", CultureInfo.InvariantCulture)},flags={p.Flags}i,seq={p.Seq}i,boot={p.Boot}i {p.T}000000000\n");
        }

        return sb.ToString();
    }

    /// <summary>The aggregate computed here, from the points, per epoch-aligned window.</summary>
    public static SortedDictionary<long, double> Expected(IEnumerable<KnownPoint> points, long from, long to, long window, string agg)
    {
        var result = new SortedDictionary<long, double>();
        foreach (var g in points.Where(p => p.T >= from && p.T < to).GroupBy(p => p.T - (p.T % window)))
        {
            var ordered = g.OrderBy(p => p.T).ToList();
            result[g.Key] = agg switch
            {
                "mean" => ordered.Sum(p => p.Value) / ordered.Count,
                "min" => ordered.Min(p => p.Value),
                "max" => ordered.Max(p => p.Value),
                "last" => ordered[^1].Value,
                "count" => ordered.Count,
                _ => throw new ArgumentOutOfRangeException(nameof(agg)),
            };
        }

        return result;
    }
}
