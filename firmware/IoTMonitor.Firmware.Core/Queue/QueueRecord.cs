using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Core.Queue
{
    /// <summary>
    /// Flash layout of one queued reading: a fixed 48-byte slot, so slot i always holds log
    /// position (LSN) ≡ i mod slot count and no index is needed.
    /// </summary>
    /// <remarks>
    /// <code>
    /// off size field
    ///   0  2   magic 0x5251 ("QR")
    ///   2  1   quantity index
    ///   3  1   bit 0: has raw
    ///   4  4   LSN (log sequence number, position in the queue's log)
    ///   8  4   boot counter the reading was sampled in
    ///  12  4   seq (n)
    ///  16  8   t
    ///  24  4   flags
    ///  28  8   value (IEEE-754 bits)
    ///  36  8   raw (IEEE-754 bits)
    ///  44  4   CRC-32 of bytes 0..43
    /// </code>
    /// </remarks>
    internal static class QueueRecord
    {
        public const int Size = 48;
        private const byte Magic0 = 0x51; // "QR", little-endian 0x5251
        private const byte Magic1 = 0x52;

        public static void Write(byte[] b, int lsn, int boot, ref Reading r)
        {
            b[0] = Magic0;
            b[1] = Magic1;
            b[2] = (byte)r.Quantity;
            b[3] = (byte)(r.HasRaw ? 1 : 0);
            LittleEndian.WriteInt32(b, 4, lsn);
            LittleEndian.WriteInt32(b, 8, boot);
            LittleEndian.WriteInt32(b, 12, r.Seq);
            LittleEndian.WriteInt64(b, 16, r.Time);
            LittleEndian.WriteInt32(b, 24, r.Flags);
            LittleEndian.WriteDouble(b, 28, r.Value);
            LittleEndian.WriteDouble(b, 36, r.Raw);
            LittleEndian.WriteInt32(b, 44, (int)Crc32.Compute(b, 0, 44));
        }

        /// <summary>True when the slot holds an intact record (magic, CRC, known quantity).</summary>
        public static bool IsValid(byte[] b)
        {
            return b[0] == Magic0 && b[1] == Magic1
                && LittleEndian.ReadInt32(b, 44) == (int)Crc32.Compute(b, 0, 44)
                && Quantities.IsValid(b[2]);
        }

        public static int Lsn(byte[] b)
        {
            return LittleEndian.ReadInt32(b, 4);
        }

        public static int Boot(byte[] b)
        {
            return LittleEndian.ReadInt32(b, 8);
        }

        public static void Read(byte[] b, ref Reading r)
        {
            r.Quantity = b[2];
            r.HasRaw = (b[3] & 1) != 0;
            r.Seq = LittleEndian.ReadInt32(b, 12);
            r.Time = LittleEndian.ReadInt64(b, 16);
            r.Flags = LittleEndian.ReadInt32(b, 24);
            r.Value = LittleEndian.ReadDouble(b, 28);
            r.Raw = LittleEndian.ReadDouble(b, 36);
        }
    }
}
