using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

/// <summary>
/// A serial port fed by the test: <see cref="Feed"/> queues received bytes, and
/// <see cref="ChunkSize"/> limits how many one <see cref="Read"/> returns, so a frame arrives split
/// across reads. Written bytes are kept in <see cref="Sent"/>. An optional responder queues a reply
/// to each write. No allocation per Read/Write once the buffers exist.
/// </summary>
public sealed class FakeUart : IUart
{
    private readonly byte[] _rx = new byte[1 << 16];
    private int _head;
    private int _tail;

    public byte[] Sent { get; } = new byte[1 << 16];

    public int SentCount { get; private set; }

    public int Writes { get; private set; }

    public int Discards { get; private set; }

    public int ChunkSize { get; set; } = int.MaxValue;

    /// <summary>Called after every write with (buffer, offset, count); may call <see cref="Feed"/>.</summary>
    public Action<byte[], int, int>? OnWrite { get; set; }

    public int Pending => _tail - _head;

    public void Feed(params byte[] bytes) => Feed(bytes, 0, bytes.Length);

    public void Feed(byte[] bytes, int offset, int count)
    {
        if (_tail + count > _rx.Length)
        {
            int n = _tail - _head;
            Array.Copy(_rx, _head, _rx, 0, n);
            _head = 0;
            _tail = n;
        }

        Array.Copy(bytes, offset, _rx, _tail, count);
        _tail += count;
    }

    public int Read(byte[] buffer, int offset, int count)
    {
        int n = Math.Min(Math.Min(count, _tail - _head), ChunkSize);
        Array.Copy(_rx, _head, buffer, offset, n);
        _head += n;
        return n;
    }

    public void Write(byte[] buffer, int offset, int count)
    {
        Writes++;
        if (SentCount + count > Sent.Length)
        {
            SentCount = 0;
        }

        Array.Copy(buffer, offset, Sent, SentCount, count);
        SentCount += count;
        OnWrite?.Invoke(buffer, offset, count);
    }

    public void DiscardInput()
    {
        Discards++;
        _head = _tail = 0;
    }

    public byte[] SentBytes() => Sent.AsSpan(0, SentCount).ToArray();

    public void ClearSent() => SentCount = 0;
}
