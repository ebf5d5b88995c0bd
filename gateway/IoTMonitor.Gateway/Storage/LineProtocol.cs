using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Storage;

/// <summary>
/// Writes the InfluxDB schema of docs/protocol.md §9 as line protocol, UTF-8, one line per point,
/// each ended by '\n'. Every identifier and string is escaped, so no device id, site name, firmware
/// or calibration string can add a tag, a field or a line.
/// </summary>
public static class LineProtocol
{
    /// <summary>Appends the points of a decoded batch (readings in order, then health); returns the line count.</summary>
    public static int AppendBatch(DecodeResult batch, IBufferWriter<byte> output)
    {
        var lines = 0;
        foreach (var r in batch.Readings)
        {
            AppendMeasurement(output, r.Quantity.Domain);
            AppendTag(output, "device", batch.Device);
            AppendTag(output, "quantity", r.Quantity.Name);
            AppendTag(output, "site", batch.Site);
            var first = true;
            if (r.Value is { } value)
            {
                AppendFloatField(output, ref first, "value", value);
            }

            AppendIntField(output, ref first, "flags", r.Flags);
            AppendIntField(output, ref first, "seq", r.N);
            AppendIntField(output, ref first, "boot", batch.Boot);
            if (r.Raw is { } raw)
            {
                AppendFloatField(output, ref first, "raw", raw);
            }

            if (batch.Cal is not null)
            {
                AppendStringField(output, ref first, "cal", batch.Cal);
            }

            AppendTimestamp(output, r.T);
            lines++;
        }

        AppendMeasurement(output, "health");
        AppendTag(output, "device", batch.Device);
        AppendTag(output, "site", batch.Site);
        var f = true;
        AppendFloatField(output, ref f, "bat", batch.Battery);
        AppendIntField(output, ref f, "rssi", batch.Rssi);
        AppendIntField(output, ref f, "qd", batch.QueueDepth);
        AppendIntField(output, ref f, "drop", batch.Dropped);
        AppendIntField(output, ref f, "rst", batch.ResetReason);
        AppendStringField(output, ref f, "fw", batch.Fw);
        AppendTimestamp(output, batch.HealthTime);
        return lines + 1;
    }

    /// <summary>Measurement names: escape comma and space (and backslash); drop control characters.</summary>
    public static void AppendMeasurement(IBufferWriter<byte> output, string name) => AppendEscaped(output, name, tagLike: false);

    public static void AppendTag(IBufferWriter<byte> output, string key, string value)
    {
        Put(output, (byte)',');
        AppendEscaped(output, key, tagLike: true);
        Put(output, (byte)'=');
        AppendEscaped(output, value.Length == 0 ? "_" : value, tagLike: true);
    }

    private static void AppendFieldKey(IBufferWriter<byte> output, ref bool first, string key)
    {
        Put(output, first ? (byte)' ' : (byte)',');
        first = false;
        AppendEscaped(output, key, tagLike: true);
        Put(output, (byte)'=');
    }

    public static void AppendFloatField(IBufferWriter<byte> output, ref bool first, string key, double value)
    {
        AppendFieldKey(output, ref first, key);
        var span = output.GetSpan(32);
        // shortest round-trip form; "R" never yields NaN here (validated upstream)
        if (!value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture))
        {
            written = Encoding.ASCII.GetBytes(value.ToString("R", CultureInfo.InvariantCulture), span);
        }

        output.Advance(written);
    }

    public static void AppendIntField(IBufferWriter<byte> output, ref bool first, string key, long value)
    {
        AppendFieldKey(output, ref first, key);
        var span = output.GetSpan(24);
        Utf8Formatter.TryFormat(value, span, out var written);
        span[written++] = (byte)'i';
        output.Advance(written);
    }

    public static void AppendStringField(IBufferWriter<byte> output, ref bool first, string key, string value)
    {
        AppendFieldKey(output, ref first, key);
        Put(output, (byte)'"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                Put(output, (byte)'\\');
            }

            if (char.IsControl(c))
            {
                Put(output, (byte)' ');
                continue;
            }

            PutChar(output, c);
        }

        Put(output, (byte)'"');
    }

    private static void AppendTimestamp(IBufferWriter<byte> output, long seconds)
    {
        Put(output, (byte)' ');
        var span = output.GetSpan(24);
        Utf8Formatter.TryFormat(seconds, span, out var written);
        span[written++] = (byte)'\n';
        output.Advance(written);
    }

    private static void AppendEscaped(IBufferWriter<byte> output, string text, bool tagLike)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                // a newline cannot be escaped in line protocol: replace every control character
                Put(output, (byte)'\\');
                Put(output, (byte)' ');
                continue;
            }

            if (c is ',' or ' ' or '\\' || (tagLike && c == '='))
            {
                Put(output, (byte)'\\');
            }

            PutChar(output, c);
        }
    }

    private static void PutChar(IBufferWriter<byte> output, char c)
    {
        if (c < 0x80)
        {
            Put(output, (byte)c);
            return;
        }

        Span<char> one = [c];
        var span = output.GetSpan(4);
        var n = Encoding.UTF8.GetBytes(one, span);
        output.Advance(n);
    }

    private static void Put(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
