namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>
/// The CRC of HJ 212-2017 Appendix A over the data segment's bytes: start 0xFFFF; for each byte the
/// register is shifted right by 8 and XORed with the byte, then 8 shifts, XOR 0xA001 after each shift
/// whose bit out was 1. It differs from the Modbus CRC (which XORs the byte into the low byte without
/// the 8-bit shift) and is printed as 4 upper-case hex digits, high byte first.
/// </summary>
public static class Hj212Crc
{
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF;
        foreach (var b in data)
        {
            crc = (crc >> 8) ^ b;
            for (var i = 0; i < 8; i++)
            {
                var lsb = crc & 1;
                crc >>= 1;
                if (lsb != 0)
                {
                    crc ^= 0xA001;
                }
            }
        }

        return (ushort)crc;
    }

    public static string Hex(ReadOnlySpan<byte> data) => Compute(data).ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
}
