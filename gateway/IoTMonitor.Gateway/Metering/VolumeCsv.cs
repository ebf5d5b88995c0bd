using System.Globalization;
using System.Text;

namespace IoTMonitor.Gateway.Metering;

/// <summary>
/// A district's volumes as CSV (RFC 4180, UTF-8, header line): one row per channel and period
/// (<c>site</c> empty) followed by its sites' rows, each with its completeness figures beside the
/// volume, as the JSON answer has them.
/// </summary>
public static class VolumeCsv
{
    public const string Header = "district,channel,site,source,period_start,period_end,volume_m3,completeness,covered_s,gap_s,flagged_s,interpolated_s,resets,readings,wraps\n";

    public static string Write(DistrictVolumes d)
    {
        var sb = new StringBuilder(Header);
        foreach (var c in d.Channels)
        {
            for (var i = 0; i < c.Periods.Count; i++)
            {
                Row(sb, d.District, c.Channel, string.Empty, string.Empty, c.Periods[i]);
                foreach (var s in c.Sites)
                {
                    Row(sb, d.District, c.Channel, s.Site, s.Source, s.Periods[i]);
                }
            }
        }

        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string district, string channel, string site, string source, PeriodVolume p)
    {
        static string Iso(long t) => DateTimeOffset.FromUnixTimeSeconds(t).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        sb.Append(CultureInfo.InvariantCulture, $"{district},{channel},{site},{source},{Iso(p.Start)},{Iso(p.End)},{p.Volume.ToString("0.###", CultureInfo.InvariantCulture)},{p.Completeness.ToString("0.####", CultureInfo.InvariantCulture)},{p.CoveredSeconds},{p.GapSeconds},{p.FlaggedSeconds},{p.InterpolatedSeconds},{p.Resets},{p.Readings},{p.Wraps}\n");
    }
}
