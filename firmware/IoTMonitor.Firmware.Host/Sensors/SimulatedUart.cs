using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// Base of a simulated serial device: bytes the device sends wait in a receive buffer until the
/// driver reads them; what the driver writes is handed to <see cref="OnHostBytes"/> byte by byte.
/// </summary>
public abstract class SimulatedUart : IUart
{
    private readonly Queue<byte> _rx = new();

    /// <summary>Bytes the driver wrote so far (for tests).</summary>
    public int BytesFromHost { get; private set; }

    public int Read(byte[] buffer, int offset, int count)
    {
        var n = 0;
        while (n < count && _rx.Count > 0)
        {
            buffer[offset + n++] = _rx.Dequeue();
        }

        return n;
    }

    public void Write(byte[] buffer, int offset, int count)
    {
        for (var i = 0; i < count; i++)
        {
            BytesFromHost++;
            OnHostBytes(buffer[offset + i]);
        }
    }

    public void DiscardInput() => _rx.Clear();

    /// <summary>The device sends <paramref name="bytes"/>.</summary>
    protected void Send(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _rx.Enqueue(b);
        }
    }

    /// <summary>One byte from the driver.</summary>
    protected abstract void OnHostBytes(byte b);
}
