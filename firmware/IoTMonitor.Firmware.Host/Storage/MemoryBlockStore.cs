using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Host.Storage;

/// <summary>
/// An <see cref="IBlockStore"/> in RAM: the virtual node's flash when it need not survive the
/// process. Starts erased (0xFF). <see cref="Flush"/> is a no-op: every write is "durable".
/// </summary>
public sealed class MemoryBlockStore : IBlockStore
{
    private readonly byte[] _bytes;

    public MemoryBlockStore(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _bytes = new byte[size];
        Array.Fill(_bytes, (byte)0xFF);
    }

    public int Size => _bytes.Length;

    public void Read(int address, byte[] buffer, int offset, int count) => Array.Copy(_bytes, address, buffer, offset, count);

    public void Write(int address, byte[] buffer, int offset, int count) => Array.Copy(buffer, offset, _bytes, address, count);

    public void Flush()
    {
    }
}
