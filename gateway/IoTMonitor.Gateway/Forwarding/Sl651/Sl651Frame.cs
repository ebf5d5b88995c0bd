namespace IoTMonitor.Gateway.Forwarding.Sl651;

/// <summary>
/// One SL 651-2014 frame in HEX/BCD encoding (docs/references.md "SL 651-2014"): SOH 7E 7E; the addresses — uplink: centre
/// station (1 byte) then remote station (5 bytes); downlink: remote station then centre —; password
/// (2 bytes); function code; up/down flag (high 4 bits of 2 bytes: 0 up, 8 down) and the body length
/// (low 12 bits, bytes between STX and the end character); STX 02; the body; the end character (ETX,
/// ETB, ENQ, EOT, ACK, NAK, ESC); CRC16 (<see cref="Sl651Crc"/>) high byte first.
/// </summary>
public sealed record Sl651Frame(bool Up, byte Centre, string Station, ushort Password, byte Function, byte End, byte[] Body)
{
    /// <summary>Bytes before the body: 2 SOH + 1 centre + 5 station + 2 password + 1 function + 2 flag/length + 1 STX.</summary>
    public const int HeaderBytes = 14;

    /// <summary>Bytes of a frame around its body: the header, the end character and the CRC.</summary>
    public const int OverheadBytes = HeaderBytes + 3;

    /// <summary>The longest body the 12-bit length can give.</summary>
    public const int MaxBody = 0xFFF;

    public byte[] Encode()
    {
        if (Body.Length > MaxBody)
        {
            throw new ArgumentException($"an SL 651 body is at most {MaxBody} bytes, this one {Body.Length}");
        }

        var f = new byte[OverheadBytes + Body.Length];
        f[0] = Sl651Control.Soh;
        f[1] = Sl651Control.Soh;
        var station = Bcd.Address(Station);
        if (Up)
        {
            f[2] = Centre;
            station.CopyTo(f, 3);
        }
        else
        {
            station.CopyTo(f, 2);
            f[7] = Centre;
        }

        f[8] = (byte)(Password >> 8);
        f[9] = (byte)Password;
        f[10] = Function;
        f[11] = (byte)((Up ? 0x00 : 0x80) | (Body.Length >> 8));
        f[12] = (byte)Body.Length;
        f[13] = Sl651Control.Stx;
        Body.CopyTo(f, HeaderBytes);
        f[HeaderBytes + Body.Length] = End;
        var crc = Sl651Crc.Compute(f.AsSpan(0, HeaderBytes + Body.Length + 1));
        f[^2] = (byte)(crc >> 8);
        f[^1] = (byte)crc;
        return f;
    }

    /// <summary>
    /// Reads the first whole frame at the start of <paramref name="data"/>. Returns false with
    /// <paramref name="consumed"/> 0 when more bytes are needed; false with <paramref name="consumed"/>
    /// &gt; 0 and an <paramref name="error"/> when the bytes there are not a valid frame (skip them);
    /// true with the frame and its length. Never throws.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out Sl651Frame? frame, out int consumed, out string? error)
    {
        frame = null;
        consumed = 0;
        error = null;
        if (data.Length < 2)
        {
            return false;
        }

        if (data[0] != Sl651Control.Soh || data[1] != Sl651Control.Soh)
        {
            consumed = Math.Max(1, Skip(data));
            error = "no 7E 7E frame start";
            return false;
        }

        if (data.Length < HeaderBytes)
        {
            return false;
        }

        var flag = data[11] >> 4;
        if (flag is not (0 or 8))
        {
            consumed = 2;
            error = $"up/down flag {flag:X} is neither 0 nor 8";
            return false;
        }

        if (data[13] != Sl651Control.Stx)
        {
            consumed = 2;
            error = data[13] == Sl651Control.Syn ? "multi-packet (SYN) frames are not supported" : $"byte 14 is {data[13]:X2}, not STX";
            return false;
        }

        var length = ((data[11] & 0x0F) << 8) | data[12];
        var total = OverheadBytes + length;
        if (data.Length < total)
        {
            return false;
        }

        var end = data[HeaderBytes + length];
        if (!Sl651Control.IsEnd(end))
        {
            consumed = 2;
            error = $"no end character after the {length}-byte body (found {end:X2})";
            return false;
        }

        var crc = (ushort)((data[total - 2] << 8) | data[total - 1]);
        var computed = Sl651Crc.Compute(data[..(total - 2)]);
        if (crc != computed)
        {
            consumed = 2;
            error = $"CRC {crc:X4}, computed {computed:X4}";
            return false;
        }

        var up = flag == 0;
        var stationBytes = up ? data.Slice(3, 5) : data.Slice(2, 5);
        if (!Bcd.TryDigits(stationBytes, out var station))
        {
            consumed = total;
            error = "station address is not BCD";
            return false;
        }

        frame = new Sl651Frame(up, up ? data[2] : data[7], station, (ushort)((data[8] << 8) | data[9]), data[10], end, data.Slice(HeaderBytes, length).ToArray());
        consumed = total;
        return true;
    }

    // the next place a frame could begin
    private static int Skip(ReadOnlySpan<byte> data)
    {
        var i = data[1..].IndexOf(Sl651Control.Soh);
        return i < 0 ? data.Length : i + 1;
    }
}

/// <summary>BCD (two decimal digits a byte, high nibble first) as the standard's addresses, times and values use it.</summary>
public static class Bcd
{
    /// <summary>The 5-byte remote station address from its 10 decimal digits.</summary>
    public static byte[] Address(string digits)
    {
        if (digits.Length != 10 || !digits.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("an SL 651 station address is 10 decimal digits", nameof(digits));
        }

        return Digits(digits);
    }

    public static byte[] Digits(string digits)
    {
        var b = new byte[digits.Length / 2];
        for (var i = 0; i < b.Length; i++)
        {
            b[i] = (byte)(((digits[2 * i] - '0') << 4) | (digits[(2 * i) + 1] - '0'));
        }

        return b;
    }

    public static bool TryDigits(ReadOnlySpan<byte> bytes, out string digits)
    {
        var c = new char[bytes.Length * 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            int hi = bytes[i] >> 4, lo = bytes[i] & 0x0F;
            if (hi > 9 || lo > 9)
            {
                digits = string.Empty;
                return false;
            }

            c[2 * i] = (char)('0' + hi);
            c[(2 * i) + 1] = (char)('0' + lo);
        }

        digits = new string(c);
        return true;
    }

    /// <summary>A time as YYMMDDhhmm[ss] BCD in the given offset (<paramref name="seconds"/>: 6 bytes, else 5).</summary>
    public static byte[] Time(DateTimeOffset at, TimeSpan offset, bool seconds)
    {
        var t = at.ToOffset(offset);
        var s = t.ToString(seconds ? "yyMMddHHmmss" : "yyMMddHHmm", System.Globalization.CultureInfo.InvariantCulture);
        return Digits(s);
    }

    /// <summary>Reads YYMMDDhh[mm[ss]] BCD (4, 5 or 6 bytes) in the given offset; false for anything else.</summary>
    public static bool TryTime(ReadOnlySpan<byte> bytes, TimeSpan offset, out DateTimeOffset at)
    {
        at = default;
        if (bytes.Length is < 4 or > 6 || !TryDigits(bytes, out var d))
        {
            return false;
        }

        var year = 2000 + int.Parse(d.AsSpan(0, 2), provider: System.Globalization.CultureInfo.InvariantCulture);
        var month = int.Parse(d.AsSpan(2, 2), provider: System.Globalization.CultureInfo.InvariantCulture);
        var day = int.Parse(d.AsSpan(4, 2), provider: System.Globalization.CultureInfo.InvariantCulture);
        var hour = int.Parse(d.AsSpan(6, 2), provider: System.Globalization.CultureInfo.InvariantCulture);
        var minute = d.Length >= 10 ? int.Parse(d.AsSpan(8, 2), provider: System.Globalization.CultureInfo.InvariantCulture) : 0;
        var second = d.Length >= 12 ? int.Parse(d.AsSpan(10, 2), provider: System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        at = new DateTimeOffset(year, month, day, hour, minute, second, offset);
        return true;
    }

    /// <summary>
    /// A non-negative value as <paramref name="bytes"/> BCD bytes with <paramref name="decimals"/> implied
    /// decimals; null when it does not fit (negative, or more digits than the bytes hold).
    /// </summary>
    public static byte[]? Number(double value, int bytes, int decimals)
    {
        var scaled = Math.Round(value * Math.Pow(10, decimals), MidpointRounding.AwayFromZero);
        if (double.IsNaN(scaled) || scaled < 0 || scaled >= Math.Pow(10, 2 * bytes))
        {
            return null;
        }

        return Digits(((long)scaled).ToString(new string('0', 2 * bytes), System.Globalization.CultureInfo.InvariantCulture));
    }
}
