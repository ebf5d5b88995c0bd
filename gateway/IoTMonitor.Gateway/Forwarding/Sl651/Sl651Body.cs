namespace IoTMonitor.Gateway.Forwarding.Sl651;

/// <summary>
/// Writes an uplink body in the standard's order: serial number (2 bytes HEX), send time (YYMMDDhhmmss
/// BCD), then for reports F1 F1 + station address, station category, F0 F0 + observation time
/// (YYMMDDhhmm BCD), then elements: identifier, data definition byte (<see cref="Sl651Element.Definition"/>),
/// the value in BCD.
/// </summary>
public sealed class Sl651Body(TimeSpan offset)
{
    private readonly List<byte> _bytes = new(64);

    public int Length => _bytes.Count;

    public Sl651Body Header(int serial, DateTimeOffset sent)
    {
        _bytes.Add((byte)(serial >> 8));
        _bytes.Add((byte)serial);
        _bytes.AddRange(Bcd.Time(sent, offset, seconds: true));
        return this;
    }

    public Sl651Body Station(string address, char category)
    {
        _bytes.Add(Sl651Element.StationAddress);
        _bytes.Add(Sl651Element.StationAddress);
        _bytes.AddRange(Bcd.Address(address));
        _bytes.Add((byte)category);
        return this;
    }

    public Sl651Body Observed(DateTimeOffset at)
    {
        _bytes.Add(Sl651Element.ObservationTime);
        _bytes.Add(Sl651Element.ObservationTime);
        _bytes.AddRange(Bcd.Time(at, offset, seconds: false));
        return this;
    }

    /// <summary>Adds the element when the value fits its format; false (nothing added) when it does not or is null.</summary>
    public bool Element(byte id, double? value, ElementFormat format)
    {
        if (value is not { } v || Bcd.Number(v, format.Bytes, format.Decimals) is not { } digits)
        {
            return false;
        }

        _bytes.Add(id);
        _bytes.Add(Sl651Element.Definition(format.Bytes, format.Decimals));
        _bytes.AddRange(digits);
        return true;
    }

    /// <summary>An element whose data is not BCD (the 5-minute series): identifier, definition byte, data as given.</summary>
    public Sl651Body Raw(byte id, byte definition, IEnumerable<byte> data)
    {
        _bytes.Add(id);
        _bytes.Add(definition);
        _bytes.AddRange(data);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];
}

/// <summary>How one element's value is written: BCD bytes and implied decimals.</summary>
public readonly record struct ElementFormat(int Bytes, int Decimals);
