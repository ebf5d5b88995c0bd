namespace IoTMonitor.Firmware.Core.Storage
{
    /// <summary>
    /// A small record kept whole in two files, written alternately (A, B, A, …) and never patched
    /// in place: each file is magic, sequence number, payload and CRC-32. Loading picks the valid
    /// file with the higher sequence, so a cut while one is written leaves the other. Used for the
    /// node state, the remote config and the queue's acknowledgement cursor.
    /// </summary>
    /// <remarks>
    /// On LittleFS a replace is already atomic at close (docs/references.md, "Flash storage");
    /// the second file keeps the record safe on stores where it is not (the host's plain files)
    /// and against a damaged file. A file of ≤ 512 B lives in LittleFS's directory log, so the
    /// 64-byte state costs one metadata append per save.
    /// </remarks>
    public sealed class AlternatingFile
    {
        /// <summary>Where the payload starts in <see cref="Buffer"/>.</summary>
        public const int PayloadOffset = 8;

        /// <summary>Bytes a file holds besides the payload.</summary>
        public const int Overhead = 12;

        private const int Magic = 0x32424149; // "IAB2"

        private readonly IFileStore _files;
        private readonly string _nameA;
        private readonly string _nameB;
        private readonly byte[] _buf;
        private int _sequence;
        private bool _lastWasA;

        /// <summary>A record of at most <paramref name="maxPayload"/> bytes in files <paramref name="nameA"/> and <paramref name="nameB"/>.</summary>
        public AlternatingFile(IFileStore files, string nameA, string nameB, int maxPayload)
        {
            _files = files;
            _nameA = nameA;
            _nameB = nameB;
            _buf = new byte[maxPayload + Overhead];
        }

        /// <summary>The record's buffer: the payload is at <see cref="PayloadOffset"/> after <see cref="Load"/>, and <see cref="Save"/> writes what is there.</summary>
        public byte[] Buffer
        {
            get { return _buf; }
        }

        /// <summary>Largest payload.</summary>
        public int MaxPayload
        {
            get { return _buf.Length - Overhead; }
        }

        /// <summary>
        /// Loads the newest valid copy into <see cref="Buffer"/> and returns its payload length;
        /// −1 when neither file holds a valid copy (fresh store). Two opens.
        /// </summary>
        public int Load()
        {
            int seqA;
            int lenA = ReadValid(_nameA, out seqA);
            int seqB;
            int lenB = ReadValid(_nameB, out seqB);
            if (lenA < 0 && lenB < 0)
            {
                _sequence = 0;
                _lastWasA = false;
                return -1;
            }

            bool useA = lenB < 0 || (lenA >= 0 && seqA - seqB > 0);

            // The buffer holds B now (read last); read A again when A wins.
            if (useA)
            {
                ReadValid(_nameA, out seqA);
            }

            _sequence = useA ? seqA : seqB;
            _lastWasA = useA;
            return useA ? lenA : lenB;
        }

        /// <summary>Writes the first <paramref name="payloadLength"/> payload bytes of <see cref="Buffer"/> whole into the older file.</summary>
        public void Save(int payloadLength)
        {
            if (payloadLength < 0 || payloadLength > MaxPayload)
            {
                throw new System.ArgumentOutOfRangeException("payloadLength");
            }

            _sequence++;
            LittleEndian.WriteInt32(_buf, 0, Magic);
            LittleEndian.WriteInt32(_buf, 4, _sequence);
            int crcAt = PayloadOffset + payloadLength;
            LittleEndian.WriteInt32(_buf, crcAt, (int)Crc32.Compute(_buf, 0, crcAt));
            bool toA = !_lastWasA;
            _files.Replace(toA ? _nameA : _nameB, _buf, 0, crcAt + 4);
            _lastWasA = toA;
        }

        /// <summary>Deletes both files.</summary>
        public void Delete()
        {
            _files.Delete(_nameA);
            _files.Delete(_nameB);
            _sequence = 0;
        }

        private int ReadValid(string name, out int sequence)
        {
            sequence = 0;
            int n = _files.Read(name, _buf, 0, _buf.Length);
            if (n < Overhead || LittleEndian.ReadInt32(_buf, 0) != Magic
                || LittleEndian.ReadInt32(_buf, n - 4) != (int)Crc32.Compute(_buf, 0, n - 4))
            {
                return -1;
            }

            sequence = LittleEndian.ReadInt32(_buf, 4);
            return n - Overhead;
        }
    }
}
