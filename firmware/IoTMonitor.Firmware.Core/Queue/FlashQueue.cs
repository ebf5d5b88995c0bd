using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Core.Queue
{
    /// <summary>
    /// Store-and-forward queue of readings made for LittleFS: append-only segment files of one
    /// 4 KB block, CRC per record, and an acknowledgement cursor kept whole in A/B files. A
    /// reading leaves only through <see cref="Commit"/> (after the broker's PUBACK); a segment is
    /// deleted once all its readings are acknowledged. Bounded by a byte budget of its own (the
    /// ESP32 reports no free space): when the budget is reached, or the volume answers an append
    /// with an <c>IOException</c>, the oldest segment is dropped and its unsent readings counted
    /// in <see cref="Dropped"/> (protocol <c>h.drop</c>).
    /// </summary>
    /// <remarks>
    /// Durability: <see cref="Append"/> keeps readings in RAM; <see cref="Persist"/> writes them
    /// with one open-append-close of the newest segment, and only then are they durable (LittleFS
    /// commits at close; a reset before loses them). <see cref="BeginBatch"/> persists first, so a
    /// reading is in flash before it is sent. Each reading has a log sequence number (LSN); a
    /// segment is named after the LSN of its first reading; the cursor holds the released LSN and
    /// the dropped count. <see cref="Open"/> recovers after any cut: a torn or empty last segment
    /// is ignored past its last intact record (the next append starts a new segment), fully
    /// acknowledged segments left by a cut between the cursor write and the delete are deleted.
    /// Steady state allocates nothing per reading: one name string per new segment file.
    /// </remarks>
    public sealed class FlashQueue
    {
        /// <summary>Bytes of one segment file: one LittleFS block, so a deleted segment frees one block.</summary>
        public const int SegmentBytes = 4096;

        /// <summary>Largest record; a longer round is split into several.</summary>
        public const int MaxRecordBytes = 1024;

        private const string SegmentPrefix = "q";
        private const string SegmentSuffix = ".seg";
        private const int CursorPayload = 8; // released LSN (4), dropped count (4)

        private readonly IFileStore _files;
        private readonly AlternatingFile _cursor;
        private readonly int _maxSegments;
        private readonly int[] _segments; // first LSN of each segment, oldest first
        private readonly string[] _names; // file name of each segment (built once per segment)
        private readonly byte[] _pending = new byte[SegmentBytes];
        private readonly byte[] _io = new byte[SegmentBytes];
        private readonly int[] _batchLsn = new int[ProtocolLimits.MaxReadings];
        private int _segmentCount;
        private int _tailLength;      // valid bytes of the newest segment; appends go there
        private bool _tailSealed;     // the newest segment takes no more appends (full or torn)
        private int _pendingLength;
        private int _pendingCount;
        private int _pendingFirstLsn;
        private int _record = -1;     // offset in _pending of the open record, −1 none
        private int _recordBoot;
        private int _recordSeq0;
        private long _recordT0;
        private int _persistedHead;   // LSN after the last reading in flash
        private int _head;            // LSN after the last reading (pending included)
        private int _released;
        private int _dropped;
        private int _ioSegment = -1;  // first LSN of the segment held in _io, −1 none
        private int _ioLength;
        private int _batchCount;
        private int _lastBoot;
        private int _lastSeq;
        private int _scanBoot;
        private int _scanSeq;
        private int _segmentsStarted;

        /// <summary>A queue over <paramref name="files"/> using at most <paramref name="budgetBytes"/> of segment files (at least two segments).</summary>
        public FlashQueue(IFileStore files, int budgetBytes)
        {
            _files = files;
            _maxSegments = budgetBytes / SegmentBytes;
            if (_maxSegments < 2)
            {
                throw new System.ArgumentOutOfRangeException("budgetBytes", "the queue needs at least two segments");
            }

            // Room for twice the budget: a smaller budget than the last boot's is dropped down to
            // size by Open, oldest first and counted.
            _segments = new int[(2 * _maxSegments) + 2];
            _names = new string[_segments.Length];
            _cursor = new AlternatingFile(files, "qcur.a", "qcur.b", CursorPayload);
        }

        /// <summary>Segment files the budget allows.</summary>
        public int MaxSegments
        {
            get { return _maxSegments; }
        }

        /// <summary>Segment files started since construction (each costs one file-name string).</summary>
        public int SegmentsStarted
        {
            get { return _segmentsStarted; }
        }

        /// <summary>Segment files in flash now.</summary>
        public int Segments
        {
            get { return _segmentCount; }
        }

        /// <summary>Readings waiting to be sent (including those not yet persisted).</summary>
        public int Count
        {
            get { return _head - Tail; }
        }

        /// <summary>Readings dropped unsent since the last <see cref="ResetDropped"/>.</summary>
        public int Dropped
        {
            get { return _dropped; }
        }

        /// <summary>Readings appended but not yet in flash.</summary>
        public int PendingCount
        {
            get { return _pendingCount; }
        }

        /// <summary>Boot of the newest reading the queue holds or held this wake (0: none).</summary>
        public int LastBoot
        {
            get { return _lastBoot; }
        }

        /// <summary>Seq of the newest reading the queue holds or held this wake (0: none).</summary>
        public int LastSeq
        {
            get { return _lastSeq; }
        }

        private int Tail
        {
            get
            {
                int oldest = _segmentCount > 0 ? _segments[0] : _persistedHead;
                return _released > oldest ? _released : oldest;
            }
        }

        /// <summary>Recovers the queue from flash: cursor, segment list, the newest segment's intact records.</summary>
        public void Open()
        {
            _released = 0;
            _dropped = 0;
            if (_cursor.Load() == CursorPayload)
            {
                _released = LittleEndian.ReadInt32(_cursor.Buffer, AlternatingFile.PayloadOffset);
                _dropped = LittleEndian.ReadInt32(_cursor.Buffer, AlternatingFile.PayloadOffset + 4);
            }

            _pendingLength = 0;
            _pendingCount = 0;
            _record = -1;
            _batchCount = 0;
            _ioSegment = -1;
            _lastBoot = 0;
            _lastSeq = 0;
            ListSegments();

            // The newest segment: its end is the head. An empty or unreadable one (a cut right
            // after LittleFS committed the new file empty at open) is deleted.
            _persistedHead = _released;
            _tailLength = 0;
            _tailSealed = true;
            while (_segmentCount > 0)
            {
                int end;
                int valid = ScanSegment(_segmentCount - 1, out end);
                if (valid > 0)
                {
                    // A torn tail (possible on stores that do not commit atomically) takes no
                    // appends: a record written after the damage could never be read back.
                    _tailLength = valid;
                    _tailSealed = valid < _ioLength;
                    _persistedHead = end > _released ? end : _released;
                    _lastBoot = _scanBoot;
                    _lastSeq = _scanSeq;
                    break;
                }

                DeleteSegmentAt(_segmentCount - 1);
            }

            _head = _persistedHead;
            DeleteReleased(false);
            while (_segmentCount > _maxSegments)
            {
                DropOldest();
            }
        }

        /// <summary>
        /// Adds one reading sampled in boot <paramref name="boot"/>, in RAM until
        /// <see cref="Persist"/> (or until a segment's worth is pending).
        /// </summary>
        public void Append(ref Reading reading, int boot)
        {
            int entry = SegmentRecord.EntryBytes(ref reading);
            bool join = _record >= 0 && SegmentRecord.Count(_pending, _record) < SegmentRecord.MaxCount
                && SegmentRecord.Fits(ref reading, boot, _recordBoot, _recordSeq0, _recordT0)
                && _pendingLength - _record + entry + SegmentRecord.CrcSize <= MaxRecordBytes;
            int need = join ? entry : SegmentRecord.HeaderSize + entry + SegmentRecord.CrcSize;
            if (need > Room())
            {
                if (_pendingCount > 0)
                {
                    Persist();
                }

                join = false;
                need = SegmentRecord.HeaderSize + entry + SegmentRecord.CrcSize;
                if (need > Room())
                {
                    _tailSealed = true;
                }
            }

            if (!join)
            {
                CloseRecord();
                if (_pendingCount == 0)
                {
                    _pendingFirstLsn = _head;
                }

                _record = _pendingLength;
                SegmentRecord.WriteHeader(_pending, _record, boot, _head, ref reading);
                _pendingLength += SegmentRecord.HeaderSize;
                _recordBoot = boot;
                _recordSeq0 = reading.Seq;
                _recordT0 = reading.Time;
            }

            _pendingLength += SegmentRecord.WriteEntry(_pending, _record, _pendingLength, ref reading);
            _pendingCount++;
            _head++;
            _lastBoot = boot;
            _lastSeq = reading.Seq;
        }

        /// <summary>
        /// Writes the pending readings to flash with one open-append-close: durable on return.
        /// Over budget, or on an <c>IOException</c> from the volume, the oldest segment is dropped
        /// (counted) and the write tried again; with nothing left to drop the pending readings
        /// are dropped (counted) instead.
        /// </summary>
        public void Persist()
        {
            if (_pendingCount == 0)
            {
                return;
            }

            CloseRecord();
            while (true)
            {
                bool fresh = _segmentCount == 0 || _tailSealed || _tailLength + _pendingLength > SegmentBytes;
                if (fresh)
                {
                    while (_segmentCount >= _maxSegments)
                    {
                        DropOldest();
                    }
                }

                int first = fresh ? _pendingFirstLsn : _segments[_segmentCount - 1];
                string name = fresh ? SegmentName(first) : _names[_segmentCount - 1];
                try
                {
                    _files.Append(name, _pending, 0, _pendingLength);
                }
                catch (System.IO.IOException)
                {
                    if (fresh)
                    {
                        // LittleFS committed the new file empty at open; do not leave it behind.
                        TryDelete(name);
                    }
                    else
                    {
                        // A failed write is not committed (littlefs skips the sync of an erred
                        // file), but nothing more is appended to a file that saw an error.
                        _tailSealed = true;
                    }

                    if (_segmentCount == 0)
                    {
                        DropPending();
                        return;
                    }

                    DropOldest();
                    continue;
                }

                if (fresh)
                {
                    _names[_segmentCount] = name;
                    _segmentsStarted++;
                    _segments[_segmentCount++] = first;
                    _tailLength = _pendingLength;
                    _tailSealed = false;
                }
                else
                {
                    _tailLength += _pendingLength;
                }

                if (_ioSegment == first)
                {
                    _ioSegment = -1;
                }

                _persistedHead = _head;
                _pendingLength = 0;
                _pendingCount = 0;
                if (fresh)
                {
                    DeleteReleased(false); // the sealed one before may be all acknowledged
                }

                return;
            }
        }

        /// <summary>
        /// Persists, then reads up to <paramref name="max"/> of the oldest unsent readings into
        /// <paramref name="into"/> (from index 0), all of one boot, oldest first. Returns how many;
        /// <paramref name="boot"/> is their boot. Damaged records are skipped. Nothing leaves the
        /// queue until <see cref="Commit"/>.
        /// </summary>
        public int BeginBatch(Reading[] into, int max, out int boot)
        {
            Persist();
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
            int tail = Tail;
            for (int s = 0; s < _segmentCount && n < max; s++)
            {
                if (SegmentEnd(s) <= tail)
                {
                    continue;
                }

                int end;
                int valid = ScanSegment(s, out end);
                int at = 0;
                while (at < valid && n < max)
                {
                    int length = SegmentRecord.Validate(_io, at, valid);
                    if (length == 0)
                    {
                        break;
                    }

                    int count = SegmentRecord.Count(_io, at);
                    int lsn = SegmentRecord.Lsn(_io, at);
                    int b = SegmentRecord.Boot(_io, at);
                    int e = at + SegmentRecord.HeaderSize;
                    for (int i = 0; i < count && n < max; i++, lsn++)
                    {
                        if (lsn < tail)
                        {
                            int ignored;
                            e = SegmentRecord.SkipEntry(_io, at, e, out ignored);
                            continue;
                        }

                        if (n == 0)
                        {
                            boot = b;
                        }
                        else if (b != boot)
                        {
                            _batchCount = n;
                            return n;
                        }

                        e = SegmentRecord.ReadEntry(_io, at, e, ref into[n]);
                        _batchLsn[n] = lsn;
                        n++;
                    }

                    at += length;
                }
            }

            _batchCount = n;
            return n;
        }

        /// <summary>
        /// Releases the first <paramref name="sent"/> readings of the last batch (after the
        /// broker's PUBACK for them): the cursor is written, then every segment whose readings are
        /// all released is deleted.
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
            _batchCount = 0;
            if (newReleased <= _released || newReleased > _persistedHead)
            {
                return; // a stale batch (dropped since, or already committed)
            }

            SaveCursor(newReleased, _dropped);
            DeleteReleased(false);
        }

        /// <summary>Drops everything queued (command <c>clear_queue</c>); not counted as dropped.</summary>
        public void Clear()
        {
            _pendingLength = 0;
            _pendingCount = 0;
            _record = -1;
            _persistedHead = _head;
            SaveCursor(_head, _dropped);
            DeleteReleased(true);
            _batchCount = 0;
        }

        /// <summary>Restarts the dropped count (on a cold boot: <c>h.drop</c> counts per boot).</summary>
        public void ResetDropped()
        {
            if (_dropped != 0)
            {
                SaveCursor(_released, 0);
            }
        }

        /// <summary>The file name of the segment whose first reading has LSN <paramref name="firstLsn"/>.</summary>
        public static string SegmentName(int firstLsn)
        {
            return SegmentPrefix + firstLsn.ToString("D10") + SegmentSuffix;
        }

        private int Room()
        {
            int target = _segmentCount == 0 || _tailSealed ? 0 : _tailLength;
            if (_pendingCount > 0 && target + _pendingLength > SegmentBytes)
            {
                target = 0;
            }

            return SegmentBytes - target - _pendingLength - (_record >= 0 ? SegmentRecord.CrcSize : 0);
        }

        private void CloseRecord()
        {
            if (_record < 0)
            {
                return;
            }

            _pendingLength = _record + SegmentRecord.Close(_pending, _record, _pendingLength);
            _record = -1;
        }

        private void DropPending()
        {
            _dropped += _pendingCount;
            _pendingLength = 0;
            _pendingCount = 0;
            _persistedHead = _head;
            SaveCursor(_head, _dropped);
        }

        // Drops the oldest segment: its unreleased readings are counted; the cursor is written
        // before the delete, so a cut between them leaves a released segment Open deletes.
        private void DropOldest()
        {
            int end = SegmentEnd(0);
            int from = _released > _segments[0] ? _released : _segments[0];
            int lost = end - from;
            SaveCursor(end > _released ? end : _released, _dropped + (lost > 0 ? lost : 0));
            DeleteSegmentAt(0);
        }

        // A released newest segment that still takes appends stays (fewer file creations); it
        // goes once sealed, or with everything on Clear.
        private void DeleteReleased(bool includeOpenTail)
        {
            while (_segmentCount > 0 && SegmentEnd(0) <= _released
                && (_segmentCount > 1 || includeOpenTail || _tailSealed))
            {
                DeleteSegmentAt(0);
            }
        }

        private int SegmentEnd(int index)
        {
            return index + 1 < _segmentCount ? _segments[index + 1] : _persistedHead;
        }

        private void DeleteSegmentAt(int index)
        {
            int first = _segments[index];
            _files.Delete(_names[index]);
            for (int i = index + 1; i < _segmentCount; i++)
            {
                _segments[i - 1] = _segments[i];
                _names[i - 1] = _names[i];
            }

            _names[_segmentCount - 1] = null;

            _segmentCount--;
            if (_ioSegment == first)
            {
                _ioSegment = -1;
            }

            if (index == _segmentCount)
            {
                // The newest segment is gone: the next append starts a new one.
                _tailLength = 0;
                _tailSealed = true;
            }
        }

        private void TryDelete(string name)
        {
            try
            {
                _files.Delete(name);
            }
            catch (System.IO.IOException)
            {
                // Open deletes an empty segment at the next boot.
            }
        }

        private void SaveCursor(int released, int dropped)
        {
            LittleEndian.WriteInt32(_cursor.Buffer, AlternatingFile.PayloadOffset, released);
            LittleEndian.WriteInt32(_cursor.Buffer, AlternatingFile.PayloadOffset + 4, dropped);
            _cursor.Save(CursorPayload);
            _released = released;
            _dropped = dropped;
        }

        // Reads a segment into _io (once: kept until it changes) and returns the length of its
        // intact records; end is the LSN after its last intact reading.
        private int ScanSegment(int index, out int end)
        {
            int first = _segments[index];
            if (_ioSegment != first)
            {
                int n = _files.Read(_names[index], _io, 0, _io.Length);
                _ioLength = n < 0 ? 0 : n;
                _ioSegment = first;
            }

            end = first;
            int at = 0;
            while (at < _ioLength)
            {
                int length = SegmentRecord.Validate(_io, at, _ioLength);
                if (length == 0)
                {
                    break;
                }

                int count = SegmentRecord.Count(_io, at);
                end = SegmentRecord.Lsn(_io, at) + count;
                int e = at + SegmentRecord.HeaderSize;
                int seq = 0;
                for (int i = 0; i < count; i++)
                {
                    e = SegmentRecord.SkipEntry(_io, at, e, out seq);
                }

                _scanBoot = SegmentRecord.Boot(_io, at);
                _scanSeq = seq;
                at += length;
            }

            return at;
        }

        private void ListSegments()
        {
            _segmentCount = 0;
            string[] names = _files.List();
            for (int i = 0; i < names.Length; i++)
            {
                int first = ParseSegmentName(names[i]);
                if (first < 0)
                {
                    continue;
                }

                if (_segmentCount == _segments.Length)
                {
                    // Far more segments than any budget of this build leaves: a foreign file
                    // set. Its readings cannot be counted without reading every file.
                    _files.Delete(names[i]);
                    continue;
                }

                // Insertion keeps the list sorted by LSN.
                int at = _segmentCount;
                while (at > 0 && _segments[at - 1] > first)
                {
                    _segments[at] = _segments[at - 1];
                    _names[at] = _names[at - 1];
                    at--;
                }

                _segments[at] = first;
                _names[at] = names[i];
                _segmentCount++;
            }
        }

        private static int ParseSegmentName(string name)
        {
            int digits = name.Length - SegmentPrefix.Length - SegmentSuffix.Length;
            if (digits != 10 || !name.StartsWith(SegmentPrefix) || !name.EndsWith(SegmentSuffix))
            {
                return -1;
            }

            int v = 0;
            for (int i = 0; i < digits; i++)
            {
                int c = name[SegmentPrefix.Length + i] - '0';
                if (c < 0 || c > 9 || v > (int.MaxValue - c) / 10)
                {
                    return -1;
                }

                v = (v * 10) + c;
            }

            return v;
        }
    }
}
