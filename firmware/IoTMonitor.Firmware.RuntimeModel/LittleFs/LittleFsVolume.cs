namespace IoTMonitor.Firmware.RuntimeModel.LittleFs;

/// <summary>
/// Behaviour model of the ESP32's <c>I:</c> volume (LittleFS through esp_littlefs and the
/// nanoFramework file-system driver) for host tests. Each file keeps its committed content (as of
/// its last close) apart from what open handles have written since; <see cref="Reset"/> (deep
/// sleep, watchdog, brown-out, power cut) throws away everything uncommitted. Counts the flash
/// work of each commit (<see cref="Counters"/>), runs out of blocks like the 64-block partition
/// (copy-on-write headroom included) and can cut the power at any byte (<see cref="CutAfterSteps"/>).
/// </summary>
/// <remarks>
/// Sources are named per behaviour; the abbreviations are those of docs/references.md
/// ("Flash storage"): NFI = nanoframework/nf-interpreter @a3e8139 (drv =
/// targets/ESP32/_littlefs/littlefs_FS_Driver.cpp), ELFS = joltwallet/esp_littlefs v1.20.4
/// src/esp_littlefs.c, LFS = littlefs v2.11.2 lfs.c, FSM = nanoframework/System.IO.FileSystem
/// v1.1.93. Not thread-safe (the device runs one wake at a time).
/// </remarks>
public sealed class LittleFsVolume
{
    private readonly Dictionary<string, ModelFile> _files = new(StringComparer.Ordinal);
    private readonly List<LittleFsFileStream> _open = [];
    private long _metadataLog;

    /// <summary>An empty volume (formatted) with <paramref name="geometry"/>.</summary>
    public LittleFsVolume(LittleFsGeometry? geometry = null)
    {
        Geometry = geometry ?? LittleFsGeometry.Flash4Mb;
    }

    /// <summary>The volume's geometry.</summary>
    public LittleFsGeometry Geometry { get; }

    /// <summary>Flash work so far.</summary>
    public LittleFsCounters Counters { get; private set; } = new();

    /// <summary>
    /// <c>DriveInfo("I:").TotalSize</c> on the device: the driver's GetSizeInfo returns −1 and
    /// DriveInfo has no free-space member (NFI drv GetSizeInfo; NFI
    /// src/System.IO.FileSystem DriveInfo UpdateVolumeInfo; FSM DriveInfo.cs).
    /// </summary>
    public long TotalSize => -1;

    /// <summary>
    /// Flash program steps left before the power fails: each byte written is one step and each
    /// metadata commit (open, close, delete, move) one more. −1: never. When it reaches 0 the
    /// step does not happen, the volume resets and <see cref="PowerCutException"/> is thrown.
    /// </summary>
    public long CutAfterSteps { get; set; } = -1;

    /// <summary>Program steps taken so far (to enumerate every cut point of an operation).</summary>
    public long Steps { get; private set; }

    /// <summary>Times the volume lost its uncommitted writes (<see cref="Reset"/>).</summary>
    public int Resets { get; private set; }

    /// <summary>Blocks in use now: data blocks of committed files, metadata pairs, and the new blocks of open dirty files.</summary>
    public int BlocksUsed => CommittedBlocks() + PendingBlocks(null, 0, 0);

    /// <summary>Names of the files, ordinal order.</summary>
    public string[] List()
    {
        var names = _files.Keys.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        return names;
    }

    /// <summary>True when <paramref name="name"/> exists (committed; a new file exists from its open on).</summary>
    public bool Exists(string name) => _files.ContainsKey(name);

    /// <summary>Committed content of <paramref name="name"/> (what survives a reset now).</summary>
    public byte[] CommittedContent(string name) => Get(name).Committed.ToArray();

    /// <summary>Flips bits of a committed byte (flash bit rot, or damage the CRCs must catch); no cost counted.</summary>
    public void DamageCommitted(string name, int offset, byte xor)
    {
        Get(name).Committed[offset] ^= xor;
    }

    /// <summary>
    /// Adds the files nanoFramework keeps on the same volume: the config blocks (Wi-Fi, network,
    /// certificates) as <c>con_*.sys</c> files, here with the sizes the caller states
    /// (NFI targets/ESP32/_common/targetHAL_ConfigStorageLittlefs.c; reference §1).
    /// </summary>
    public void AddSystemFile(string name, int size)
    {
        using var s = Open(name, FileMode.Create, FileAccess.Write, FileShare.None);
        s.Write(new byte[size], 0, size);
    }

    /// <summary>
    /// Opens <paramref name="name"/> like nanoFramework's FileStream: the driver opens every file
    /// "r+" or, new, "w+" (NFI drv Open), so every open marks the file dirty for its mtime
    /// attribute and esp_littlefs commits that at open — one metadata write even for reading
    /// (LFS lfs_file_opencfg_; ELFS vfs_littlefs_open). A new file is committed empty at open
    /// (ELFS syncs after an open for write). A truncation (<see cref="FileMode.Create"/>,
    /// <see cref="FileMode.Truncate"/>) is pending until close (LFS lfs_file_truncate_). A second
    /// open whose share mode conflicts throws <see cref="IOException"/> (FSM FileSystemManager.cs).
    /// </summary>
    public LittleFsFileStream Open(string name, FileMode mode, FileAccess access = FileAccess.ReadWrite, FileShare share = FileShare.None)
    {
        ValidateName(name);
        var exists = _files.TryGetValue(name, out var file);
        switch (mode)
        {
            case FileMode.CreateNew when exists:
                throw new IOException($"I:\\{name} already exists");
            case FileMode.Open or FileMode.Truncate when !exists:
                throw new FileNotFoundException($"I:\\{name} not found", name);
            case FileMode.Append when access != FileAccess.Write:
                throw new ArgumentException("FileMode.Append needs FileAccess.Write", nameof(access));
        }

        if (mode is FileMode.Create or FileMode.CreateNew or FileMode.Truncate && access == FileAccess.Read)
        {
            throw new ArgumentException($"FileMode.{mode} needs write access", nameof(access));
        }

        foreach (var other in _open)
        {
            if (other.Name == name && !(Allows(other.Share, access) && Allows(share, other.Access)))
            {
                throw new IOException($"I:\\{name} is open with an incompatible share mode");
            }
        }

        MetadataCommit(0);
        Counters.Opens++;
        if (!exists)
        {
            file = new ModelFile([]);
            _files[name] = file;
        }

        var stream = new LittleFsFileStream(this, name, file!, access, share, truncate: exists && mode is FileMode.Create or FileMode.Truncate);
        if (mode == FileMode.Append)
        {
            stream.Position = stream.Length;
        }

        _open.Add(stream);
        return stream;
    }

    /// <summary>Whole committed content (one open for reading, as File.ReadAllBytes does).</summary>
    public byte[] ReadAllBytes(string name)
    {
        using var s = Open(name, FileMode.Open, FileAccess.Read, FileShare.Read);
        var b = new byte[s.Length];
        s.ReadExactly(b);
        return b;
    }

    /// <summary>File.WriteAllBytes: create or truncate, write, close (atomic at close).</summary>
    public void WriteAllBytes(string name, byte[] bytes)
    {
        using var s = Open(name, FileMode.Create, FileAccess.Write, FileShare.None);
        s.Write(bytes, 0, bytes.Length);
    }

    /// <summary>Deletes <paramref name="name"/> (a metadata commit); a missing file is no error, an open one is refused.</summary>
    public void Delete(string name)
    {
        if (!_files.ContainsKey(name))
        {
            return;
        }

        if (_open.Any(s => s.Name == name))
        {
            throw new IOException($"I:\\{name} is open");
        }

        MetadataCommit(0);
        _files.Remove(name);
    }

    /// <summary>
    /// Renames <paramref name="from"/> to <paramref name="to"/>. Onto an existing file it throws
    /// <see cref="IOException"/> (FSM File.cs Move; reference §13).
    /// </summary>
    public void Move(string from, string to)
    {
        ValidateName(to);
        var file = Get(from);
        if (_files.ContainsKey(to))
        {
            throw new IOException($"I:\\{to} already exists");
        }

        if (_open.Any(s => s.Name == from))
        {
            throw new IOException($"I:\\{from} is open");
        }

        MetadataCommit(0);
        _files.Remove(from);
        _files[to] = file;
    }

    /// <summary>
    /// Deep sleep or any reset: open files are not closed or synced (the LittleFS UnInitializeVolume
    /// is an empty return TRUE, and no finally or Dispose runs — NFI drv UnInitializeVolume,
    /// targets/ESP32/_nanoCLR/targetHAL.cpp), so every write since a file's last close is gone.
    /// </summary>
    public void Reset()
    {
        foreach (var s in _open)
        {
            s.Abandon();
        }

        _open.Clear();
        CutAfterSteps = -1;
        Resets++;
    }

    /// <summary>A copy of the committed volume (no open files, counters kept): each cut of a power-cut sweep runs on its own copy.</summary>
    public LittleFsVolume CloneCommitted()
    {
        var copy = new LittleFsVolume(Geometry) { Counters = Counters.Snapshot(), _metadataLog = _metadataLog };
        foreach (var (name, file) in _files)
        {
            copy._files[name] = new ModelFile(file.Committed.ToArray());
        }

        return copy;
    }

    internal void Step()
    {
        if (CutAfterSteps == 0)
        {
            Reset();
            throw new PowerCutException();
        }

        if (CutAfterSteps > 0)
        {
            CutAfterSteps--;
        }

        Steps++;
    }

    /// <summary>Throws IOException when a handle's pending content of <paramref name="newLength"/> (dirty from <paramref name="dirtyFrom"/>) would not fit.</summary>
    internal void CheckSpace(LittleFsFileStream writer, int newLength, int dirtyFrom)
    {
        if (CommittedBlocks() + PendingBlocks(writer, newLength, dirtyFrom) > Geometry.BlockCount)
        {
            // What the device reports when lfs_alloc finds no free block (LFS_ERR_NOSPC → errno
            // ENOSPC → IOException in managed code); free space cannot be asked beforehand.
            throw new IOException("No space left on device (I:)");
        }
    }

    /// <summary>
    /// Close of a dirty file: LFS lfs_file_close_ → lfs_file_sync_ → lfs_file_flush. An append
    /// copies the partial last block (LFS lfs_ctz_extend); a write at offset p copies everything
    /// from p's block to the end of the file ("copy over anything after current branch", LFS
    /// lfs_file_flush); files ≤ inline_max are rewritten into the directory log (LFS lfs_init).
    /// The commit is atomic: a cut before it leaves the old content.
    /// </summary>
    internal void Commit(LittleFsFileStream stream, byte[] content, int dirtyFrom, bool truncated)
    {
        var file = stream.File;
        var g = Geometry;
        Step();
        var oldLength = file.Committed.Length;
        var start = CopyStart(oldLength, dirtyFrom, truncated);
        Counters.Commits++;
        if (content.Length <= g.InlineMax)
        {
            MetadataCommit(content.Length);
        }
        else
        {
            if (!truncated && oldLength > start)
            {
                Counters.BytesCopied += oldLength - start;
            }

            var programmed = content.Length - start;
            Counters.BytesProgrammed += programmed;
            Counters.Erases += Ceil(programmed, g.BlockSize);
            MetadataCommit(0);
        }

        file.Committed = content;
    }

    internal void Closed(LittleFsFileStream stream) => _open.Remove(stream);

    private int CopyStart(int oldLength, int dirtyFrom, bool truncated)
    {
        if (truncated || oldLength <= Geometry.InlineMax)
        {
            return 0;
        }

        var p = Math.Min(dirtyFrom, oldLength);
        return p / Geometry.BlockSize * Geometry.BlockSize;
    }

    private void MetadataCommit(int inlineBytes)
    {
        Step();
        Counters.MetadataCommits++;
        var bytes = Geometry.CommitBytes + inlineBytes;
        Counters.BytesProgrammed += bytes;
        _metadataLog += bytes;
        if (_metadataLog >= Geometry.BlockSize)
        {
            // The log of a metadata block is full: littlefs compacts it into the pair's other
            // block (one erase) keeping only the live entries (LFS lfs_dir_compact).
            Counters.MetadataCompactions++;
            Counters.Erases++;
            _metadataLog = LiveMetadataBytes();
        }
    }

    private long LiveMetadataBytes()
    {
        long live = 0;
        foreach (var (name, file) in _files)
        {
            live += Geometry.EntryBytes + name.Length + (file.Committed.Length <= Geometry.InlineMax ? file.Committed.Length : 0);
        }

        return live;
    }

    // Model assumption: one metadata pair (2 blocks, the superblock's root pair) per half block
    // of live entries; littlefs splits a directory whose compacted log no longer fits.
    private int MetadataBlocks() => 2 * Math.Max(1, Ceil(LiveMetadataBytes(), Geometry.BlockSize / 2));

    private int CommittedBlocks()
    {
        var blocks = MetadataBlocks();
        foreach (var file in _files.Values)
        {
            if (file.Committed.Length > Geometry.InlineMax)
            {
                blocks += Ceil(file.Committed.Length, Geometry.BlockSize);
            }
        }

        return blocks;
    }

    // Copy-on-write headroom: until the commit, a dirty file's old blocks stay allocated beside
    // the new ones written from its first dirty block on (LFS lfs_ctz_extend, lfs_file_flush).
    private int PendingBlocks(LittleFsFileStream? writer, int writerLength, int writerDirtyFrom)
    {
        var blocks = 0;
        foreach (var s in _open)
        {
            var (length, dirtyFrom, truncated) = s == writer ? (writerLength, writerDirtyFrom, s.Truncated) : (s.PendingLength, s.DirtyFrom, s.Truncated);
            if (dirtyFrom == int.MaxValue && !truncated)
            {
                continue;
            }

            if (length > Geometry.InlineMax)
            {
                var start = CopyStart(s.File.Committed.Length, dirtyFrom, truncated);
                blocks += Ceil(length - start, Geometry.BlockSize);
            }
        }

        return blocks;
    }

    private ModelFile Get(string name) => _files.TryGetValue(name, out var f) ? f : throw new FileNotFoundException($"I:\\{name} not found", name);

    private static bool Allows(FileShare share, FileAccess access) => access switch
    {
        FileAccess.Read => (share & FileShare.Read) != 0,
        FileAccess.Write => (share & FileShare.Write) != 0,
        _ => (share & FileShare.ReadWrite) == FileShare.ReadWrite,
    };

    private static void ValidateName(string name)
    {
        // Names up to 255 characters (esp_littlefs CONFIG_LITTLEFS_OBJ_NAME_LEN default); the
        // model has one flat directory, so a separator is a caller bug.
        if (string.IsNullOrEmpty(name) || name.Length > 255 || name.IndexOfAny(['\\', '/', ':']) >= 0)
        {
            throw new ArgumentException($"bad file name '{name}'", nameof(name));
        }
    }

    private static int Ceil(long bytes, int unit) => (int)((bytes + unit - 1) / unit);

    internal sealed class ModelFile(byte[] committed)
    {
        public byte[] Committed { get; set; } = committed;
    }
}
