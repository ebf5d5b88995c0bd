namespace IoTMonitor.Firmware.Core.Sensors.Ds3231
{
    /// <summary>
    /// A DS3231 real-time clock on an I2C bus, kept running through power cuts by its backup cell
    /// (hardware/common/rtc-backup.md): read at a boot whose own clock is unset, written after every
    /// network time sync.
    /// </summary>
    /// <remarks>
    /// Maxim Integrated, "DS3231 Extremely Accurate I2C-Integrated RTC/TCXO/Crystal", 19-5170 Rev 10:
    /// slave address 1101000 (68h); "Figure 1. Timekeeping Registers" / Table 1 for 00h–06h
    /// (<see cref="Ds3231Time"/>); the register pointer auto-increments, and the time is copied to
    /// secondary registers at the I2C START, so one multi-byte read is a consistent snapshot
    /// ("I2C Interface"); "Status Register (0Fh)" bit 7 OSF: 1 when the oscillator is or was stopped
    /// (first application of power, VCC and VBAT both too low), the time is then not valid; it stays 1
    /// until written 0. The other status bits (EN32kHz, BSY, A2F, A1F) are written back as read.
    /// </remarks>
    public sealed class Ds3231Clock
    {
        /// <summary>7-bit I2C address.</summary>
        public const int Address = 0x68;

        /// <summary>Status register.</summary>
        public const int StatusRegister = 0x0F;

        /// <summary>Oscillator Stop Flag, status bit 7.</summary>
        public const byte OscillatorStopFlag = 0x80;

        private readonly II2cBus _bus;
        private readonly byte[] _write = new byte[1 + Ds3231Time.RegisterCount];
        private readonly byte[] _read = new byte[StatusRegister + 1];

        /// <summary>The clock on <paramref name="bus"/>.</summary>
        public Ds3231Clock(II2cBus bus)
        {
            _bus = bus;
        }

        /// <summary>
        /// Reads 00h–0Fh in one transfer: <paramref name="utcSeconds"/> the time (−1 when the
        /// registers hold no valid date), <paramref name="oscillatorStopped"/> the OSF bit. Fault when
        /// the registers are not a date; the bus's result otherwise.
        /// </summary>
        public ReadResult Read(out long utcSeconds, out bool oscillatorStopped)
        {
            utcSeconds = -1;
            oscillatorStopped = true;
            _write[0] = 0x00;
            ReadResult r = _bus.WriteRead(Address, _write, 1, _read, _read.Length);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            oscillatorStopped = (_read[StatusRegister] & OscillatorStopFlag) != 0;
            utcSeconds = Ds3231Time.ToEpoch(_read, 0);
            return utcSeconds < 0 ? ReadResult.Fault : ReadResult.Ok;
        }

        /// <summary>
        /// Sets the time to <paramref name="utcSeconds"/> (24-hour mode) and then clears OSF, so the
        /// flag is 0 only over a time that was written. OutOfRange outside 2000–2099.
        /// </summary>
        public ReadResult Write(long utcSeconds)
        {
            _write[0] = 0x00;
            if (!Ds3231Time.FromEpoch(utcSeconds, _write, 1))
            {
                return ReadResult.OutOfRange;
            }

            ReadResult r = _bus.WriteRead(Address, _write, _write.Length, _read, 0);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            _write[0] = StatusRegister;
            r = _bus.WriteRead(Address, _write, 1, _read, 1);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            _write[1] = (byte)(_read[0] & ~OscillatorStopFlag);
            return _bus.WriteRead(Address, _write, 2, _read, 0);
        }
    }
}
