using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Core.Node
{
    /// <summary>
    /// Event mode (docs/config.md "Event mode"): when the rainfall over <c>eventRainWindowSec</c>
    /// reaches <c>eventRainMm</c>, or <c>water.level</c> has risen <c>eventRiseM</c> above its lowest
    /// value within <c>eventRiseWindowSec</c>, the node samples at <c>eventSampleSec</c> and uploads
    /// every wake until the condition has been clear for <c>eventHoldSec</c>.
    /// </summary>
    /// <remarks>
    /// Deep sleep is a reset, so the mode and the short history it judges by live in their own A/B
    /// record (<c>event.a</c>/<c>event.b</c>, 424 B: inline in LittleFS's directory log), written once
    /// per sampling wake while armed (never on a node without event thresholds). The history holds <see cref="Slots"/> time slots, each at least the longest
    /// window ÷ (<see cref="Slots"/> − 1) apart, so the windows are judged to within one slot
    /// whatever the sampling interval. Rainfall is accumulated from <c>rain.total</c> exactly as the
    /// gateway derives increments (protocol §8 "Rainfall"): the difference to the previous value of the
    /// same boot, the whole value for the first reading of a new boot, never a negative step.
    /// </remarks>
    public sealed class EventMode
    {
        /// <summary>Time slots of history kept.</summary>
        public const int Slots = 24;

        private const int HeaderBytes = 40;
        private const int SlotBytes = 16; // start utc (8), rain tenths at start (4), lowest level mm (4)
        private const int Payload = HeaderBytes + (Slots * SlotBytes);
        private const int NoLevel = int.MinValue;

        private readonly AlternatingFile _file;
        private readonly long[] _slotUtc = new long[Slots];
        private readonly int[] _slotRain = new int[Slots];
        private readonly int[] _slotLevel = new int[Slots];

        private bool _active;
        private long _enteredUtc;
        private long _clearSinceUtc;
        private bool _rainKnown;
        private int _rainBoot;
        private int _lastRainTenths;
        private int _rainTenths; // cumulative over the node's life, 0.1 mm (wraps after 214 km of rain)
        private int _levelMm = NoLevel;
        private int _count;
        private int _head; // index of the newest slot

        /// <summary>Event-mode state in <paramref name="files"/>.</summary>
        public EventMode(IFileStore files)
        {
            _file = new AlternatingFile(files, "event.a", "event.b", Payload);
        }

        /// <summary>True while the node is in event mode.</summary>
        public bool Active
        {
            get { return _active; }
        }

        /// <summary>When the current (or last) event began, epoch seconds (0: never).</summary>
        public long EnteredUtc
        {
            get { return _enteredUtc; }
        }

        /// <summary>Rainfall over the rain window at the last <see cref="Observe"/>, mm.</summary>
        public double WindowRainMm { get; private set; }

        /// <summary>Rise of the level over the rise window at the last <see cref="Observe"/>, m (0 with no level).</summary>
        public double WindowRiseM { get; private set; }

        /// <summary>True when the config arms event mode (a rainfall or a rise threshold above 0).</summary>
        public static bool Armed(DeviceConfig config)
        {
            return config.EventRainMm > 0 || config.EventRiseM > 0;
        }

        /// <summary>Bytes the record takes in flash (both copies).</summary>
        public static int MaxFileBytes
        {
            get { return 2 * (Payload + AlternatingFile.Overhead); }
        }

        /// <summary>Loads the record; a missing or damaged one starts from "not in event mode, no history".</summary>
        public void Load()
        {
            int length = _file.Load();
            if (length != Payload)
            {
                Clear();
                return;
            }

            byte[] b = _file.Buffer;
            int o = AlternatingFile.PayloadOffset;
            _active = (b[o] & 1) != 0;
            _rainKnown = (b[o] & 2) != 0;
            _enteredUtc = LittleEndian.ReadInt64(b, o + 4);
            _clearSinceUtc = LittleEndian.ReadInt64(b, o + 12);
            _rainBoot = LittleEndian.ReadInt32(b, o + 20);
            _lastRainTenths = LittleEndian.ReadInt32(b, o + 24);
            _rainTenths = LittleEndian.ReadInt32(b, o + 28);
            _count = b[o + 1];
            _head = b[o + 2];
            _levelMm = LittleEndian.ReadInt32(b, o + 32);
            if (_count > Slots || _head >= Slots)
            {
                Clear();
                return;
            }

            for (int i = 0; i < Slots; i++)
            {
                int at = o + HeaderBytes + (i * SlotBytes);
                _slotUtc[i] = LittleEndian.ReadInt64(b, at);
                _slotRain[i] = LittleEndian.ReadInt32(b, at + 8);
                _slotLevel[i] = LittleEndian.ReadInt32(b, at + 12);
            }
        }

        /// <summary>
        /// Takes one sampling round (<paramref name="count"/> readings of boot <paramref name="boot"/>
        /// sampled at <paramref name="now"/>), judges the condition under <paramref name="config"/>,
        /// enters or leaves event mode and saves the record. Returns +1 when it entered, −1 when it
        /// left, 0 otherwise.
        /// </summary>
        public int Observe(long now, Reading[] readings, int count, int boot, DeviceConfig config)
        {
            if (!Armed(config))
            {
                // Disarmed (remotely too): leave at once, keep no history (the windows of a later
                // arming start then), and write the record only when that changes it, so a node
                // without event thresholds never writes it.
                bool had = _active || _count > 0 || _rainKnown;
                int left = _active ? -1 : 0;
                Clear();
                if (had)
                {
                    Save();
                }

                return left;
            }

            int level = NoLevel;
            for (int i = 0; i < count; i++)
            {
                if ((readings[i].Flags & QualityFlags.NoValue) != 0)
                {
                    continue;
                }

                if (readings[i].Quantity == Quantities.RainTotal)
                {
                    TakeRain(Round(readings[i].Value * 10), boot);
                }
                else if (readings[i].Quantity == Quantities.WaterLevel)
                {
                    level = Round(readings[i].Value * 1000);
                }
            }

            _levelMm = level;
            Record(now, level, config);
            bool condition = Judge(now, level, config);
            int change = 0;
            if (condition)
            {
                change = _active ? 0 : 1;
                if (!_active)
                {
                    _enteredUtc = now;
                }

                _active = true;
                _clearSinceUtc = 0;
            }
            else if (_active)
            {
                if (_clearSinceUtc == 0 || now < _clearSinceUtc)
                {
                    _clearSinceUtc = now;
                }

                if (now - _clearSinceUtc >= config.EventHoldSec)
                {
                    _active = false;
                    _clearSinceUtc = 0;
                    change = -1;
                }
            }

            Save();
            return change;
        }

        private void TakeRain(int tenths, int boot)
        {
            if (tenths < 0)
            {
                return;
            }

            if (_rainKnown && boot == _rainBoot)
            {
                if (tenths > _lastRainTenths)
                {
                    _rainTenths += tenths - _lastRainTenths;
                }
            }
            else if (_rainKnown)
            {
                _rainTenths += tenths; // first reading of a new boot: all of it is new
            }

            // The very first reading ever only sets the reference: its since-boot rain may be old.
            _rainKnown = true;
            _rainBoot = boot;
            _lastRainTenths = tenths;
        }

        private void Record(long now, int level, DeviceConfig config)
        {
            int longest = config.EventRainWindowSec > config.EventRiseWindowSec ? config.EventRainWindowSec : config.EventRiseWindowSec;
            long spacing = longest / (Slots - 1);
            if (_count > 0 && now >= _slotUtc[_head] && now - _slotUtc[_head] < spacing)
            {
                if (level != NoLevel && (_slotLevel[_head] == NoLevel || level < _slotLevel[_head]))
                {
                    _slotLevel[_head] = level;
                }

                return;
            }

            _head = _count == 0 ? 0 : (_head + 1) % Slots;
            if (_count < Slots)
            {
                _count++;
            }

            _slotUtc[_head] = now;
            _slotRain[_head] = _rainTenths;
            _slotLevel[_head] = level;
        }

        private bool Judge(long now, int level, DeviceConfig config)
        {
            // Rain since the newest slot that began at or before the window's start (the oldest
            // slot while the history is shorter than the window).
            int baseRain = _slotRain[Oldest()];
            long rainFrom = now - config.EventRainWindowSec;
            int lowest = NoLevel;
            long riseFrom = now - config.EventRiseWindowSec;
            for (int k = 0; k < _count; k++)
            {
                int i = (Oldest() + k) % Slots;
                if (_slotUtc[i] <= rainFrom)
                {
                    baseRain = _slotRain[i];
                }

                if (_slotUtc[i] >= riseFrom && _slotLevel[i] != NoLevel && (lowest == NoLevel || _slotLevel[i] < lowest))
                {
                    lowest = _slotLevel[i];
                }
            }

            WindowRainMm = (_rainTenths - baseRain) / 10.0;
            WindowRiseM = level != NoLevel && lowest != NoLevel ? (level - lowest) / 1000.0 : 0;
            bool rain = config.EventRainMm > 0 && WindowRainMm >= config.EventRainMm - 1e-9;
            bool rise = config.EventRiseM > 0 && WindowRiseM >= config.EventRiseM - 1e-9;
            return rain || rise;
        }

        private int Oldest()
        {
            return _count < Slots ? 0 : (_head + 1) % Slots;
        }

        private void Save()
        {
            byte[] b = _file.Buffer;
            int o = AlternatingFile.PayloadOffset;
            System.Array.Clear(b, o, Payload);
            b[o] = (byte)((_active ? 1 : 0) | (_rainKnown ? 2 : 0));
            b[o + 1] = (byte)_count;
            b[o + 2] = (byte)_head;
            LittleEndian.WriteInt64(b, o + 4, _enteredUtc);
            LittleEndian.WriteInt64(b, o + 12, _clearSinceUtc);
            LittleEndian.WriteInt32(b, o + 20, _rainBoot);
            LittleEndian.WriteInt32(b, o + 24, _lastRainTenths);
            LittleEndian.WriteInt32(b, o + 28, _rainTenths);
            LittleEndian.WriteInt32(b, o + 32, _levelMm);
            for (int i = 0; i < Slots; i++)
            {
                int at = o + HeaderBytes + (i * SlotBytes);
                LittleEndian.WriteInt64(b, at, _slotUtc[i]);
                LittleEndian.WriteInt32(b, at + 8, _slotRain[i]);
                LittleEndian.WriteInt32(b, at + 12, _slotLevel[i]);
            }

            _file.Save(Payload);
        }

        private void Clear()
        {
            _active = false;
            _rainKnown = false;
            _enteredUtc = 0;
            _clearSinceUtc = 0;
            _rainBoot = 0;
            _lastRainTenths = 0;
            _rainTenths = 0;
            _levelMm = NoLevel;
            _count = 0;
            _head = 0;
        }

        private static int Round(double v)
        {
            return v >= 0 ? (int)(v + 0.5) : -(int)(-v + 0.5);
        }
    }
}
