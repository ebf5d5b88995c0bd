using IoTMonitor.Firmware.Core.Sensors.Rain;
using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>
    /// What the node keeps in flash across deep sleep (RAM is lost): boot counter, next sequence
    /// number, schedule and backoff, the clock offset learned at sync, and the last applied remote
    /// config. Each is written whole into alternating A/B files (<see cref="AlternatingFile"/>),
    /// never patched in place: <c>state.a</c>/<c>state.b</c> (208 B, inline in LittleFS's
    /// directory log) and <c>remote.a</c>/<c>remote.b</c>.
    /// </summary>
    /// <remarks>
    /// The clock offsets of the last <see cref="PastBoots"/> boots are kept too: readings a boot
    /// sampled before its clock was set may still be queued after later cold starts (an outage, then
    /// a power cut), and they can only be rebased with their own boot's offset.
    /// </remarks>
    public sealed class NodeState
    {
        /// <summary>Largest retained remote config kept (the parser's limit; larger ones are refused, not kept).</summary>
        public const int MaxRemoteConfigBytes = Config.ConfigParser.MaxRemoteBytes;

        /// <summary>Earlier boots whose clock offsets are kept.</summary>
        public const int PastBoots = 8;

        // The first 64 bytes are the layout of firmware that kept no past offsets (still loaded).
        private const int BasePayload = 64;
        private const int PastEntryBytes = 12; // boot (4), offset (8)
        private const int PastPayload = BasePayload + (PastBoots * PastEntryBytes);
        private const int ClockBytes = 20; // last sync (8), drift ppm (4), unplaceable readings (4), sync misses (4)
        private const int RainBytes = 16; // tips (4), last count (8), known (1), spare (3)
        private const int StatePayload = PastPayload + ClockBytes + RainBytes;

        private readonly int[] _pastBoot = new int[PastBoots];
        private readonly long[] _pastOffset = new long[PastBoots];

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

        /// <summary>Low-battery mode in force (Power/PowerMode) and the battery trend it follows, mV (0: none yet).</summary>
        public int PowerMode;
        public int BatteryTrendMv;

        /// <summary>RTC time of the last SNTP sync that was seen to land, s (0: none yet).</summary>
        public long LastSyncUtc;

        /// <summary>
        /// The RTC's rate error measured at the last re-sync, ppm (positive: it ran fast): the
        /// correction the sync made ÷ the time since the sync before it. Health <c>drift</c>.
        /// </summary>
        public int DriftPpm;

        /// <summary>
        /// Readings discarded over the node's life because they cannot be placed in time (sampled in an
        /// earlier boot that never set its clock, found while this boot's clock is unset too). Health <c>unp</c>.
        /// </summary>
        public int Unplaceable;

        /// <summary>Connected wakes of this boot whose SNTP sync did not land (the clock still unset after it).</summary>
        public int SyncMisses;
#pragma warning restore CS1591

        /// <summary>The rain gauge's tips since boot and its counter reference (Sensors/Rain/TipTally).</summary>
        public TipTally Rain = new TipTally();

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
            int length = _state.Load();
            if (length != StatePayload && length != PastPayload && length != BasePayload)
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
            PowerMode = buf[o + 49];
            BatteryTrendMv = LittleEndian.ReadInt32(buf, o + 56);
            for (int i = 0; i < PastBoots; i++)
            {
                int at = o + BasePayload + (i * PastEntryBytes);
                _pastBoot[i] = length >= PastPayload ? LittleEndian.ReadInt32(buf, at) : 0;
                _pastOffset[i] = length >= PastPayload ? LittleEndian.ReadInt64(buf, at + 4) : 0;
            }

            LastSyncUtc = length == StatePayload ? LittleEndian.ReadInt64(buf, o + PastPayload) : 0;
            DriftPpm = length == StatePayload ? LittleEndian.ReadInt32(buf, o + PastPayload + 8) : 0;
            Unplaceable = length == StatePayload ? LittleEndian.ReadInt32(buf, o + PastPayload + 12) : 0;
            SyncMisses = length == StatePayload ? LittleEndian.ReadInt32(buf, o + PastPayload + 16) : 0;

            int r = o + PastPayload + ClockBytes;
            Rain.Tips = length == StatePayload ? LittleEndian.ReadInt32(buf, r) : 0;
            Rain.LastCount = length == StatePayload ? LittleEndian.ReadInt64(buf, r + 4) : 0;
            Rain.Known = length == StatePayload && buf[r + 12] != 0;

            return true;
        }

        /// <summary>
        /// Starts a new boot (a cold start): the ending boot's clock offset joins the past ones (the
        /// oldest goes), <see cref="Boot"/> counts up and the per-boot fields restart.
        /// </summary>
        public void StartBoot()
        {
            if (ClockOffset != 0)
            {
                for (int i = PastBoots - 1; i > 0; i--)
                {
                    _pastBoot[i] = _pastBoot[i - 1];
                    _pastOffset[i] = _pastOffset[i - 1];
                }

                _pastBoot[0] = Boot;
                _pastOffset[0] = ClockOffset;
            }

            Boot++;
            NextSeq = 1;
            Rain.StartBoot();
            ClockOffset = 0;
            NextUploadTryUtc = 0;
            SyncMisses = 0;
        }

        /// <summary>The clock offset learned in boot <paramref name="boot"/> (0: none known).</summary>
        public long OffsetOf(int boot)
        {
            if (boot == Boot)
            {
                return ClockOffset;
            }

            for (int i = 0; i < PastBoots; i++)
            {
                if (_pastBoot[i] == boot && boot != 0)
                {
                    return _pastOffset[i];
                }
            }

            return 0;
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
            buf[o + 49] = (byte)PowerMode;
            LittleEndian.WriteInt32(buf, o + 56, BatteryTrendMv);
            for (int i = 0; i < PastBoots; i++)
            {
                int at = o + BasePayload + (i * PastEntryBytes);
                LittleEndian.WriteInt32(buf, at, _pastBoot[i]);
                LittleEndian.WriteInt64(buf, at + 4, _pastOffset[i]);
            }

            LittleEndian.WriteInt64(buf, o + PastPayload, LastSyncUtc);
            LittleEndian.WriteInt32(buf, o + PastPayload + 8, DriftPpm);
            LittleEndian.WriteInt32(buf, o + PastPayload + 12, Unplaceable);
            LittleEndian.WriteInt32(buf, o + PastPayload + 16, SyncMisses);

            int r = o + PastPayload + ClockBytes;
            LittleEndian.WriteInt32(buf, r, Rain.Tips);
            LittleEndian.WriteInt64(buf, r + 4, Rain.LastCount);
            buf[r + 12] = (byte)(Rain.Known ? 1 : 0);
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
