using IoTMonitor.Firmware.Core.Storage;
using Microsoft.Win32.SafeHandles;

namespace IoTMonitor.Firmware.Host.Storage;

/// <summary>
/// An <see cref="IBlockStore"/> in a preallocated file, like the ESP32's file on its LittleFS
/// volume: a virtual node that "loses power" (its process is killed) keeps its queue and state.
/// <see cref="Flush"/> is an fsync. Not thread-safe: one node, one wake at a time.
/// </summary>
public sealed class FileBlockStore : IBlockStore, IDisposable
{
    private readonly SafeFileHandle _file;

    /// <summary>Opens (or creates and erases to 0xFF) <paramref name="path"/> with <paramref name="size"/> bytes.</summary>
    public FileBlockStore(string path, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Path = path;
        Size = size;
        var fresh = !File.Exists(path) || new FileInfo(path).Length != size;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (fresh)
        {
            var erased = new byte[size];
            Array.Fill(erased, (byte)0xFF);
            RandomAccess.SetLength(_file, size);
            RandomAccess.Write(_file, erased, 0);
            RandomAccess.FlushToDisk(_file);
        }
    }

    public string Path { get; }

    public int Size { get; }

    public void Read(int address, byte[] buffer, int offset, int count)
    {
        Check(address, count);
        RandomAccess.Read(_file, buffer.AsSpan(offset, count), address);
    }

    public void Write(int address, byte[] buffer, int offset, int count)
    {
        Check(address, count);
        RandomAccess.Write(_file, new ReadOnlySpan<byte>(buffer, offset, count), address);
    }

    public void Flush() => RandomAccess.FlushToDisk(_file);

    public void Dispose() => _file.Dispose();

    private void Check(int address, int count)
    {
        if (address < 0 || count < 0 || address + count > Size)
        {
            throw new IOException($"block store {Path}: access {address}+{count} outside 0..{Size}");
        }
    }
}
