namespace IoTMonitor.Firmware.Core.Sensors.Bme280
{
    /// <summary>
    /// BME280 over I2C in forced mode: one measurement per <see cref="Start"/>, then the chip sleeps
    /// by itself. Channels: raw[0] temperature °C, raw[1] relative humidity %, raw[2] pressure hPa.
    /// </summary>
    public sealed class Bme280Sensor : ISensor
    {
        /// <summary>Channel index of the temperature in °C.</summary>
        public const int TemperatureChannel = 0;

        /// <summary>Channel index of the relative humidity in %.</summary>
        public const int HumidityChannel = 1;

        /// <summary>Channel index of the pressure in hPa.</summary>
        public const int PressureChannel = 2;

        // ctrl_hum osrs_h = 001 (×1). Datasheet §5.4.3: takes effect only after a ctrl_meas write.
        private const byte CtrlHumX1 = 0x01;

        // ctrl_meas osrs_t = 001, osrs_p = 001, mode = 01 (forced): §5.4.5.
        private const byte CtrlMeasForcedX1 = 0x25;

        // ctrl_meas with mode = 00 (sleep).
        private const byte CtrlMeasSleep = 0x24;

        // config: t_sb 000, filter off: §5.4.6. Forced mode ignores t_sb; the IIR filter would mix
        // readings taken minutes apart across deep sleeps, so it stays off.
        private const byte ConfigFilterOff = 0x00;

        private readonly II2cBus _bus;
        private readonly int _address;
        private readonly Bme280CalibrationData _calibration = new Bme280CalibrationData();
        private readonly byte[] _tx = new byte[2];
        private readonly byte[] _rx = new byte[Bme280Constants.CalibrationBlock1Length];
        private readonly byte[] _rx2 = new byte[Bme280Constants.CalibrationBlock2Length];
        private bool _initialized;

        /// <summary>Creates the driver for the chip at <paramref name="address"/> (0x76 or 0x77).</summary>
        public Bme280Sensor(II2cBus bus, int address = Bme280Constants.DefaultAddress)
        {
            _bus = bus;
            _address = address;
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return 3; }
        }

        /// <inheritdoc />
        public int WarmupMs
        {
            get { return Bme280Constants.MeasurementMs; }
        }

        /// <summary>The coefficients read by the last successful <see cref="Initialize"/>.</summary>
        public Bme280CalibrationData Calibration
        {
            get { return _calibration; }
        }

        /// <inheritdoc />
        public ReadResult Initialize()
        {
            _initialized = false;
            ReadResult r = ReadRegisters(Bme280Register.CHIP_ID, _rx, 1);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            if (_rx[0] != Bme280Constants.ChipId)
            {
                // Something answers, but not a BME280 (a BMP280 has no humidity): setup is broken.
                return ReadResult.Fault;
            }

            r = ReadRegisters(Bme280Register.DIG_T1, _rx, Bme280Constants.CalibrationBlock1Length);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            r = ReadRegisters(Bme280Register.DIG_H2, _rx2, Bme280Constants.CalibrationBlock2Length);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            _calibration.Decode(_rx, 0, _rx2, 0);
            if (!_calibration.IsPlausible)
            {
                return ReadResult.Fault;
            }

            r = WriteRegister(Bme280Register.CTRL_HUM, CtrlHumX1);
            if (r == ReadResult.Ok)
            {
                r = WriteRegister(Bme280Register.CONFIG, ConfigFilterOff);
            }

            _initialized = r == ReadResult.Ok;
            return r;
        }

        /// <inheritdoc />
        public ReadResult Start()
        {
            if (!_initialized)
            {
                return ReadResult.NotInitialized;
            }

            return WriteRegister(Bme280Register.CTRL_MEAS, CtrlMeasForcedX1);
        }

        /// <inheritdoc />
        public ReadResult Read(double[] raw)
        {
            if (!_initialized)
            {
                return ReadResult.NotInitialized;
            }

            ReadResult r = ReadRegisters(Bme280Register.STATUS, _rx, 1);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            if ((_rx[0] & Bme280Constants.StatusMeasuring) != 0)
            {
                return ReadResult.NotReady;
            }

            r = ReadRegisters(Bme280Register.PRESS_MSB, _rx, Bme280Constants.DataLength);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            // §4.2.1 / Table 18: 20-bit press and temp (msb, lsb, xlsb[7:4]), 16-bit hum.
            int adcP = (_rx[0] << 12) | (_rx[1] << 4) | (_rx[2] >> 4);
            int adcT = (_rx[3] << 12) | (_rx[4] << 4) | (_rx[5] >> 4);
            int adcH = (_rx[6] << 8) | _rx[7];
            if (adcT == Bme280Constants.SkippedAdc || adcP == Bme280Constants.SkippedAdc)
            {
                // The reset value: no forced measurement ran (Start lost, or the chip reset).
                return ReadResult.Fault;
            }

            int tFine;
            int t = Bme280Compensation.CompensateTemperature(_calibration, adcT, out tFine);
            long pQ24;
            if (!Bme280Compensation.TryCompensatePressure(_calibration, adcP, tFine, out pQ24))
            {
                return ReadResult.Fault;
            }

            int h = Bme280Compensation.CompensateHumidity(_calibration, adcH, tFine);
            raw[TemperatureChannel] = t / 100.0;
            raw[HumidityChannel] = h / 1024.0;
            raw[PressureChannel] = pQ24 / 25600.0;

            // Operating range of §1 (the driver's clamps in reference B1): outside it the value is
            // kept but flagged.
            if (t < -4000 || t > 8500 || pQ24 < 30000L * 256 || pQ24 > 110000L * 256)
            {
                return ReadResult.OutOfRange;
            }

            return ReadResult.Ok;
        }

        /// <inheritdoc />
        public void Sleep()
        {
            // Forced mode returns to sleep by itself; this covers a chip left in normal mode.
            if (_initialized)
            {
                WriteRegister(Bme280Register.CTRL_MEAS, CtrlMeasSleep);
            }
        }

        private ReadResult ReadRegisters(Bme280Register register, byte[] into, int count)
        {
            _tx[0] = (byte)register;
            return _bus.WriteRead(_address, _tx, 1, into, count);
        }

        private ReadResult WriteRegister(Bme280Register register, byte value)
        {
            _tx[0] = (byte)register;
            _tx[1] = value;
            return _bus.WriteRead(_address, _tx, 2, _rx, 0);
        }
    }
}
