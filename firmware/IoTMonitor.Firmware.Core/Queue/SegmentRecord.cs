using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Core.Queue
{
    /// <summary>
    /// Flash layout of one record of a queue segment: the readings of one sampling round (or
    /// part of one), sharing a header, guarded by one CRC. Compact so a week of readings fits the
    /// 64-block volume (firmware/README.md, "Flash storage").
    /// </summary>
    /// <remarks>
    /// <code>
    /// off size field
    ///   0  1   magic 0xA7
    ///   1  1   readings in the record (1..255)
    ///   2  2   record length in bytes, header and CRC included
    ///   4  4   boot counter the readings were sampled in
    ///   8  4   LSN of the first reading (the next ones follow: LSN + i)
    ///  12  4   seq (n) of the first reading
    ///  16  8   t of the first reading
    ///  24  …   entries: quantity u8; flags u8 (bits 0-6 quality, bit 7 has raw);
    ///          seq − first seq u8; t − first t i16; value f64; raw f64 if bit 7
    /// end−4 4  CRC-32 of everything before
    /// </code>
    /// A reading that does not fit a record (other boot, seq or time too far, quality flag above
    /// bit 6) starts a new one.
    /// </remarks>
    internal static class SegmentRecord
    {
        public const int HeaderSize = 24;
        public const int CrcSize = 4;
        public const int EntrySize = 13;
        public const int RawSize = 8;
        public const int MaxCount = 255;
        private const byte Magic = 0xA7;
        private const int RawBit = 0x80;

        /// <summary>Bytes the entry of <paramref name="r"/> takes.</summary>
        public static int EntryBytes(ref Reading r)
        {
            return r.HasRaw ? EntrySize + RawSize : EntrySize;
        }

        /// <summary>True when <paramref name="r"/> can join a record with this header.</summary>
        public static bool Fits(ref Reading r, int boot, int recordBoot, int seq0, long t0)
        {
            int dseq = r.Seq - seq0;
            long dt = r.Time - t0;
            return boot == recordBoot && dseq >= 0 && dseq <= 255 && dt >= short.MinValue && dt <= short.MaxValue
                && r.Flags >= 0 && r.Flags < RawBit && r.Quantity >= 0 && r.Quantity <= 255;
        }

        /// <summary>Writes a header for a record starting with reading <paramref name="r"/> (count 0, length and CRC set by <see cref="Close"/>).</summary>
        public static void WriteHeader(byte[] b, int at, int boot, int lsn, ref Reading r)
        {
            b[at] = Magic;
            b[at + 1] = 0;
            LittleEndian.WriteInt32(b, at + 4, boot);
            LittleEndian.WriteInt32(b, at + 8, lsn);
            LittleEndian.WriteInt32(b, at + 12, r.Seq);
            LittleEndian.WriteInt64(b, at + 16, r.Time);
        }

        /// <summary>Writes the entry of <paramref name="r"/> at <paramref name="at"/> and counts it in the record at <paramref name="record"/>; returns the bytes written.</summary>
        public static int WriteEntry(byte[] b, int record, int at, ref Reading r)
        {
            int seq0 = LittleEndian.ReadInt32(b, record + 12);
            long t0 = LittleEndian.ReadInt64(b, record + 16);
            int dt = (int)(r.Time - t0);
            b[at] = (byte)r.Quantity;
            b[at + 1] = (byte)(r.Flags | (r.HasRaw ? RawBit : 0));
            b[at + 2] = (byte)(r.Seq - seq0);
            b[at + 3] = (byte)dt;
            b[at + 4] = (byte)(dt >> 8);
            LittleEndian.WriteDouble(b, at + 5, r.Value);
            if (r.HasRaw)
            {
                LittleEndian.WriteDouble(b, at + 13, r.Raw);
            }

            b[record + 1]++;
            return EntryBytes(ref r);
        }

        /// <summary>Seals the record at <paramref name="record"/> whose entries end at <paramref name="end"/>; returns its total length.</summary>
        public static int Close(byte[] b, int record, int end)
        {
            int length = end - record + CrcSize;
            b[record + 2] = (byte)length;
            b[record + 3] = (byte)(length >> 8);
            LittleEndian.WriteInt32(b, end, (int)Crc32.Compute(b, record, end - record));
            return length;
        }

        /// <summary>Length of the intact record at <paramref name="at"/> (before <paramref name="end"/>), or 0 when it is torn or damaged.</summary>
        public static int Validate(byte[] b, int at, int end)
        {
            if (end - at < HeaderSize + CrcSize || b[at] != Magic || b[at + 1] == 0)
            {
                return 0;
            }

            int length = b[at + 2] | (b[at + 3] << 8);
            if (length < HeaderSize + CrcSize || length > end - at)
            {
                return 0;
            }

            int crcAt = at + length - CrcSize;
            return LittleEndian.ReadInt32(b, crcAt) == (int)Crc32.Compute(b, at, crcAt - at) ? length : 0;
        }

        public static int Count(byte[] b, int record)
        {
            return b[record + 1];
        }

        public static int Boot(byte[] b, int record)
        {
            return LittleEndian.ReadInt32(b, record + 4);
        }

        public static int Lsn(byte[] b, int record)
        {
            return LittleEndian.ReadInt32(b, record + 8);
        }

        public static int FirstSeq(byte[] b, int record)
        {
            return LittleEndian.ReadInt32(b, record + 12);
        }

        /// <summary>Reads the entry at <paramref name="at"/> of the record at <paramref name="record"/> into <paramref name="r"/>; returns the next entry's offset.</summary>
        public static int ReadEntry(byte[] b, int record, int at, ref Reading r)
        {
            r.Quantity = b[at];
            int flags = b[at + 1];
            r.Flags = flags & ~RawBit;
            r.HasRaw = (flags & RawBit) != 0;
            r.Seq = LittleEndian.ReadInt32(b, record + 12) + b[at + 2];
            r.Time = LittleEndian.ReadInt64(b, record + 16) + (short)(b[at + 3] | (b[at + 4] << 8));
            r.Value = LittleEndian.ReadDouble(b, at + 5);
            r.Raw = r.HasRaw ? LittleEndian.ReadDouble(b, at + 13) : 0;
            return at + (r.HasRaw ? EntrySize + RawSize : EntrySize);
        }

        /// <summary>Seq of the entry at <paramref name="at"/> and the offset of the next one.</summary>
        public static int SkipEntry(byte[] b, int record, int at, out int seq)
        {
            seq = LittleEndian.ReadInt32(b, record + 12) + b[at + 2];
            return at + ((b[at + 1] & RawBit) != 0 ? EntrySize + RawSize : EntrySize);
        }
    }
}
