namespace IoTMonitor.Firmware.RuntimeModel.LittleFs;

/// <summary>What the volume did to the flash so far: the wear and time drivers of a workload.</summary>
public sealed class LittleFsCounters
{
    /// <summary>Files opened (each open writes metadata: the mtime attribute, committed at open).</summary>
    public long Opens { get; internal set; }

    /// <summary>Commits of file content (close or sync of a dirty file).</summary>
    public long Commits { get; internal set; }

    /// <summary>Metadata commits (opens, content commits, deletes, moves).</summary>
    public long MetadataCommits { get; internal set; }

    /// <summary>Bytes the application wrote.</summary>
    public long BytesWritten { get; internal set; }

    /// <summary>Bytes littlefs copied from old blocks at commits (partial last block of an append, rest of file after a mid-file write).</summary>
    public long BytesCopied { get; internal set; }

    /// <summary>Bytes programmed to flash (data blocks and metadata log).</summary>
    public long BytesProgrammed { get; internal set; }

    /// <summary>4 KB block erases (new data blocks and metadata compactions).</summary>
    public long Erases { get; internal set; }

    /// <summary>Metadata log compactions (each one erase).</summary>
    public long MetadataCompactions { get; internal set; }

    /// <summary>A copy of the current values.</summary>
    public LittleFsCounters Snapshot() => (LittleFsCounters)MemberwiseClone();
}
