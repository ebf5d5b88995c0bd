using IoTMonitor.Firmware.Core.Sensors.Sensirion;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Sensors.Scd4x
{
    /// <summary>
    /// SCD40/SCD41 CO₂ sensor in periodic mode over I2C (0x62). Channels: raw[0] CO₂ ppm, raw[1]
    /// temperature °C, raw[2] relative humidity %. Every exchange is a write, a wait of the command's
    /// execution time, then a separate read; the waits happen between <see cref="Read"/> calls (each
    /// returns <see cref="ReadResult.NotReady"/>), never inside one.
    /// </summary>
    public sealed class Scd4xSensor : ISensor
    {
        /// <summary>
        /// After data stop arriving for this long the sensor is treated as faulted: three missed 5 s
        /// updates.
        /// </summary>
        public const int DataTimeoutMs = 15000;

        /// <summary>Upper end of the output range (SCD4x datasheet: 0–40000 ppm).</summary>
        public const int MaxCo2Ppm = 40000;

        private const int PhaseRequestReady = 0;
        private const int PhaseReadReady = 1;
        private const int PhaseReadMeasurement = 2;

        private readonly II2cBus _bus;
        private readonly IClock _clock;
        private readonly byte[] _tx = new byte[5];
        private readonly byte[] _rx = new byte[9];
        private bool _initialized;
        private bool _startPending;
        private bool _running;
        private int _phase;
        private long _stopSentMs;
        private long _commandSentMs;
        private long _lastDataMs;

        /// <summary>Creates the driver; <paramref name="clock"/> times the command waits.</summary>
        public Scd4xSensor(II2cBus bus, IClock clock)
        {
            _bus = bus;
            _clock = clock;
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return 3; }
        }

        /// <summary>
        /// The first measurement comes 5 s after start_periodic_measurement, which itself may wait up
        /// to 500 ms behind the stop sent by <see cref="Initialize"/>.
        /// </summary>
        public int WarmupMs
        {
            get { return Scd4xCommand.FirstMeasurementMs + Scd4xCommand.StopMs; }
        }

        /// <inheritdoc />
        public ReadResult Initialize()
        {
            _initialized = false;
            _running = false;
            _startPending = false;

            // A watchdog reset can leave the sensor (powered on its own) in periodic mode, where it
            // ignores most commands; stopping is harmless when idle, and its ACK proves presence.
            ReadResult r = SendCommand(Scd4xCommand.stop_periodic_measurement);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            _stopSentMs = _clock.Millis;
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

            _phase = PhaseRequestReady;
            _startPending = true;
            return TryStartPending();
        }

        /// <summary>
        /// Sends the ambient pressure for CO₂ compensation (set_ambient_pressure, in hPa = Pa/100,
        /// 700–1200 hPa), e.g. from a BME280. Allowed while measuring; <see cref="ReadResult.OutOfRange"/>
        /// for values the sensor does not accept.
        /// </summary>
        public ReadResult SetAmbientPressure(double hPa)
        {
            if (!_initialized)
            {
                return ReadResult.NotInitialized;
            }

            if (!(hPa >= 700 && hPa <= 1200))
            {
                return ReadResult.OutOfRange;
            }

            _tx[0] = (byte)(Scd4xCommand.set_ambient_pressure >> 8);
            _tx[1] = (byte)(Scd4xCommand.set_ambient_pressure & 0xFF);
            SensirionCrc8.WriteWord(_tx, 2, (int)(hPa + 0.5));
            return _bus.WriteRead(Scd4xCommand.Address, _tx, 5, _rx, 0);
        }

        /// <inheritdoc />
        public ReadResult Read(double[] raw)
        {
            if (!_initialized)
            {
                return ReadResult.NotInitialized;
            }

            if (_startPending)
            {
                ReadResult s = TryStartPending();
                return s == ReadResult.Ok ? ReadResult.NotReady : s;
            }

            if (!_running)
            {
                return ReadResult.NotInitialized;
            }

            long now = _clock.Millis;
            ReadResult r;
            switch (_phase)
            {
                case PhaseRequestReady:
                    if (now - _lastDataMs > DataTimeoutMs + WarmupMs)
                    {
                        _lastDataMs = now;
                        return ReadResult.Fault;
                    }

                    r = SendCommand(Scd4xCommand.get_data_ready_status);
                    if (r != ReadResult.Ok)
                    {
                        return r;
                    }

                    _commandSentMs = now;
                    _phase = PhaseReadReady;
                    return ReadResult.NotReady;

                case PhaseReadReady:
                    if (now - _commandSentMs < Scd4xCommand.ReadMs)
                    {
                        return ReadResult.NotReady;
                    }

                    _phase = PhaseRequestReady;
                    r = _bus.WriteRead(Scd4xCommand.Address, _tx, 0, _rx, 3);
                    if (r != ReadResult.Ok)
                    {
                        return r;
                    }

                    int status;
                    if (!SensirionCrc8.TryReadWord(_rx, 0, out status))
                    {
                        return ReadResult.BadCrc;
                    }

                    // Datasheet get_data_ready_status: data ready when any of the 11 LSBs is set.
                    if ((status & 0x07FF) == 0)
                    {
                        return ReadResult.NotReady;
                    }

                    r = SendCommand(Scd4xCommand.read_measurement);
                    if (r != ReadResult.Ok)
                    {
                        return r;
                    }

                    _commandSentMs = now;
                    _phase = PhaseReadMeasurement;
                    return ReadResult.NotReady;

                default:
                    if (now - _commandSentMs < Scd4xCommand.ReadMs)
                    {
                        return ReadResult.NotReady;
                    }

                    _phase = PhaseRequestReady;
                    r = _bus.WriteRead(Scd4xCommand.Address, _tx, 0, _rx, 9);
                    if (r != ReadResult.Ok)
                    {
                        return r;
                    }

                    return Decode(raw, now);
            }
        }

        /// <inheritdoc />
        public void Sleep()
        {
            _startPending = false;
            if (_running)
            {
                _running = false;
                SendCommand(Scd4xCommand.stop_periodic_measurement);
            }
        }

        /// <summary>
        /// Converts the 9-byte read_measurement reply (CO₂, T, RH words, each with its CRC):
        /// CO₂ = word ppm; T = −45 + 175·word/65535 °C; RH = 100·word/65535 % (datasheet §3.6.2).
        /// </summary>
        public static ReadResult DecodeMeasurement(byte[] reply, double[] raw)
        {
            int co2;
            int t;
            int rh;
            if (!SensirionCrc8.TryReadWord(reply, 0, out co2) || !SensirionCrc8.TryReadWord(reply, 3, out t)
                || !SensirionCrc8.TryReadWord(reply, 6, out rh))
            {
                return ReadResult.BadCrc;
            }

            raw[0] = co2;
            raw[1] = -45.0 + (175.0 * t / 65535.0);
            raw[2] = 100.0 * rh / 65535.0;
            return co2 > MaxCo2Ppm ? ReadResult.OutOfRange : ReadResult.Ok;
        }

        private ReadResult Decode(double[] raw, long now)
        {
            ReadResult r = DecodeMeasurement(_rx, raw);
            if (r == ReadResult.BadCrc)
            {
                return r;
            }

            _lastDataMs = now;
            return r;
        }

        private ReadResult TryStartPending()
        {
            long now = _clock.Millis;
            if (now - _stopSentMs < Scd4xCommand.StopMs)
            {
                return ReadResult.Ok;
            }

            ReadResult r = SendCommand(Scd4xCommand.start_periodic_measurement);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            _startPending = false;
            _running = true;
            _lastDataMs = now;
            return ReadResult.Ok;
        }

        private ReadResult SendCommand(int command)
        {
            _tx[0] = (byte)(command >> 8);
            _tx[1] = (byte)command;
            return _bus.WriteRead(Scd4xCommand.Address, _tx, 2, _rx, 0);
        }
    }
}
