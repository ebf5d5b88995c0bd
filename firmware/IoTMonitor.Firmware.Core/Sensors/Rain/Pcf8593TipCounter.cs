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

        private const byte ModeMask = 0xB0; // stop flag and function mode

        private readonly II2cBus _bus;
        private readonly byte[] _write = new byte[4];
        private readonly byte[] _read = new byte[4];

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

        /// <summary>Two BCD digits of <paramref name="b"/>, or −1 when either is above 9.</summary>
        public static int Bcd(byte b)
        {
            int hi = b >> 4;
            int lo = b & 0x0F;
            return hi > 9 || lo > 9 ? -1 : (hi * 10) + lo;
        }
    }
}
