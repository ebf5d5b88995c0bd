using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Core.Queue
{
    /// <summary>
    /// Store-and-forward queue of readings over an <see cref="IBlockStore"/>: a ring of fixed
    /// CRC-guarded record slots plus a dual-copy metadata record (released position, dropped
    /// count). Survives power loss at any byte: a torn record fails its CRC and is ignored, a torn
    /// metadata write falls back to the other copy (readings are then sent again — at-least-once).
    /// Bounded, drop-oldest: appending to a full queue overwrites the oldest unsent reading and
    /// counts it in <see cref="Dropped"/>. A reading leaves only through <see cref="Commit"/>,
    /// which the node calls after the broker's PUBACK for the batch.
    /// </summary>
    /// <remarks>
    /// Every appended reading gets the next log sequence number (LSN); slot = LSN mod slots.
    /// The queue holds LSNs [tail, head) with tail = max(released, head − capacity), capacity =
    /// slots − 1. On open, head
    /// is found by scanning the slots for the highest valid LSN (the store is small: 64 KB is
    /// about 1,360 slots). Steady state allocates nothing.
    /// </remarks>
    public sealed class FlashQueue
    {
        private const int MetaPayload = 8; // released LSN (4), dropped before released (4)

        private readonly IBlockStore _store;
        private readonly DualCopyRecord _meta;
        private readonly int _firstSlotAddress;
        private readonly int _slots;
        private readonly int _capacity;
        private readonly byte[] _slot = new byte[QueueRecord.Size];
        private readonly byte[] _metaBuf = new byte[MetaPayload];
        private readonly int[] _batchLsn = new int[ProtocolLimits.MaxReadings];
        private int _batchCount;
        private int _head;
        private int _released;
        private int _droppedBase;

        /// <summary>A queue using the whole <paramref name="store"/>. Call <see cref="Open"/> before use.</summary>
        public FlashQueue(IBlockStore store)
        {
            _store = store;
            _meta = new DualCopyRecord(store, 0, MetaPayload);
            _firstSlotAddress = _meta.Footprint;
            _slots = (store.Size - _firstSlotAddress) / QueueRecord.Size;

            // One slot is always kept free: an append writes into the slot of a reading that
            // already left the queue, so a power cut mid-append never destroys a queued reading.
            _capacity = _slots - 1;
        }

        /// <summary>Most readings the queue holds.</summary>
        public int Capacity
        {
            get { return _capacity; }
        }

        /// <summary>Readings waiting to be sent (including those of an uncommitted batch).</summary>
        public int Count
        {
            get { return _head - Tail; }
        }

        /// <summary>Readings overwritten unsent since the last <see cref="ResetDropped"/>.</summary>
        public int Dropped
        {
            get
            {
                int lost = _head - _capacity - _released;
                return _droppedBase + (lost > 0 ? lost : 0);
            }
        }

        private int Tail
        {
            get
            {
                int oldest = _head - _capacity;
                return _released > oldest ? _released : oldest;
            }
        }

        /// <summary>Recovers the queue from the store: metadata, then the newest valid record.</summary>
        public void Open()
        {
            _released = 0;
            _droppedBase = 0;
            if (_meta.Load(_metaBuf))
            {
                _released = LittleEndian.ReadInt32(_metaBuf, 0);
                _droppedBase = LittleEndian.ReadInt32(_metaBuf, 4);
            }

            int head = _released;
            for (int i = 0; i < _slots; i++)
            {
                if (ReadSlot(i) && QueueRecord.Lsn(_slot) >= head)
                {
                    head = QueueRecord.Lsn(_slot) + 1;
                }
            }

            _head = head;
            _batchCount = 0;
        }

        /// <summary>
        /// Appends one reading sampled in boot <paramref name="boot"/> and flushes it; when this
        /// returns the reading is durable. A full queue drops its oldest unsent reading.
        /// </summary>
        public void Append(ref Reading reading, int boot)
        {
            int lsn = _head;
            QueueRecord.Write(_slot, lsn, boot, ref reading);
            _store.Write(SlotAddress(lsn), _slot, 0, QueueRecord.Size);
            _store.Flush();
            _head = lsn + 1;
        }

        /// <summary>
        /// Reads up to <paramref name="max"/> of the oldest unsent readings into
        /// <paramref name="into"/> (from index 0), all of one boot (a telemetry batch has one
        /// <c>boot</c>), oldest first. Returns how many; <paramref name="boot"/> is their boot.
        /// Damaged slots are skipped. Nothing leaves the queue until <see cref="Commit"/>.
        /// </summary>
        public int BeginBatch(Reading[] into, int max, out int boot)
        {
            boot = 0;
            if (max > _batchLsn.Length)
            {
                max = _batchLsn.Length;
            }

            if (max > into.Length)
            {
                max = into.Length;
            }

            int n = 0;
            for (int lsn = Tail; lsn < _head && n < max; lsn++)
            {
                if (!ReadSlot(lsn % _slots) || QueueRecord.Lsn(_slot) != lsn)
                {
                    continue;
                }

                int b = QueueRecord.Boot(_slot);
                if (n == 0)
                {
                    boot = b;
                }
                else if (b != boot)
                {
                    break;
                }

                QueueRecord.Read(_slot, ref into[n]);
                _batchLsn[n] = lsn;
                n++;
            }

            _batchCount = n;
            return n;
        }

        /// <summary>
        /// Removes the first <paramref name="sent"/> readings of the last batch (after the
        /// broker's PUBACK for them) and persists that. Damaged slots before them go too.
        /// </summary>
        public void Commit(int sent)
        {
            if (sent <= 0 || _batchCount == 0)
            {
                return;
            }

            if (sent > _batchCount)
            {
                sent = _batchCount;
            }

            int newReleased = _batchLsn[sent - 1] + 1;
            if (newReleased <= _released || newReleased > _head)
            {
                // A stale batch (readings overwritten since, or already committed): nothing to do.
                _batchCount = 0;
                return;
            }

            SaveMeta(newReleased, Dropped);
            _batchCount = 0;
        }

        /// <summary>Drops everything queued (command <c>clear_queue</c>); not counted as dropped.</summary>
        public void Clear()
        {
            SaveMeta(_head, Dropped);
            _batchCount = 0;
        }

        /// <summary>Restarts the dropped count (on a cold boot: <c>h.drop</c> counts per boot).</summary>
        public void ResetDropped()
        {
            int oldest = _head - _capacity;
            SaveMeta(_released > oldest ? _released : oldest, 0);
        }

        private void SaveMeta(int released, int dropped)
        {
            LittleEndian.WriteInt32(_metaBuf, 0, released);
            LittleEndian.WriteInt32(_metaBuf, 4, dropped);
            _meta.Save(_metaBuf);
            _released = released;
            _droppedBase = dropped;
        }

        private int SlotAddress(int lsn)
        {
            return _firstSlotAddress + ((lsn % _slots) * QueueRecord.Size);
        }

        private bool ReadSlot(int index)
        {
            _store.Read(_firstSlotAddress + (index * QueueRecord.Size), _slot, 0, QueueRecord.Size);
            return QueueRecord.IsValid(_slot) && QueueRecord.Lsn(_slot) % _slots == index;
        }
    }
}
