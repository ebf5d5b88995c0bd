namespace IoTMonitor.Firmware.Core.Storage
{
    /// <summary>
    /// A small record kept as two alternating CRC-guarded copies, so a power cut while writing one
    /// leaves the other intact: reading picks the valid copy with the higher generation. Used for
    /// the queue's metadata and the node's persistent state.
    /// </summary>
    /// <remarks>
    /// Copy layout (<c>PayloadSize</c> + 12 bytes): magic (4), generation (4), payload, CRC-32 (4)
    /// over everything before it.
    /// </remarks>
    public sealed class DualCopyRecord
    {
        private const int Magic = 0x314D4F49; // "IOM1"

        private readonly IBlockStore _store;
        private readonly int _address;
        private readonly int _payloadSize;
        private readonly byte[] _copy;
        private int _generation;
        private int _lastSlot = 1;

        /// <summary>Record of <paramref name="payloadSize"/> bytes at <paramref name="address"/> (uses 2 × (payload + 12) bytes).</summary>
        public DualCopyRecord(IBlockStore store, int address, int payloadSize)
        {
            _store = store;
            _address = address;
            _payloadSize = payloadSize;
            _copy = new byte[payloadSize + 12];
        }

        /// <summary>Bytes the record occupies in the store.</summary>
        public int Footprint
        {
            get { return 2 * _copy.Length; }
        }

        /// <summary>Where the payload starts in <see cref="Buffer"/>.</summary>
        public const int PayloadOffset = 8;

        /// <summary>
        /// The record's own copy buffer (payload at <see cref="PayloadOffset"/>): after
        /// <see cref="Load()"/> it holds the loaded payload, and <see cref="Save()"/> writes what
        /// the caller put there. It lets a large record (the remote config) be kept without a
        /// second payload-sized buffer in RAM.
        /// </summary>
        public byte[] Buffer
        {
            get { return _copy; }
        }

        /// <summary>
        /// Loads the newest valid copy into <paramref name="payload"/> (from index 0). False when
        /// neither copy is valid (fresh store): the payload is then left untouched.
        /// </summary>
        public bool Load(byte[] payload)
        {
            if (!Load())
            {
                return false;
            }

            System.Array.Copy(_copy, PayloadOffset, payload, 0, _payloadSize);
            return true;
        }

        /// <summary>Loads the newest valid copy into <see cref="Buffer"/>; false when neither copy is valid.</summary>
        public bool Load()
        {
            int best = -1;
            int bestGen = 0;
            for (int slot = 0; slot < 2; slot++)
            {
                _store.Read(_address + (slot * _copy.Length), _copy, 0, _copy.Length);
                if (!Valid())
                {
                    continue;
                }

                int gen = LittleEndian.ReadInt32(_copy, 4);
                if (best < 0 || gen - bestGen > 0)
                {
                    best = slot;
                    bestGen = gen;
                }
            }

            if (best < 0)
            {
                return false;
            }

            _store.Read(_address + (best * _copy.Length), _copy, 0, _copy.Length);
            _generation = bestGen;
            _lastSlot = best;
            return true;
        }

        /// <summary>Writes <paramref name="payload"/> over the older copy and flushes.</summary>
        public void Save(byte[] payload)
        {
            System.Array.Copy(payload, 0, _copy, PayloadOffset, _payloadSize);
            Save();
        }

        /// <summary>Writes the payload in <see cref="Buffer"/> over the older copy and flushes.</summary>
        public void Save()
        {
            _generation++;
            int slot = 1 - _lastSlot;
            LittleEndian.WriteInt32(_copy, 0, Magic);
            LittleEndian.WriteInt32(_copy, 4, _generation);
            LittleEndian.WriteInt32(_copy, 8 + _payloadSize, (int)Crc32.Compute(_copy, 0, 8 + _payloadSize));
            _store.Write(_address + (slot * _copy.Length), _copy, 0, _copy.Length);
            _store.Flush();
            _lastSlot = slot;
        }

        private bool Valid()
        {
            return LittleEndian.ReadInt32(_copy, 0) == Magic
                && LittleEndian.ReadInt32(_copy, 8 + _payloadSize) == (int)Crc32.Compute(_copy, 0, 8 + _payloadSize);
        }
    }
}
