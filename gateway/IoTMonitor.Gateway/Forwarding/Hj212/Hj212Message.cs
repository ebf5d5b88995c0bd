using System.Globalization;
using System.Text;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>A packet read from a platform: the header fields and CP's <c>name=value</c> pairs (flat: items of every pollutant).</summary>
public sealed record Hj212Message(string Qn, string St, string Cn, string Pw, string Mn, int Flag, int Pnum, int Pno, IReadOnlyDictionary<string, string> Cp)
{
    public bool AnswerRequired => (Flag & Hj212Packet.AnswerRequired) != 0;

    public string? Get(string name) => Cp.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// Reads what a platform sends (answers 9014, time query/set 1011/1012, history requests): a frame is
/// checked whole — header, length, CRC, the header fields in the standard's order — and any failure is
/// a reason, never an exception.
/// </summary>
public static class Hj212Parser
{
    /// <summary>Longest frame accepted: a 1024-byte data segment plus header, CRC and CRLF.</summary>
    public const int MaxFrameBytes = 2 + 4 + Hj212Packet.MaxDataSegmentBytes + 4 + 2;

    private static readonly string[] Order = ["QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO"];

    /// <param name="frame">one frame without its trailing CRLF (the CRLF is accepted too).</param>
    public static bool TryParse(ReadOnlySpan<byte> frame, out Hj212Message? message, out string error)
    {
        message = null;
        if (frame.EndsWith("\r\n"u8))
        {
            frame = frame[..^2];
        }

        if (frame.Length > MaxFrameBytes)
        {
            error = "too_long";
            return false;
        }

        if (frame.Length < 2 + 4 + 4 || frame[0] != (byte)'#' || frame[1] != (byte)'#')
        {
            error = "bad_header";
            return false;
        }

        var length = 0;
        for (var i = 2; i < 6; i++)
        {
            if (frame[i] is < (byte)'0' or > (byte)'9')
            {
                error = "bad_length";
                return false;
            }

            length = (length * 10) + (frame[i] - '0');
        }

        if (length != frame.Length - 10)
        {
            error = "bad_length";
            return false;
        }

        var segment = frame.Slice(6, length);
        var crcText = frame[^4..];
        if (!ushort.TryParse(Encoding.ASCII.GetString(crcText), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var crc) || !IsHex(crcText))
        {
            error = "bad_crc";
            return false;
        }

        if (crc != Hj212Crc.Compute(segment))
        {
            error = "crc_mismatch";
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(segment);
        }
        catch (DecoderFallbackException)
        {
            error = "not_utf8";
            return false;
        }

        return TryParseSegment(text, out message, out error);
    }

    /// <summary>Parses a data segment (<c>QN=…;…;CP=&amp;&amp;…&amp;&amp;</c>).</summary>
    public static bool TryParseSegment(string segment, out Hj212Message? message, out string error)
    {
        message = null;
        var cpAt = segment.IndexOf("CP=&&", StringComparison.Ordinal);
        if (cpAt < 0 || !segment.EndsWith("&&", StringComparison.Ordinal) || segment.Length < cpAt + 7)
        {
            error = "no_cp";
            return false;
        }

        var head = segment[..cpAt];
        var cpBody = segment[(cpAt + 5)..^2];
        if (!head.EndsWith(';'))
        {
            error = "bad_field_order";
            return false;
        }

        var fields = head[..^1].Split(';');
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var f in fields)
        {
            var eq = f.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !values.TryAdd(f[..eq], f[(eq + 1)..]))
            {
                error = "bad_field";
                return false;
            }

            names.Add(f[..eq]);
        }

        // only the standard's header fields, in its order (QN may be absent in old notifications)
        if (names.Any(n => Array.IndexOf(Order, n) < 0) || !names.SequenceEqual(Order.Where(values.ContainsKey)))
        {
            error = "bad_field_order";
            return false;
        }

        if (!values.TryGetValue("ST", out var st) || !values.TryGetValue("CN", out var cn) || !values.TryGetValue("PW", out var pw) || !values.TryGetValue("MN", out var mn) || !values.TryGetValue("Flag", out var flagText))
        {
            error = "missing_field";
            return false;
        }

        var qn = values.GetValueOrDefault("QN", string.Empty);
        if ((qn.Length != 0 && (qn.Length != 17 || !qn.All(char.IsAsciiDigit))) || st.Length != 2 || !st.All(char.IsAsciiDigit) || cn.Length != 4 || !cn.All(char.IsAsciiDigit) || pw.Length > 6 || mn.Length > 24 || mn.Length == 0)
        {
            error = "bad_field";
            return false;
        }

        if (!int.TryParse(flagText, NumberStyles.None, CultureInfo.InvariantCulture, out var flag) || flag > 255)
        {
            error = "bad_flag";
            return false;
        }

        int pnum = 0, pno = 0;
        if ((flag & Hj212Packet.Split) != 0 && (!int.TryParse(values.GetValueOrDefault("PNUM"), NumberStyles.None, CultureInfo.InvariantCulture, out pnum) || !int.TryParse(values.GetValueOrDefault("PNO"), NumberStyles.None, CultureInfo.InvariantCulture, out pno) || pno < 1 || pno > pnum))
        {
            error = "bad_split";
            return false;
        }

        var cp = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in cpBody.Split([';', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = "bad_cp";
                return false;
            }

            cp[item[..eq]] = item[(eq + 1)..];
        }

        message = new Hj212Message(qn, st, cn, pw, mn, flag, pnum, pno, cp);
        error = string.Empty;
        return true;
    }

    private static bool IsHex(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
        {
            if (!char.IsAsciiHexDigit((char)b))
            {
                return false;
            }
        }

        return true;
    }
}
