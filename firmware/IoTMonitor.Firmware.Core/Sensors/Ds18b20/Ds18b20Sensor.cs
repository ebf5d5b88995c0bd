namespace IoTMonitor.Firmware.Core.Sensors.Ds18b20
{
    /// <summary>
    /// One DS18B20 alone on its 1-Wire bus (addressed with SKIP ROM), externally powered.
    /// Channel raw[0]: temperature °C. The resolution is written to the scratchpad each wake and
    /// never copied to EEPROM, which has limited write endurance.
    /// </summary>
    public sealed class Ds18b20Sensor : ISensor
    {
#pragma warning disable CS1591 // ROM and function commands, datasheet names
        public const byte SKIP_ROM = 0xCC;
        public const byte CONVERT_T = 0x44;
        public const byte READ_SCRATCHPAD = 0xBE;
        public const byte WRITE_SCRATCHPAD = 0x4E;
#pragma warning restore CS1591

        private readonly IOneWireBus _bus;
        private readonly int _resolutionBits;
        private readonly byte[] _scratchpad = new byte[Ds18b20Scratchpad.Length];
        private bool _initialized;

        /// <summary>Creates the driver; <paramref name="resolutionBits"/> 9–12 (12: 0.0625 °C, 750 ms).</summary>
        public Ds18b20Sensor(IOneWireBus bus, int resolutionBits = 12)
        {
            _bus = bus;
            _resolutionBits = resolutionBits < 9 ? 9 : resolutionBits > 12 ? 12 : resolutionBits;
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return 1; }
        }

        /// <summary>The conversion time at the configured resolution (datasheet Table 2).</summary>
        public int WarmupMs
        {
            get { return Ds18b20Scratchpad.ConversionMs(_resolutionBits); }
        }

        /// <inheritdoc />
        public ReadResult Initialize()
        {
            _initialized = false;
            double t;
            int bits;
            ReadResult r = ReadScratchpad();
            if (r != ReadResult.Ok)
            {
                return r;
            }

            r = Ds18b20Scratchpad.Decode(_scratchpad, 0, out t, out bits);
            // The power-on +85 °C and an out-of-range old value are normal before the first
            // conversion; only transport faults fail the setup.
            if (r == ReadResult.NoResponse || r == ReadResult.BadCrc)
            {
                return r;
            }

            if (r == ReadResult.Fault && (_scratchpad[4] & 0x9F) != 0x1F)
            {
                return r;
            }

            if (bits != _resolutionBits)
            {
                if (!_bus.Reset())
                {
                    return ReadResult.NoResponse;
                }

                _bus.WriteByte(SKIP_ROM);
                _bus.WriteByte(WRITE_SCRATCHPAD);
                _bus.WriteByte(_scratchpad[2]);
                _bus.WriteByte(_scratchpad[3]);
                _bus.WriteByte(Ds18b20Scratchpad.ConfigFor(_resolutionBits));
            }

            _initialized = true;
            return ReadResult.Ok;
        }

        /// <inheritdoc />
        public ReadResult Start()
        {
            if (!_initialized)
            {
                return ReadResult.NotInitialized;
            }

            if (!_bus.Reset())
            {
                return ReadResult.NoResponse;
            }

            _bus.WriteByte(SKIP_ROM);
            _bus.WriteByte(CONVERT_T);
            return ReadResult.Ok;
        }

        /// <inheritdoc />
        public ReadResult Read(double[] raw)
        {
            if (!_initialized)
            {
                return ReadResult.NotInitialized;
            }

            ReadResult r = ReadScratchpad();
            if (r != ReadResult.Ok)
            {
                return r;
            }

            double t;
            int bits;
            r = Ds18b20Scratchpad.Decode(_scratchpad, 0, out t, out bits);
            if (r == ReadResult.Fault && IsPowerOnValue())
            {
                r = ConvertAgain(out t);
            }

            if (ReadResultQuality.HasValue(r))
            {
                raw[0] = t;
            }

            return r;
        }

        /// <summary>Read slots polled at most this often while a conversion runs (≈ 0.56 ms each: 8 slots of 60–120 µs), ≈ 1.1 s.</summary>
        public const int MaxConversionPolls = 2000;

        // 0550h with a valid configuration byte: either the power-up value (datasheet: the temperature
        // register reads +85 °C until a conversion completes, i.e. the device reset or missed CONVERT T)
        // or a genuine +85 °C conversion, which reads the same. A second conversion decides: it runs now
        // for sure (waited for by read slots), so a second 0550h was measured.
        private bool IsPowerOnValue()
        {
            return (_scratchpad[4] & 0x9F) == 0x1F && (short)(_scratchpad[0] | (_scratchpad[1] << 8)) == Ds18b20Scratchpad.PowerOnRaw;
        }

        private ReadResult ConvertAgain(out double temperatureC)
        {
            temperatureC = 0;
            if (!_bus.Reset())
            {
                return ReadResult.NoResponse;
            }

            _bus.WriteByte(SKIP_ROM);
            _bus.WriteByte(CONVERT_T);

            // Externally powered, the DS18B20 answers read slots with 0 while converting and 1 when done
            // (datasheet, "CONVERT T [44h]").
            int polls = 0;
            while (_bus.ReadByte() != 0xFF)
            {
                if (++polls >= MaxConversionPolls)
                {
                    return ReadResult.Fault;
                }
            }

            ReadResult r = ReadScratchpad();
            if (r != ReadResult.Ok)
            {
                return r;
            }

            int bits;
            r = Ds18b20Scratchpad.Decode(_scratchpad, 0, out temperatureC, out bits);
            if (r == ReadResult.Fault && IsPowerOnValue())
            {
                temperatureC = Ds18b20Scratchpad.PowerOnRaw / 16.0; // measured twice: a real +85 °C
                return ReadResult.Ok;
            }

            return r;
        }

        /// <summary>Nothing to do: the DS18B20 returns to its low-power idle after each conversion by itself.</summary>
        public void Sleep()
        {
        }

        private ReadResult ReadScratchpad()
        {
            if (!_bus.Reset())
            {
                return ReadResult.NoResponse;
            }

            _bus.WriteByte(SKIP_ROM);
            _bus.WriteByte(READ_SCRATCHPAD);
            for (int i = 0; i < Ds18b20Scratchpad.Length; i++)
            {
                _scratchpad[i] = _bus.ReadByte();
            }

            return ReadResult.Ok;
        }
    }
}
