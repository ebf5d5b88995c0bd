namespace IoTMonitor.Firmware.RuntimeModel.LittleFs;

/// <summary>
/// An open file of <see cref="LittleFsVolume"/>, as nanoFramework's FileStream behaves on it:
/// reads see this handle's own writes; <see cref="Flush"/> is fflush only and makes nothing
/// durable (NFI drv Flush; FSM FileStream.cs; CONFIG_LITTLEFS_FLUSH_FILE_EVERY_WRITE unset);
/// only <see cref="Dispose(bool)"/> (Close) commits (ELFS vfs_littlefs_close; LFS lfs_file_close_).
/// </summary>
public sealed class LittleFsFileStream : Stream
{
    private readonly LittleFsVolume _volume;
    private byte[] _content;
    private int _length;
    private long _position;
    private bool _closed;
    private bool _abandoned;

    internal LittleFsFileStream(LittleFsVolume volume, string name, LittleFsVolume.ModelFile file, FileAccess access, FileShare share, bool truncate)
    {
        _volume = volume;
        Name = name;
        File = file;
        Access = access;
        Share = share;
        _content = truncate ? [] : file.Committed.ToArray();
        _length = _content.Length;
        Truncated = truncate;
    }

    /// <summary>The file's name.</summary>
    public string Name { get; }

    internal LittleFsVolume.ModelFile File { get; }

    internal FileAccess Access { get; }

    internal FileShare Share { get; }

    internal bool Truncated { get; }

    internal int DirtyFrom { get; private set; } = int.MaxValue;

    internal int PendingLength => _length;

    public override bool CanRead => !_closed && Access != FileAccess.Write;

    public override bool CanSeek => !_closed;

    public override bool CanWrite => !_closed && Access != FileAccess.Read;

    public override long Length
    {
        get
        {
            Check();
            return _length;
        }
    }

    public override long Position
    {
        get
        {
            Check();
            return _position;
        }

        set
        {
            Check();
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    /// <summary>fflush: reaches lfs_file_write's cache, commits nothing (ELFS vfs_littlefs_write).</summary>
    public override void Flush() => Check();

    public override int Read(byte[] buffer, int offset, int count)
    {
        Check();
        if (Access == FileAccess.Write)
        {
            throw new NotSupportedException("file opened write-only");
        }

        var n = (int)Math.Max(0, Math.Min(count, _length - _position));
        Array.Copy(_content, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Check();
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _length + offset,
        };
        return _position;
    }

    public override void SetLength(long value) => throw new NotSupportedException("nanoFramework FileStream has no SetLength");

    /// <summary>Writes at the position; each byte is one program step, so a cut may fall inside.</summary>
    public override void Write(byte[] buffer, int offset, int count)
    {
        Check();
        if (Access == FileAccess.Read)
        {
            throw new NotSupportedException("file opened read-only");
        }

        var pos = (int)_position;
        var end = pos + count;
        var dirty = Math.Min(DirtyFrom, pos);
        _volume.CheckSpace(this, Math.Max(end, _length), dirty);
        if (end > _content.Length)
        {
            Array.Resize(ref _content, Math.Max(end, _content.Length * 2));
        }

        if (pos > _length)
        {
            Array.Clear(_content, _length, pos - _length);
        }

        for (var i = 0; i < count; i++)
        {
            _volume.Step();
            _content[pos + i] = buffer[offset + i];
            DirtyFrom = Math.Min(DirtyFrom, pos + i);
            _length = Math.Max(_length, pos + i + 1);
            _position = pos + i + 1;
        }

        _volume.Counters.BytesWritten += count;
    }

    internal void Abandon()
    {
        _abandoned = true;
        _closed = true;
    }

    /// <summary>Close: commits this handle's writes (atomically) unless the volume was reset.</summary>
    protected override void Dispose(bool disposing)
    {
        if (_closed)
        {
            return;
        }

        try
        {
            if (DirtyFrom != int.MaxValue || Truncated)
            {
                _volume.Commit(this, _content.AsSpan(0, _length).ToArray(), DirtyFrom, Truncated);
            }
        }
        finally
        {
            if (!_abandoned)
            {
                _closed = true;
                _volume.Closed(this);
            }
        }

        base.Dispose(disposing);
    }

    private void Check()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
    }
}
