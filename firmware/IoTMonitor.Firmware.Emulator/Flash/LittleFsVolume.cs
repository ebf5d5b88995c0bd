using System.IO;

namespace IoTMonitor.Firmware.Emulator.Flash;

/// <summary>
/// The <c>I:</c> volume: LittleFS on the 4 MB layout's <c>config</c> partition, as the nanoFramework
/// driver runs it. Behaviours (reference §1–3 and §13):
/// <list type="bullet">
/// <item>A file's content survives a reset only as of its last close: the driver's Write/Flush end in
/// <c>fflush</c>, which commits no metadata; no ESP32 code calls fsync (NFI littlefs_FS_Driver.cpp
/// Write/Flush; ELFS vfs_littlefs_write; LFS lfs_file_close_). <see cref="PowerLoss"/> drops every open
/// handle's uncommitted data.</item>
/// <item>A new file is committed empty at open (ELFS vfs_littlefs_open syncs after an open for write);
/// a truncate by Create is committed only at close (LFS lfs_file_truncate_).</item>
/// <item>Every open writes metadata, a read-only open too (mtime attribute; LFS lfs_file_opencfg_).</item>
/// <item>Cost per commit: a file of ≤ 512 B lives inline in the metadata log; a larger one is copied from
/// the block of the first write not at the end to the end of the file (LFS lfs_file_flush), an append
/// copies the partial last block only (LFS lfs_ctz_extend). Erases are counted per 4 KB written;
/// metadata commits are counted as log appends, one erase per 4 KB of log (compaction).</item>
/// <item>64 blocks of 4096 B (partitions_nanoclr_4mb.csv: 0x40000); a write that needs more blocks
/// than are free throws IOException; <c>TotalSize</c> is −1 (driver GetSizeInfo).</item>
/// <item>A second open of a file already open throws IOException (share modes), and so does a move onto
/// an existing file (FSM File.cs Move).</item>
/// </list>
/// </summary>
public sealed class LittleFsVolume
{
    public const int BlockSize = 4096;
    public const int BlockCount = 64;
    public const int InlineMax = 512;

    /// <summary>Bytes one metadata commit appends to the directory log (entry + CRC tag); an estimate.</summary>
    public const int MetadataCommitBytes = 64;

    /// <summary>Blocks LittleFS keeps for the root directory's metadata pair.</summary>
    public const int MetadataBlocks = 2;

    private readonly Dictionary<string, byte[]> _committed = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<OpenFile> _open = [];
    private long _metadataLogBytes;

    /// <summary>Erase cycles so far (data copies and metadata-log compactions).</summary>
    public long Erases { get; private set; }

    /// <summary>Bytes programmed so far (data, copies and metadata).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Commits (closes that wrote, creates, deletes, moves) so far.</summary>
    public long Commits { get; private set; }

    /// <summary>Names of the committed files.</summary>
    public IReadOnlyCollection<string> Files => _committed.Keys;

    /// <summary>Blocks in use by committed files, the metadata pair included.</summary>
    public int UsedBlocks
    {
        get
        {
            int used = MetadataBlocks;
            foreach (byte[] f in _committed.Values)
            {
                used += BlocksOf(f.Length);
            }

            return used;
        }
    }

    public bool Exists(string path) => _committed.ContainsKey(Normal(path));

    /// <summary>The committed content (a copy), or null.</summary>
    public byte[]? ReadCommitted(string path) => _committed.TryGetValue(Normal(path), out byte[]? b) ? (byte[])b.Clone() : null;

    /// <summary>Puts a file as a deployment would (nanoff --filedeployment): committed, costs counted.</summary>
    public void Deploy(string path, byte[] content)
    {
        _committed[Normal(path)] = (byte[])content.Clone();
        Program(content.Length, content.Length);
        Metadata();
    }

    /// <summary>Opens a handle; <paramref name="create"/> a missing file, <paramref name="truncate"/> to empty (committed at close).</summary>
    public OpenFile Open(string path, bool create, bool truncate, bool mustNotExist)
    {
        string name = Normal(path);
        foreach (OpenFile f in _open)
        {
            if (string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                throw new IOException("file in use: " + path);
            }
        }

        bool exists = _committed.TryGetValue(name, out byte[]? content);
        if (exists && mustNotExist)
        {
            throw new IOException("file exists: " + path);
        }

        if (!exists)
        {
            if (!create)
            {
                throw new FileNotFoundException("no such file", path);
            }

            // ELFS syncs after an open for write: the new file exists, empty, from now on.
            content = [];
            _committed[name] = content;
            Commits++;
        }

        Metadata(); // the mtime attribute makes every open a metadata write
        var handle = new OpenFile(this, name, truncate ? [] : content!, truncate);
        _open.Add(handle);
        return handle;
    }

    public void Delete(string path)
    {
        string name = Normal(path);
        if (_open.Exists(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new IOException("file in use: " + path);
        }

        if (_committed.Remove(name))
        {
            Metadata();
            Commits++;
        }
    }

    public void Move(string from, string to)
    {
        string a = Normal(from), b = Normal(to);
        if (!_committed.TryGetValue(a, out byte[]? content))
        {
            throw new FileNotFoundException("no such file", from);
        }

        if (_committed.ContainsKey(b))
        {
            throw new IOException("destination exists: " + to);
        }

        _committed.Remove(a);
        _committed[b] = content;
        Metadata();
        Commits++;
    }

    /// <summary>A reset: every handle is gone, its uncommitted writes with it (nothing is synced or unmounted, *drv* UnInitializeVolume).</summary>
    public void PowerLoss()
    {
        foreach (OpenFile f in _open)
        {
            f.Lost = true;
        }

        _open.Clear();
    }

    /// <summary>Handles open right now.</summary>
    public int OpenHandles => _open.Count;

    internal void Close(OpenFile f)
    {
        if (f.Lost || !_open.Remove(f))
        {
            return;
        }

        if (!f.Dirty)
        {
            return;
        }

        byte[] old = _committed.TryGetValue(f.Name, out byte[]? o) ? o : [];
        byte[] now = f.Content.ToArray();
        long copied;
        if (now.Length <= InlineMax)
        {
            copied = now.Length; // inline: rewritten into the metadata log
        }
        else if (f.Truncated || f.FirstWrite < old.Length)
        {
            long from = f.Truncated ? 0 : BlockSize * (f.FirstWrite / BlockSize);
            copied = now.Length - from;
        }
        else
        {
            copied = (old.Length % BlockSize) + (now.Length - old.Length);
        }

        int extra = BlocksOf((int)Math.Min(copied, now.Length));
        if (UsedBlocks + extra > BlockCount)
        {
            // The new copy must fit beside the old blocks until the commit (copy-on-write).
            throw new IOException("no space on I: (LFS_ERR_NOSPC)");
        }

        _committed[f.Name] = now;
        if (now.Length > InlineMax)
        {
            Program(copied, copied);
        }
        else
        {
            _metadataLogBytes += copied;
            BytesWritten += copied;
        }

        Metadata();
        Commits++;
    }

    internal void CheckSpace(OpenFile f, long newLength)
    {
        int others = UsedBlocks - BlocksOf(_committed.TryGetValue(f.Name, out byte[]? c) ? c.Length : 0);
        if (others + BlocksOf((int)Math.Min(newLength, int.MaxValue)) > BlockCount)
        {
            throw new IOException("no space on I: (LFS_ERR_NOSPC)");
        }
    }

    private void Program(long bytes, long span)
    {
        BytesWritten += bytes;
        Erases += (span + BlockSize - 1) / BlockSize;
    }

    private void Metadata()
    {
        BytesWritten += MetadataCommitBytes;
        _metadataLogBytes += MetadataCommitBytes;
        while (_metadataLogBytes >= BlockSize)
        {
            _metadataLogBytes -= BlockSize;
            Erases++; // the log block is compacted into the other block of the pair
        }
    }

    private static int BlocksOf(int length) => length <= InlineMax ? 0 : (length + BlockSize - 1) / BlockSize;

    private static string Normal(string path)
    {
        string p = path.Replace('/', '\\');
        if (!p.StartsWith("I:\\", StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException("only the I: volume exists (target_FileSystem.cpp FS_AddVolumes): " + path);
        }

        return p;
    }

    /// <summary>One open handle: a working copy committed at <see cref="LittleFsVolume.Close"/>.</summary>
    public sealed class OpenFile
    {
        private readonly LittleFsVolume _volume;

        internal OpenFile(LittleFsVolume volume, string name, byte[] content, bool truncated)
        {
            _volume = volume;
            Name = name;
            Content = [.. content];
            Truncated = truncated;
            Dirty = truncated;
            FirstWrite = long.MaxValue;
        }

        public string Name { get; }

        internal List<byte> Content { get; }

        internal bool Truncated { get; }

        internal bool Dirty { get; private set; }

        internal long FirstWrite { get; private set; }

        internal bool Lost { get; set; }

        public long Length => Content.Count;

        public int Read(long position, byte[] buffer, int offset, int count)
        {
            Live();
            int n = (int)Math.Max(0, Math.Min(count, Content.Count - position));
            for (int i = 0; i < n; i++)
            {
                buffer[offset + i] = Content[(int)position + i];
            }

            return n;
        }

        public void Write(long position, byte[] buffer, int offset, int count)
        {
            Live();
            long end = position + count;
            if (end > Content.Count)
            {
                _volume.CheckSpace(this, end);
            }

            while (Content.Count < position)
            {
                Content.Add(0);
            }

            for (int i = 0; i < count; i++)
            {
                long p = position + i;
                if (p < Content.Count)
                {
                    Content[(int)p] = buffer[offset + i];
                }
                else
                {
                    Content.Add(buffer[offset + i]);
                }
            }

            Dirty = true;
            FirstWrite = Math.Min(FirstWrite, position);
        }

        public void SetLength(long length)
        {
            Live();
            if (length < Content.Count)
            {
                Content.RemoveRange((int)length, Content.Count - (int)length);
                FirstWrite = Math.Min(FirstWrite, length);
                Dirty = true;
            }
        }

        public void Close() => _volume.Close(this);

        private void Live()
        {
            if (Lost)
            {
                throw new IOException("handle lost at reset");
            }
        }
    }
}
