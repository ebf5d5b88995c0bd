namespace IoTMonitor.Gateway.Forwarding.Sl651;

/// <summary>
/// The check of an SL 651-2014 HEX/BCD frame: CRC-16 with the reflected polynomial 0xA001, start
/// 0xFFFF, no final XOR (the Modbus CRC), over every byte from the first 7E to the end character,
/// written high byte first. Checked against the frames printed with their CRC in the public
/// walk-throughs named in docs/references.md ("SL 651-2014").
/// </summary>
public static class Sl651Crc
{
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1;
            }
        }

        return (ushort)crc;
    }
}
