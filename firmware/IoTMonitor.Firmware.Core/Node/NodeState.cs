using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>
    /// What the node keeps in flash across deep sleep (RAM is lost): boot counter, next sequence
    /// number, schedule and backoff, the clock offset learned at sync, and the last applied remote
    /// config. Each is written whole into alternating A/B files (<see cref="AlternatingFile"/>),
    /// never patched in place: <c>state.a</c>/<c>state.b</c> (76 B, inline in LittleFS's
    /// directory log) and <c>remote.a</c>/<c>remote.b</c>.
    /// </summary>
    public sealed class NodeState
    {
        /// <summary>Largest retained remote config kept (the parser's limit; larger ones are refused, not kept).</summary>
        public const int MaxRemoteConfigBytes = Config.ConfigParser.MaxRemoteBytes;

        private const int StatePayload = 64;

        private readonly AlternatingFile _state;
        private readonly AlternatingFile _remote;

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
#pragma warning restore CS1591

        /// <summary>State in <paramref name="files"/>.</summary>
        public NodeState(IFileStore files)
        {
            _state = new AlternatingFile(files, "state.a", "state.b", StatePayload);
            _remote = new AlternatingFile(files, "remote.a", "remote.b", MaxRemoteConfigBytes);
        }

        /// <summary>Largest bytes the state's files take in flash (both copies of both records).</summary>
        public static int MaxFileBytes
        {
            get { return 2 * (StatePayload + AlternatingFile.Overhead + MaxRemoteConfigBytes + AlternatingFile.Overhead); }
        }

        /// <summary>Loads the state; false on a fresh store (fields keep their defaults).</summary>
        public bool Load()
        {
            if (_state.Load() != StatePayload)
            {
                return false;
            }

            byte[] buf = _state.Buffer;
            int o = AlternatingFile.PayloadOffset;

            Boot = LittleEndian.ReadInt32(buf, o + 0);
            NextSeq = LittleEndian.ReadInt32(buf, o + 4);
            LastSampleUtc = LittleEndian.ReadInt64(buf, o + 8);
            LastUploadUtc = LittleEndian.ReadInt64(buf, o + 16);
            NextUploadTryUtc = LittleEndian.ReadInt64(buf, o + 24);
            Failures = LittleEndian.ReadInt32(buf, o + 32);
            ClockOffset = LittleEndian.ReadInt64(buf, o + 36);
            SampleSecOverride = LittleEndian.ReadInt32(buf, o + 44);
            UploadNow = (buf[o + 48] & 1) != 0;
            SampleNow = (buf[o + 48] & 2) != 0;
            LastBatteryMillivolts = LittleEndian.ReadInt32(buf, o + 52);
            return true;
        }

        /// <summary>Writes the state whole into the older of state.a/state.b; committed on return.</summary>
        public void Save()
        {
            byte[] buf = _state.Buffer;
            int o = AlternatingFile.PayloadOffset;
            System.Array.Clear(buf, o, StatePayload);
            LittleEndian.WriteInt32(buf, o + 0, Boot);
            LittleEndian.WriteInt32(buf, o + 4, NextSeq);
            LittleEndian.WriteInt64(buf, o + 8, LastSampleUtc);
            LittleEndian.WriteInt64(buf, o + 16, LastUploadUtc);
            LittleEndian.WriteInt64(buf, o + 24, NextUploadTryUtc);
            LittleEndian.WriteInt32(buf, o + 32, Failures);
            LittleEndian.WriteInt64(buf, o + 36, ClockOffset);
            LittleEndian.WriteInt32(buf, o + 44, SampleSecOverride);
            buf[o + 48] = (byte)((UploadNow ? 1 : 0) | (SampleNow ? 2 : 0));
            LittleEndian.WriteInt32(buf, o + 52, LastBatteryMillivolts);
            _state.Save(StatePayload);
        }

        /// <summary>Copies the stored remote config into <paramref name="into"/>; returns its length (0 none).</summary>
        public int LoadRemoteConfig(byte[] into)
        {
            // Read in the record's own buffer: no second config-sized buffer in RAM.
            int n = _remote.Load();
            if (n <= 0 || n > into.Length)
            {
                return 0;
            }

            System.Array.Copy(_remote.Buffer, AlternatingFile.PayloadOffset, into, 0, n);
            return n;
        }

        /// <summary>Stores a remote config document (≤ <see cref="MaxRemoteConfigBytes"/>).</summary>
        public void SaveRemoteConfig(byte[] data, int count)
        {
            System.Array.Copy(data, 0, _remote.Buffer, AlternatingFile.PayloadOffset, count);
            _remote.Save(count);
        }
    }
}
