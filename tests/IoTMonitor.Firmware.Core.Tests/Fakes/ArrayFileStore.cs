using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Core.Tests.Fakes;

/// <summary>
/// An <see cref="IFileStore"/> in preallocated slots that allocates nothing per call, so an
/// allocation measurement sees only the core's own allocations. No LittleFS behaviour (use
/// the RuntimeModel's ModelFileStore for that).
/// </summary>
public sealed class ArrayFileStore(int slots = 64, int slotBytes = 8192) : IFileStore
{
    private readonly string?[] _names = new string?[slots];
    private readonly byte[][] _data = Enumerable.Range(0, slots).Select(_ => new byte[slotBytes]).ToArray();
    private readonly int[] _length = new int[slots];

    public string[] List() => _names.Where(n => n is not null).ToArray()!;

    public int Read(string name, byte[] buffer, int offset, int count)
    {
        int i = Find(name);
        if (i < 0)
        {
            return -1;
        }

        int n = Math.Min(count, _length[i]);
        Array.Copy(_data[i], 0, buffer, offset, n);
        return n;
    }

    public void Append(string name, byte[] buffer, int offset, int count)
    {
        int i = FindOrAdd(name);
        Array.Copy(buffer, offset, _data[i], _length[i], count);
        _length[i] += count;
    }

    public void Replace(string name, byte[] buffer, int offset, int count)
    {
        int i = FindOrAdd(name);
        Array.Copy(buffer, offset, _data[i], 0, count);
        _length[i] = count;
    }

    public void Delete(string name)
    {
        int i = Find(name);
        if (i >= 0)
        {
            _names[i] = null;
        }
    }

    private int Find(string name)
    {
        for (int i = 0; i < _names.Length; i++)
        {
            if (_names[i] is not null && string.Equals(_names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private int FindOrAdd(string name)
    {
        int i = Find(name);
        if (i >= 0)
        {
            return i;
        }

        i = Array.IndexOf(_names, null);
        if (i < 0)
        {
            throw new IOException("no free slot");
        }

        _names[i] = name;
        _length[i] = 0;
        return i;
    }
}
