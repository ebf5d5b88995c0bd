using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>
    /// What the node keeps in flash across deep sleep (RAM is lost): boot counter, next sequence
    /// number, schedule and backoff, the clock offset learned at sync, and the last applied remote
    /// config. Stored as two dual-copy records (power-cut safe) in the state <see cref="IBlockStore"/>.
    /// </summary>
    public sealed class NodeState
    {
        /// <summary>Largest retained remote config kept (the parser's limit; larger ones are refused, not kept).</summary>
        public const int MaxRemoteConfigBytes = Config.ConfigParser.MaxRemoteBytes;

        private const int StatePayload = 64;

        private readonly DualCopyRecord _state;
        private readonly DualCopyRecord _remote;
        private readonly byte[] _buf = new byte[StatePayload];

#pragma warning disable CS1591 // fields documented in the class summary and NodeCycle
        public int Boot;
        public int NextSeq = 1;
        public long LastSampleUtc;
        public long LastUploadUtc;
        public long NextUploadTryUtc;
        public int Failures;
        public long ClockOffset;
        public int SampleSecOverride;
        public bool UploadNow;
        public bool SampleNow;

        /// <summary>
        /// The battery entry's calibrated value of the last sampling wake, mV (0: none): the health
        /// <c>bat</c> of a wake that uploads without sampling, so it does not jump to the nominal
        /// divider's value between two calibrated ones (the gateway trends it for exhaustion).
        /// </summary>
        public int LastBatteryMillivolts;

        /// <summary>Low-battery mode in force (Power/PowerMode) and the battery trend it follows, mV (0: none yet).</summary>
        public int PowerMode;
        public int BatteryTrendMv;
#pragma warning restore CS1591

        /// <summary>State over <paramref name="store"/> (needs <see cref="RequiredBytes"/>: 2 × (64 + 12) + 2 × (MaxRemoteConfigBytes + 4 + 12) bytes).</summary>
        public NodeState(IBlockStore store)
        {
            _state = new DualCopyRecord(store, 0, StatePayload);
            _remote = new DualCopyRecord(store, _state.Footprint, MaxRemoteConfigBytes + 4);
        }

        /// <summary>Bytes of store the state needs.</summary>
        public static int RequiredBytes
        {
            get { return (2 * (StatePayload + 12)) + (2 * (MaxRemoteConfigBytes + 4 + 12)); }
        }

        /// <summary>Loads the state; false on a fresh store (fields keep their defaults).</summary>
        public bool Load()
        {
            if (!_state.Load(_buf))
            {
                return false;
            }

            Boot = LittleEndian.ReadInt32(_buf, 0);
            NextSeq = LittleEndian.ReadInt32(_buf, 4);
            LastSampleUtc = LittleEndian.ReadInt64(_buf, 8);
            LastUploadUtc = LittleEndian.ReadInt64(_buf, 16);
            NextUploadTryUtc = LittleEndian.ReadInt64(_buf, 24);
            Failures = LittleEndian.ReadInt32(_buf, 32);
            ClockOffset = LittleEndian.ReadInt64(_buf, 36);
            SampleSecOverride = LittleEndian.ReadInt32(_buf, 44);
            UploadNow = (_buf[48] & 1) != 0;
            SampleNow = (_buf[48] & 2) != 0;
            LastBatteryMillivolts = LittleEndian.ReadInt32(_buf, 52);
            PowerMode = _buf[49];
            BatteryTrendMv = LittleEndian.ReadInt32(_buf, 56);
            return true;
        }

        /// <summary>Persists the state (flushes).</summary>
        public void Save()
        {
            LittleEndian.WriteInt32(_buf, 0, Boot);
            LittleEndian.WriteInt32(_buf, 4, NextSeq);
            LittleEndian.WriteInt64(_buf, 8, LastSampleUtc);
            LittleEndian.WriteInt64(_buf, 16, LastUploadUtc);
            LittleEndian.WriteInt64(_buf, 24, NextUploadTryUtc);
            LittleEndian.WriteInt32(_buf, 32, Failures);
            LittleEndian.WriteInt64(_buf, 36, ClockOffset);
            LittleEndian.WriteInt32(_buf, 44, SampleSecOverride);
            _buf[48] = (byte)((UploadNow ? 1 : 0) | (SampleNow ? 2 : 0));
            LittleEndian.WriteInt32(_buf, 52, LastBatteryMillivolts);
            _buf[49] = (byte)PowerMode;
            LittleEndian.WriteInt32(_buf, 56, BatteryTrendMv);
            _state.Save(_buf);
        }

        /// <summary>Copies the stored remote config into <paramref name="into"/>; returns its length (0 none).</summary>
        public int LoadRemoteConfig(byte[] into)
        {
            // Read in the record's own buffer: no second config-sized buffer in RAM.
            if (!_remote.Load())
            {
                return 0;
            }

            byte[] buf = _remote.Buffer;
            int n = LittleEndian.ReadInt32(buf, DualCopyRecord.PayloadOffset);
            if (n <= 0 || n > MaxRemoteConfigBytes || n > into.Length)
            {
                return 0;
            }

            System.Array.Copy(buf, DualCopyRecord.PayloadOffset + 4, into, 0, n);
            return n;
        }

        /// <summary>Stores a remote config document (≤ <see cref="MaxRemoteConfigBytes"/>).</summary>
        public void SaveRemoteConfig(byte[] data, int count)
        {
            byte[] buf = _remote.Buffer;
            LittleEndian.WriteInt32(buf, DualCopyRecord.PayloadOffset, count);
            System.Array.Copy(data, 0, buf, DualCopyRecord.PayloadOffset + 4, count);
            _remote.Save();
        }
    }
}
