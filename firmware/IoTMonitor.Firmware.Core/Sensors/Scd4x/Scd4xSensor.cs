using IoTMonitor.Firmware.Core.Sensors.Sensirion;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Sensors.Scd4x
{
    /// <summary>
    /// SCD41 CO₂ sensor in single-shot mode over I2C (0x62), as its datasheet recommends for a
    /// power-cycled battery node (Sensirion SCD4x datasheet v1.3, §3.10 "Low power single shot"):
    /// <see cref="Start"/> sends measure_single_shot (0x219D), the result is ready 5 s later, and
    /// <see cref="Read"/> fetches it with read_measurement (0xEC05: a write, ≥ 1 ms, a 9-byte read).
    /// Channels: raw[0] CO₂ ppm, raw[1] temperature °C, raw[2] relative humidity %.
    /// </summary>
    /// <remarks>
    /// What the driver does not do itself, and who does: the 1000 ms from rail on to the idle state
    /// (§3.1) and throwing away the first shot after power-up (§3.10) are the sampler's, from
    /// <see cref="SensorSettle"/> — it starts the sensor no earlier, reads the first shot, drops it,
    /// and starts a second. Automatic self-calibration is left as the sensor has it: §3.10 says no
    /// self-calibration is issued when the sensor is power-cycled between single shots, which is what
    /// the rail does every wake, so the node relies on forced recalibration at commissioning
    /// (hardware/air/README.md, "CO₂ calibration"). The SCD40 has no single-shot mode and is not
    /// supported on battery nodes. The driver never waits: each step that must wait answers
    /// <see cref="ReadResult.NotReady"/>.
    /// </remarks>
    public sealed class Scd4xSensor : ISensor
    {
        /// <summary>Upper end of the output range (SCD4x datasheet: 0–40000 ppm).</summary>
        public const int MaxCo2Ppm = 40000;

        private const int PhaseIdle = 0;
        private const int PhaseMeasuring = 1;
        private const int PhaseFetching = 2;

        private readonly II2cBus _bus;
        private readonly IClock _clock;
        private readonly byte[] _tx = new byte[5];
        private readonly byte[] _rx = new byte[9];
        private bool _initialized;
        private int _phase;
        private long _commandSentMs;

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

        /// <summary>One single shot: 5000 ms from measure_single_shot to its result (Table 28).</summary>
        public int WarmupMs
        {
            get { return Scd4xCommand.SingleShotMs; }
        }

        /// <summary>
        /// Nothing to send: no SCD41 command proves presence without a wait, and the sensor is idle
        /// after power-up. The ACK of measure_single_shot in <see cref="Start"/> is the presence check.
        /// </summary>
        public ReadResult Initialize()
        {
            _initialized = true;
            _phase = PhaseIdle;
            return ReadResult.Ok;
        }

        /// <summary>Sends measure_single_shot; <see cref="ReadResult.NoResponse"/> on a NACK (no sensor, or still powering up).</summary>
        public ReadResult Start()
        {
            if (!_initialized)
            {
                return ReadResult.NotInitialized;
            }

            ReadResult r = SendCommand(Scd4xCommand.measure_single_shot);
            if (r != ReadResult.Ok)
            {
                _phase = PhaseIdle;
                return r;
            }

            _commandSentMs = _clock.Millis;
            _phase = PhaseMeasuring;
            return ReadResult.Ok;
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

            WriteCommand(_tx, Scd4xCommand.set_ambient_pressure, (int)(hPa + 0.5));
            return _bus.WriteRead(Scd4xCommand.Address, _tx, 5, _rx, 0);
        }

        /// <summary>
        /// Fetches the shot started by <see cref="Start"/>: <see cref="ReadResult.NotReady"/> until its
        /// 5 s have passed, then read_measurement and, ≥ 1 ms later, the 9-byte reply (CRC per word).
        /// The buffer empties on read-out, so a second Read without a new Start answers
        /// <see cref="ReadResult.NotInitialized"/>.
        /// </summary>
        public ReadResult Read(double[] raw)
        {
            if (!_initialized || _phase == PhaseIdle)
            {
                return ReadResult.NotInitialized;
            }

            long now = _clock.Millis;
            if (_phase == PhaseMeasuring)
            {
                if (now - _commandSentMs < Scd4xCommand.SingleShotMs)
                {
                    return ReadResult.NotReady;
                }

                ReadResult sent = SendCommand(Scd4xCommand.read_measurement);
                if (sent != ReadResult.Ok)
                {
                    return sent;
                }

                _commandSentMs = now;
                _phase = PhaseFetching;
                return ReadResult.NotReady;
            }

            if (now - _commandSentMs < Scd4xCommand.ReadMs)
            {
                return ReadResult.NotReady;
            }

            _phase = PhaseIdle;
            ReadResult r = _bus.WriteRead(Scd4xCommand.Address, _tx, 0, _rx, 9);
            return r != ReadResult.Ok ? r : DecodeMeasurement(_rx, raw);
        }

        /// <summary>Nothing to send: the rail goes off, and an idle SCD41 draws 0.15 mA typ. (§3.10) if it stays on.</summary>
        public void Sleep()
        {
            _phase = PhaseIdle;
        }

        /// <summary>
        /// Converts the 9-byte read_measurement reply (CO₂, T, RH words, each with its CRC):
        /// CO₂ = word ppm; T = −45 + 175·word/65535 °C; RH = 100·word/65535 % (datasheet v1.3 §3.5.2).
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

        /// <summary>
        /// Writes the 5-byte "write" sequence of <paramref name="command"/> with one argument word and
        /// its CRC into <paramref name="frame"/> (datasheet v1.3 §3.3; e.g. 0x2416 0x0001 0xB0).
        /// </summary>
        public static void WriteCommand(byte[] frame, int command, int argument)
        {
            frame[0] = (byte)(command >> 8);
            frame[1] = (byte)(command & 0xFF);
            SensirionCrc8.WriteWord(frame, 2, argument);
        }

        private ReadResult SendCommand(int command)
        {
            _tx[0] = (byte)(command >> 8);
            _tx[1] = (byte)command;
            return _bus.WriteRead(Scd4xCommand.Address, _tx, 2, _rx, 0);
        }
    }
}
