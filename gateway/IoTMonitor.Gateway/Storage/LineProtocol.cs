using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Storage;

/// <summary>
/// Writes the InfluxDB schema of docs/protocol.md §9 as line protocol, UTF-8, one line per point,
/// each ended by '\n'. Every identifier and string is escaped, so no device id, site name, firmware
/// or calibration string can add a tag, a field or a line.
/// <para>
/// This runs once per reading on the ingest path, so a line is written into one span reserved for
/// its worst case (escaping at most doubles a character; UTF-8 needs at most 3 bytes per UTF-16
/// unit) instead of byte by byte through <see cref="IBufferWriter{T}"/>, and the common case, an
/// identifier of plain printable ASCII, is copied without a per-character loop.
/// </para>
/// </summary>
public static class LineProtocol
{
    // Printable ASCII that needs no escape anywhere in a measurement, tag key/value or field key.
    private static readonly SearchValues<char> Plain = SearchValues.Create(
        "!\"#$%&'()*+-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    // Printable ASCII that needs no escape inside a double-quoted string field.
    private static readonly SearchValues<char> PlainInString = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private const int NumberBytes = 32; // "R" double, long with sign, suffix and separator

    /// <summary>Appends the points of a decoded batch (readings in order, then health); returns the line count.</summary>
    public static int AppendBatch(DecodeResult batch, IBufferWriter<byte> output)
    {
        var device = batch.Device.Length == 0 ? "_" : batch.Device;
        var site = batch.Site.Length == 0 ? "_" : batch.Site;
        var lines = 0;
        foreach (var r in batch.Readings)
        {
            var q = r.Quantity;
            var bound = 6 * (q.Domain.Length + device.Length + q.Name.Length + site.Length + (batch.Cal?.Length ?? 0)) + 64 + 6 * NumberBytes;
            var line = new Line(output.GetSpan(bound));
            line.Escaped(q.Domain, tagLike: false);
            line.Tag(",device="u8, device);
            line.Tag(",quantity="u8, q.Name.Length == 0 ? "_" : q.Name);
            line.Tag(",site="u8, site);
            var sep = (byte)' ';
            if (r.Value is { } value)
            {
                line.Float(sep, "value="u8, value);
                sep = (byte)',';
            }

            line.Int(sep, "flags="u8, r.Flags);
            line.Int((byte)',', "seq="u8, r.N);
            line.Int((byte)',', "boot="u8, batch.Boot);
            if (r.Raw is { } raw)
            {
                line.Float((byte)',', "raw="u8, raw);
            }

            if (batch.Cal is not null)
            {
                line.String((byte)',', "cal="u8, batch.Cal);
            }

            line.Timestamp(r.T);
            output.Advance(line.Length);
            lines++;
        }

        var health = new Line(output.GetSpan((6 * (device.Length + site.Length + batch.Fw.Length + (batch.Operator?.Length ?? 0) + (batch.Iccid?.Length ?? 0))) + 128 + (12 * NumberBytes)));
        health.Raw("health"u8);
        health.Tag(",device="u8, device);
        health.Tag(",site="u8, site);
        health.Float((byte)' ', "bat="u8, batch.Battery);
        health.Int((byte)',', "rssi="u8, batch.Rssi);
        health.Int((byte)',', "qd="u8, batch.QueueDepth);
        health.Int((byte)',', "drop="u8, batch.Dropped);
        health.Int((byte)',', "rst="u8, batch.ResetReason);
        if (batch.PowerMode is { } pwr)
        {
            health.Int((byte)',', "pwr="u8, pwr);
        }

        if (batch.EventMode is { } ev)
        {
            health.Int((byte)',', "ev="u8, ev);
        }

        if (batch.DriftPpm is { } drift)
        {
            health.Int((byte)',', "drift="u8, drift);
        }

        if (batch.Unplaceable is { } unp)
        {
            health.Int((byte)',', "unp="u8, unp);
        }

        if (batch.AccessTech is { } act)
        {
            health.Int((byte)',', "act="u8, act);
        }

        if (batch.Rsrp is { } rsrp)
        {
            health.Int((byte)',', "rsrp="u8, rsrp);
        }

        if (batch.Operator is { } op)
        {
            health.String((byte)',', "op="u8, op);
        }

        if (batch.Iccid is { } iccid)
        {
            health.String((byte)',', "iccid="u8, iccid);
        }
        health.String((byte)',', "fw="u8, batch.Fw);
        health.Timestamp(batch.HealthTime);
        output.Advance(health.Length);
        return lines + 1;
    }

    /// <summary>
    /// A measurement name (<paramref name="tagLike"/> false) or tag key/value (true) escaped by the
    /// same rules as the ingest lines, for lines written off the hot path (alert history).
    /// </summary>
    public static string Escape(string text, bool tagLike) => Format(text, tagLike ? Part.Tag : Part.Measurement);

    /// <summary>A string field value: double-quoted, <c>"</c> and <c>\</c> escaped, control characters as spaces.</summary>
    public static string Quote(string value) => Format(value, Part.String);

    private enum Part
    {
        Measurement,
        Tag,
        String,
    }

    private static string Format(string text, Part part)
    {
        var rented = ArrayPool<byte>.Shared.Rent((6 * text.Length) + 2);
        try
        {
            var line = new Line(rented);
            if (part == Part.String)
            {
                line.Quoted(text);
            }
            else
            {
                line.Escaped(text, tagLike: part == Part.Tag);
            }

            return Encoding.UTF8.GetString(rented, 0, line.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>One line being written into a span sized for its worst case.</summary>
    private ref struct Line(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;
        private int _at;

        public readonly int Length => _at;

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer[_at..]);
            _at += bytes.Length;
        }

        public void Tag(ReadOnlySpan<byte> keyWithSeparators, string value)
        {
            Raw(keyWithSeparators);
            Escaped(value, tagLike: true);
        }

        public void Float(byte separator, ReadOnlySpan<byte> key, double value)
        {
            _buffer[_at++] = separator;
            Raw(key);
            // shortest round-trip form; never NaN or Infinity here (refused by validation)
            value.TryFormat(_buffer[_at..], out var written, "R", CultureInfo.InvariantCulture);
            _at += written;
        }

        public void Int(byte separator, ReadOnlySpan<byte> key, long value)
        {
            _buffer[_at++] = separator;
            Raw(key);
            Utf8Formatter.TryFormat(value, _buffer[_at..], out var written);
            _at += written;
            _buffer[_at++] = (byte)'i';
        }

        public void String(byte separator, ReadOnlySpan<byte> key, string value)
        {
            _buffer[_at++] = separator;
            Raw(key);
            Quoted(value);
        }

        public void Quoted(string value)
        {
            _buffer[_at++] = (byte)'"';
            if (!value.AsSpan().ContainsAnyExcept(PlainInString))
            {
                _at += Encoding.ASCII.GetBytes(value, _buffer[_at..]);
            }
            else
            {
                foreach (var rune in value.EnumerateRunes())
                {
                    if (rune.Value is '"' or '\\')
                    {
                        _buffer[_at++] = (byte)'\\';
                    }

                    // a newline cannot be escaped in line protocol: a control character becomes a space
                    _at += Rune.IsControl(rune) ? Space(_buffer[_at..]) : rune.EncodeToUtf8(_buffer[_at..]);
                }
            }

            _buffer[_at++] = (byte)'"';
        }

        public void Timestamp(long seconds)
        {
            _buffer[_at++] = (byte)' ';
            Utf8Formatter.TryFormat(seconds, _buffer[_at..], out var written);
            _at += written;
            _buffer[_at++] = (byte)'\n';
        }

        /// <summary>Measurement names escape comma, space and backslash; tag keys and values also '='.</summary>
        public void Escaped(string text, bool tagLike)
        {
            if (!text.AsSpan().ContainsAnyExcept(Plain))
            {
                _at += Encoding.ASCII.GetBytes(text, _buffer[_at..]);
                return;
            }

            foreach (var rune in text.EnumerateRunes())
            {
                if (Rune.IsControl(rune))
                {
                    // a newline cannot be escaped in line protocol: every control character becomes an escaped space
                    _buffer[_at++] = (byte)'\\';
                    _at += Space(_buffer[_at..]);
                    continue;
                }

                if (rune.Value is ',' or ' ' or '\\' || (tagLike && rune.Value == '='))
                {
                    _buffer[_at++] = (byte)'\\';
                }

                _at += rune.EncodeToUtf8(_buffer[_at..]);
            }
        }

        private static int Space(Span<byte> at)
        {
            at[0] = (byte)' ';
            return 1;
        }
    }
}
