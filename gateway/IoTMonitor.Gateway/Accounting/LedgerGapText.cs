using System.Globalization;
using System.Text;

namespace IoTMonitor.Gateway.Accounting;

/// <summary>A ledger's gaps as the stores keep them: <c>from-to</c> ranges joined by commas, e.g. <c>4-7,12-12</c>.</summary>
internal static class LedgerGapText
{
    public static string Format(SequenceGap[] gaps)
    {
        var sb = new StringBuilder();
        foreach (var g in gaps)
        {
            sb.Append(sb.Length == 0 ? "" : ",").Append(g.From.ToString(CultureInfo.InvariantCulture)).Append('-').Append(g.To.ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    public static SequenceGap[] Parse(string text) =>
        text.Length == 0 ? [] : text.Split(',').Select(g =>
        {
            var dash = g.IndexOf('-', StringComparison.Ordinal);
            return new SequenceGap(long.Parse(g[..dash], CultureInfo.InvariantCulture), long.Parse(g[(dash + 1)..], CultureInfo.InvariantCulture));
        }).ToArray();
}
