namespace IoTMonitor.Gateway.Buffering;

/// <summary>
/// The checksum of one WAL record: CRC-32 (IEEE 802.3, System.IO.Hashing's vectorised
/// implementation) over the record's line count followed by its data, so a flipped bit in either
/// is found on replay.
/// </summary>
public static class RecordChecksum
{
    public static uint Of(ReadOnlySpan<byte> lineCount, ReadOnlySpan<byte> data)
    {
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(lineCount);
        crc.Append(data);
        return crc.GetCurrentHashAsUInt32();
    }
}
