namespace IoTMonitor.Gateway.Model;

/// <summary>One decoded, validated reading.</summary>
public struct Reading
{
    public long N;
    public long T;
    public Quantity Quantity;
    public double? Value;
    public long Flags;
    public double? Raw;

    /// <summary>Index of the reading in the batch's <c>r</c> array.</summary>
    public int Index;
}

/// <summary>A reading the decoder refused, by its index in the batch's <c>r</c> array.</summary>
public readonly record struct RejectedReading(int Index, string Reason);
