using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Core.Tests.Fakes;

/// <summary>Thrown by <see cref="FakeBlockStore"/> when the simulated power fails.</summary>
public sealed class PowerCutException : Exception
{
    public PowerCutException() : base("power cut") { }
}

/// <summary>
/// In-memory <see cref="IBlockStore"/> that can lose power after exactly N written bytes: the
/// write in progress keeps its prefix, then <see cref="PowerCutException"/> unwinds the caller,
/// and the bytes stay for the next "boot" (a new object over <see cref="Data"/>).
/// </summary>
public sealed class FakeBlockStore(int size, byte fill = 0xFF) : IBlockStore
{
    public byte[] Data { get; } = Enumerable.Repeat(fill, size).ToArray();

    /// <summary>Bytes written so far (over all writes).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Power fails when <see cref="BytesWritten"/> reaches this; -1 never.</summary>
    public long CutAt { get; set; } = -1;

    public int Flushes { get; private set; }

    public int Size => Data.Length;

    public static FakeBlockStore Over(byte[] data)
    {
        var s = new FakeBlockStore(data.Length);
        data.CopyTo(s.Data, 0);
        return s;
    }

    public void Read(int address, byte[] buffer, int offset, int count) => Array.Copy(Data, address, buffer, offset, count);

    public void Write(int address, byte[] buffer, int offset, int count)
    {
        if (address < 0 || address + count > Data.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(address));
        }

        for (int i = 0; i < count; i++)
        {
            if (BytesWritten == CutAt)
            {
                throw new PowerCutException();
            }

            Data[address + i] = buffer[offset + i];
            BytesWritten++;
        }
    }

    public void Flush() => Flushes++;
}
