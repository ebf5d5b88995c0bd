using System.Buffers.Binary;

namespace IoTMonitor.Gateway.Alerts.Internal;

/// <summary>
/// The stored form of a rule's sample window (<see cref="RuleState.Window"/>): a battery rule keeps
/// up to 256 samples over 48 h and the lazy writes store it again every few seconds for every
/// device that reported, so its size is most of what the engine writes. As JSON a full window was
/// about 5 kB; times as deltas of their intervals and values as delta-encoded scaled integers take a
/// few hundred bytes (a node samples at a steady interval and its battery moves by millivolts).
/// <code>
///   byte    format version (1)
///   varint  sample count n
///   byte    time mode:  0 = whole seconds: zigzag varint of the first, of the first interval, then of
///                           each interval's difference from the one before (0 at a steady interval)
///                       1 = IEEE double, little endian, each
///   byte    value mode: 0–9 = decimal digits d: round(v·10^d) as zigzag varint, then zigzag varint deltas
///                       255 = IEEE double, little endian, each
/// </code>
/// Lossless: a mode is used only if every sample decodes to the very same double; otherwise the
/// window is stored as raw doubles, so rule decisions never depend on the stored form.
/// </summary>
public static class SampleWindowCodec
{
    public const byte Version = 1;

    private const byte WholeSeconds = 0;
    private const byte RawTimes = 1;
    private const byte RawValues = 255;
    private const int MaxDigits = 9;

    // Beyond 2^53 a double no longer holds every integer: scaled values must stay below it.
    private const double MaxExact = 9_007_199_254_740_992d;

    private static readonly double[] Powers = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

    public static byte[] Encode(List<double[]> window)
    {
        var n = window.Count;
        var wholeSeconds = window.TrueForAll(s => s[0] == Math.Floor(s[0]) && Math.Abs(s[0]) < MaxExact);
        var digits = ValueDigits(window);

        // worst case: header, then 10 bytes per varint (or 8 per double) for time and value
        var buffer = new byte[3 + 5 + (n * 20)];
        var at = 0;
        buffer[at++] = Version;
        at += WriteVarint(buffer.AsSpan(at), (ulong)n);
        buffer[at++] = wholeSeconds ? WholeSeconds : RawTimes;
        buffer[at++] = digits < 0 ? RawValues : (byte)digits;

        long previous = 0, interval = 0;
        for (var i = 0; i < n; i++)
        {
            var s = window[i];
            if (wholeSeconds)
            {
                var t = (long)s[0];
                var next = i == 0 ? t : t - previous;
                at += WriteVarint(buffer.AsSpan(at), ZigZag(i < 2 ? next : next - interval));
                interval = i == 0 ? 0 : next;
                previous = t;
            }
            else
            {
                BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(at), s[0]);
                at += 8;
            }
        }

        previous = 0;
        foreach (var s in window)
        {
            if (digits >= 0)
            {
                var q = (long)Math.Round(s[1] * Powers[digits]);
                at += WriteVarint(buffer.AsSpan(at), ZigZag(q - previous));
                previous = q;
            }
            else
            {
                BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(at), s[1]);
                at += 8;
            }
        }

        return buffer.AsSpan(0, at).ToArray();
    }

    /// <summary>The window, or null when the blob is of a format this gateway does not know (a newer one).</summary>
    public static List<double[]>? Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 1 || data[0] != Version)
        {
            return null;
        }

        var at = 1;
        var n = checked((int)ReadVarint(data, ref at));
        var timeMode = data[at++];
        var valueMode = data[at++];
        if (timeMode > RawTimes || (valueMode > MaxDigits && valueMode != RawValues))
        {
            throw new InvalidDataException($"sample window: unknown time mode {timeMode} or value mode {valueMode}");
        }

        var window = new List<double[]>(n);
        long previous = 0, interval = 0;
        for (var i = 0; i < n; i++)
        {
            double t;
            if (timeMode == WholeSeconds)
            {
                var v = UnZigZag(ReadVarint(data, ref at));
                if (i == 0)
                {
                    previous = v;
                }
                else
                {
                    interval = i == 1 ? v : interval + v;
                    previous += interval;
                }

                t = previous;
            }
            else
            {
                t = BinaryPrimitives.ReadDoubleLittleEndian(data[at..]);
                at += 8;
            }

            window.Add([t, 0]);
        }

        previous = 0;
        foreach (var s in window)
        {
            if (valueMode == RawValues)
            {
                s[1] = BinaryPrimitives.ReadDoubleLittleEndian(data[at..]);
                at += 8;
            }
            else
            {
                previous += UnZigZag(ReadVarint(data, ref at));
                s[1] = previous / Powers[valueMode];
            }
        }

        return window;
    }

    /// <summary>The fewest decimal digits that give back every value exactly, or -1 for raw doubles.</summary>
    private static int ValueDigits(List<double[]> window)
    {
        for (var d = 0; d <= MaxDigits; d++)
        {
            var p = Powers[d];
            var exact = true;
            foreach (var s in window)
            {
                var scaled = Math.Round(s[1] * p);
                if (!double.IsFinite(scaled) || Math.Abs(scaled) >= MaxExact || scaled / p != s[1] || (s[1] == 0 && double.IsNegative(s[1])))
                {
                    exact = false;
                    break;
                }
            }

            if (exact)
            {
                return d;
            }
        }

        return -1;
    }

    private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

    private static long UnZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    private static int WriteVarint(Span<byte> into, ulong v)
    {
        var i = 0;
        while (v >= 0x80)
        {
            into[i++] = (byte)(v | 0x80);
            v >>= 7;
        }

        into[i++] = (byte)v;
        return i;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong v = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[at++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return v;
            }
        }

        throw new InvalidDataException("sample window: varint too long");
    }
}
