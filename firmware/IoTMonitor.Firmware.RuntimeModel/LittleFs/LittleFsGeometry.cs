namespace IoTMonitor.Firmware.RuntimeModel.LittleFs;

/// <summary>
/// Geometry of the ESP32's I: volume and this model's metadata assumptions.
/// </summary>
/// <remarks>
/// Sources (docs/references.md, "Flash storage"): block 4096 B, cache 512 B, block_cycles 512 —
/// joltwallet/esp_littlefs v1.20.4 <c>Kconfig</c> defaults and its lfs config; the <c>config</c>
/// partition of the default 4 MB layout is 0x40000 B = 64 blocks — nf-interpreter
/// <c>targets/ESP32/_IDF/esp32/partitions_nanoclr_4mb.csv</c>; inline files ≤ 512 B live in the
/// directory's metadata log — littlefs v2.11.2 <c>lfs.c</c> lfs_init (inline_max = cache size).
/// The entry and commit sizes below are this model's assumptions (littlefs tags are 4 B each; a
/// commit also writes a CRC tag and the mtime attribute), not measured.
/// </remarks>
public sealed record LittleFsGeometry
{
    /// <summary>Erase block size, bytes (esp_littlefs Kconfig default).</summary>
    public int BlockSize { get; init; } = 4096;

    /// <summary>Blocks of the volume: the 0x40000-byte config partition of the 4 MB layout.</summary>
    public int BlockCount { get; init; } = 64;

    /// <summary>Largest file kept inline in its directory's metadata log (littlefs inline_max = cache size 512).</summary>
    public int InlineMax { get; init; } = 512;

    /// <summary>Erases of a metadata block before littlefs moves it (block_cycles).</summary>
    public int BlockCycles { get; init; } = 512;

    /// <summary>Model assumption: bytes one metadata commit appends to the directory log (tags, CTZ pointer, mtime, CRC).</summary>
    public int CommitBytes { get; init; } = 48;

    /// <summary>Model assumption: bytes a directory entry takes besides its name and inline data.</summary>
    public int EntryBytes { get; init; } = 24;

    /// <summary>Volume size in bytes.</summary>
    public long Bytes => (long)BlockSize * BlockCount;

    /// <summary>The default 4 MB-flash layout (64 blocks).</summary>
    public static LittleFsGeometry Flash4Mb { get; } = new();
}
