using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Sensors.Ads1115
{
    /// <summary>
    /// TI ADS1115 16-bit ADC on I2C, in single-shot mode with the comparator disabled: each
    /// <see cref="Convert"/> writes the Config word with OS = 1 (the chip wakes, converts once and
    /// powers down), polls the OS bit until the chip reports idle, within the conversion time of the
    /// data rate, then reads the Conversion register. Nothing is allocated per conversion.
    /// </summary>
    public sealed class Ads1115Adc
    {
        // Polls of the OS bit before giving up even if the clock does not advance (a stuck host clock
        // must not hang a wake); at 400 kHz one poll is about 0.1 ms, so 860 SPS needs about 12.
        private const int MaxPolls = 2000;

        private readonly II2cBus _bus;
        private readonly int _address;
        private readonly IClock _clock;
        private readonly byte[] _tx = new byte[3];
        private readonly byte[] _rx = new byte[2];

        /// <summary>The chip at <paramref name="address"/> (0x48–0x4B) on <paramref name="bus"/>.</summary>
        public Ads1115Adc(II2cBus bus, int address, IClock clock)
        {
            _bus = bus;
            _address = address;
            _clock = clock;
        }

        /// <summary>I2C address.</summary>
        public int Address
        {
            get { return _address; }
        }

        /// <summary>Polls of the OS bit the last conversion took (diagnostics and tests).</summary>
        public int LastPolls { get; private set; }

        /// <summary>
        /// One conversion of <paramref name="mux"/> (Config MUX code; 4…7 = AIN0…AIN3 against GND) at
        /// PGA code <paramref name="pga"/> and DR code <paramref name="dataRate"/>. Ok with the volts;
        /// OutOfRange with ±FS when the input clipped; NoResponse/BusError from the bus; Fault when the
        /// chip reads back another setting than written (not an ADS1115, or it reset); NotReady when
        /// the conversion did not finish within its time.
        /// </summary>
        public ReadResult Convert(int mux, int pga, int dataRate, out double volts)
        {
            volts = double.NaN;
            int word = Ads1115Settings.SingleShotWord(mux, pga, dataRate);
            _tx[0] = Ads1115Register.Config;
            _tx[1] = (byte)(word >> 8);
            _tx[2] = (byte)word;
            ReadResult r = _bus.WriteRead(_address, _tx, 3, _rx, 0);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            long deadline = _clock.Millis + Ads1115Settings.MaxConversionMs(dataRate) + 1;
            int polls = 0;
            while (true)
            {
                polls++;
                r = ReadRegister(Ads1115Register.Config);
                if (r != ReadResult.Ok)
                {
                    LastPolls = polls;
                    return r;
                }

                int config = (_rx[0] << 8) | _rx[1];
                if ((config & 0x7FFF) != (word & 0x7FFF))
                {
                    LastPolls = polls;
                    return ReadResult.Fault;
                }

                if ((config & Ads1115Register.OsBit) != 0)
                {
                    break;
                }

                if (_clock.Millis > deadline || polls >= MaxPolls)
                {
                    LastPolls = polls;
                    return ReadResult.NotReady;
                }
            }

            LastPolls = polls;
            r = ReadRegister(Ads1115Register.Conversion);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            volts = Ads1115Settings.ToVolts(_rx[0], _rx[1], pga);
            return Ads1115Settings.IsClipped(_rx[0], _rx[1]) ? ReadResult.OutOfRange : ReadResult.Ok;
        }

        // Pointer write, then a 2-byte read (MSB first): §9.5.3.
        private ReadResult ReadRegister(byte pointer)
        {
            _tx[0] = pointer;
            return _bus.WriteRead(_address, _tx, 1, _rx, 2);
        }
    }
}
