using System.Globalization;
using System.Text;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>The header fields of one data segment (HJ 212-2017 Table 3), in the standard's order.</summary>
/// <param name="Flag">the full Flag value: version bits (V0 = 1 for the 2017 edition, i.e. 4) + D (2) + A (1).</param>
public readonly record struct Hj212Header(string Qn, string St, string Cn, string Pw, string Mn, int Flag);

/// <summary>
/// Builds communication packets (HJ 212-2017 Table 2): <c>##</c>, the data segment's length as 4
/// decimal digits, the data segment <c>QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…[;PNUM=…;PNO=…];CP=&amp;&amp;…&amp;&amp;</c>,
/// the Appendix A CRC of the data segment as 4 hex digits, CRLF.
/// </summary>
public static class Hj212Packet
{
    /// <summary>Longest data segment, bytes (Table 2).</summary>
    public const int MaxDataSegmentBytes = 1024;

    /// <summary>Flag of the 2017 edition (version bits V5..V0 = 000001).</summary>
    public const int Version2017 = 4;

    /// <summary>Flag bit A: the receiver must answer.</summary>
    public const int AnswerRequired = 1;

    /// <summary>Flag bit D: the packet is one part of a split message (PNUM and PNO follow).</summary>
    public const int Split = 2;

    public static string DataSegment(Hj212Header h, string cp, int pnum = 0, int pno = 0)
    {
        var sb = new StringBuilder(96 + cp.Length);
        sb.Append("QN=").Append(h.Qn).Append(";ST=").Append(h.St).Append(";CN=").Append(h.Cn)
          .Append(";PW=").Append(h.Pw).Append(";MN=").Append(h.Mn)
          .Append(";Flag=").Append(h.Flag.ToString(CultureInfo.InvariantCulture));
        if ((h.Flag & Split) != 0)
        {
            sb.Append(";PNUM=").Append(pnum.ToString(CultureInfo.InvariantCulture)).Append(";PNO=").Append(pno.ToString(CultureInfo.InvariantCulture));
        }

        sb.Append(";CP=&&").Append(cp).Append("&&");
        return sb.ToString();
    }

    /// <summary>Frames a data segment; its length counts UTF-8 bytes (the forwarder's segments are ASCII).</summary>
    public static string Frame(string dataSegment)
    {
        var bytes = Encoding.UTF8.GetBytes(dataSegment);
        if (bytes.Length > 9999)
        {
            throw new ArgumentException("a data segment longer than 9999 bytes cannot be framed", nameof(dataSegment));
        }

        return "##" + bytes.Length.ToString("D4", CultureInfo.InvariantCulture) + dataSegment + Hj212Crc.Hex(bytes) + "\r\n";
    }

    /// <summary>
    /// The data segments of one data message: the items go into CP after <paramref name="cpPrefix"/>
    /// (<c>DataTime=…</c>); when the segment would exceed 1024 bytes the items are spread over several
    /// packets with Flag bit D, PNUM (parts) and PNO (1-based), each with its own QN from
    /// <paramref name="nextQn"/>. An item is never cut.
    /// </summary>
    public static List<(string Qn, string Segment)> DataSegments(Hj212Header header, string cpPrefix, IReadOnlyList<string> items, Func<string> nextQn)
    {
        var whole = DataSegment(header, Cp(cpPrefix, items));
        if (Encoding.UTF8.GetByteCount(whole) <= MaxDataSegmentBytes)
        {
            return [(header.Qn, whole)];
        }

        // room per part: the header with the split fields at their widest (PNUM/PNO up to 4 digits)
        var splitHeader = header with { Flag = header.Flag | Split };
        var overhead = Encoding.UTF8.GetByteCount(DataSegment(splitHeader, Cp(cpPrefix, []), 9999, 9999));
        var room = MaxDataSegmentBytes - overhead;
        var parts = new List<List<string>> { new() };
        var used = 0;
        foreach (var item in items)
        {
            var size = Encoding.UTF8.GetByteCount(item) + 1;
            if (size > room)
            {
                throw new ArgumentException($"item '{item}' does not fit a data segment", nameof(items));
            }

            if (used + size > room && parts[^1].Count > 0)
            {
                parts.Add([]);
                used = 0;
            }

            parts[^1].Add(item);
            used += size;
        }

        var result = new List<(string, string)>(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            var qn = i == 0 ? header.Qn : nextQn();
            result.Add((qn, DataSegment(splitHeader with { Qn = qn }, Cp(cpPrefix, parts[i]), parts.Count, i + 1)));
        }

        return result;
    }

    private static string Cp(string prefix, IReadOnlyList<string> items) => items.Count == 0 ? prefix : prefix + ";" + string.Join(';', items);

    /// <summary>A number as the CP carries it: plain decimal notation, no exponent, invariant culture.</summary>
    public static string Number(double value, int decimals)
    {
        var rounded = Math.Round(value, Math.Clamp(decimals, 0, 15), MidpointRounding.AwayFromZero);
        var text = rounded.ToString("F" + Math.Clamp(decimals, 0, 15).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (text.Contains('.', StringComparison.Ordinal))
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }

        return text == "-0" ? "0" : text;
    }
}
