namespace IoTMonitor.Firmware.Core.Sensors.Rain
{
    /// <summary>
    /// NXP PCF8593 in event-counter mode: the gauge's reed switch (debounced, README) drives OSCI,
    /// the chip counts every tip in 6 BCD digits while the ESP32 deep-sleeps (typ. 1 µA), and the
    /// node reads the count at each sampling wake.
    /// </summary>
    /// <remarks>
    /// PCF8593 product data sheet Rev. 04 (2010-10-06): slave address A2h/A3h (7-bit 51h);
    /// register 00h control/status (bit 7 stop counting, bits 5–4 function mode, 10 = event counter,
    /// 00h after power-on: clock mode); in event-counter mode 01h holds digits D1 D0, 02h D3 D2, 03h D5
    /// D4 (BCD, up to 999 999); reading a counter strobes all of them into capture latches, so one
    /// 3-byte read is consistent. A control register that does not read "event counter, counting"
    /// means the chip was reset (its supply dropped): it is set up again and its count, which restarted
    /// at 0, is reported with <c>restarted</c>.
    /// </remarks>
    public sealed class Pcf8593TipCounter : ITipCounter
    {
        /// <summary>7-bit I2C address (A2h write / A3h read).</summary>
        public const int Address = 0x51;

        /// <summary>Control/status register value: event-counter mode, counting, alarm off.</summary>
        public const byte EventCounterMode = 0x20;

        /// <summary>Control/status bit 2: the alarm registers are in use (08h–0Fh are RAM otherwise).</summary>
        public const byte AlarmEnable = 0x04;

        /// <summary>Control/status bit 1: the alarm flag; INT is LOW while it is set (and enabled).</summary>
        public const byte AlarmFlag = 0x02;

        /// <summary>Alarm control 08h in event-counter mode: alarm interrupt enable (bit 7), event alarm (bits 5–4 = 01).</summary>
        public const byte EventAlarmControl = 0x90;

        private const byte ModeMask = 0xB0; // stop flag and function mode

        private readonly II2cBus _bus;
        private readonly byte[] _write = new byte[4];
        private readonly byte[] _read = new byte[4];
        private bool _alarmOn;

        /// <summary>A counter on <paramref name="bus"/>.</summary>
        public Pcf8593TipCounter(II2cBus bus)
        {
            _bus = bus;
        }

        /// <inheritdoc />
        public long Modulus
        {
            get { return 1000000; }
        }

        /// <inheritdoc />
        public ReadResult Read(out long count, out bool restarted)
        {
            count = 0;
            restarted = false;
            _write[0] = 0x00;
            ReadResult r = _bus.WriteRead(Address, _write, 1, _read, 4);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            if ((_read[0] & ModeMask) != EventCounterMode)
            {
                // Set up again: event-counter mode, count cleared (it restarted at power-up anyway).
                _write[0] = 0x00;
                _write[1] = EventCounterMode;
                r = _bus.WriteRead(Address, _write, 2, _read, 0);
                if (r != ReadResult.Ok)
                {
                    return r;
                }

                _write[0] = 0x01;
                _write[1] = 0;
                _write[2] = 0;
                _write[3] = 0;
                r = _bus.WriteRead(Address, _write, 4, _read, 0);
                restarted = true;
                return r;
            }

            _alarmOn = (_read[0] & AlarmEnable) != 0;
            int d10 = Bcd(_read[1]);
            int d32 = Bcd(_read[2]);
            int d54 = Bcd(_read[3]);
            if (d10 < 0 || d32 < 0 || d54 < 0)
            {
                return ReadResult.Fault; // not BCD: not a PCF8593 counting events
            }

            count = d10 + (d32 * 100L) + (d54 * 10000L);
            return ReadResult.Ok;
        }

        /// <summary>True when the last read found the alarm enabled.</summary>
        public bool AlarmOn
        {
            get { return _alarmOn; }
        }

        /// <inheritdoc />
        public ReadResult ArmAlarm(long alarmCount)
        {
            long c = alarmCount % 1000000;
            _write[0] = 0x08;
            _write[1] = EventAlarmControl;
            _write[2] = ToBcd((int)(c % 100));
            _write[3] = ToBcd((int)(c / 100 % 100));
            ReadResult r = _bus.WriteRead(Address, _write, 4, _read, 0);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            _write[0] = 0x0B;
            _write[1] = ToBcd((int)(c / 10000));
            r = _bus.WriteRead(Address, _write, 2, _read, 0);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            // Last: alarm enable with the flag written 0, which releases INT.
            _write[0] = 0x00;
            _write[1] = EventCounterMode | AlarmEnable;
            r = _bus.WriteRead(Address, _write, 2, _read, 0);
            _alarmOn = r == ReadResult.Ok;
            return r;
        }

        /// <inheritdoc />
        public ReadResult DisarmAlarm()
        {
            if (!_alarmOn)
            {
                return ReadResult.Ok; // no write on a node that never armed it
            }

            _write[0] = 0x00;
            _write[1] = EventCounterMode; // alarm off, flag cleared: INT released
            ReadResult r = _bus.WriteRead(Address, _write, 2, _read, 0);
            if (r == ReadResult.Ok)
            {
                _alarmOn = false;
            }

            return r;
        }

        private static byte ToBcd(int v)
        {
            return (byte)(((v / 10) << 4) | (v % 10));
        }

        /// <summary>Two BCD digits of <paramref name="b"/>, or −1 when either is above 9.</summary>
        public static int Bcd(byte b)
        {
            int hi = b >> 4;
            int lo = b & 0x0F;
            return hi > 9 || lo > 9 ? -1 : (hi * 10) + lo;
        }
    }
}
