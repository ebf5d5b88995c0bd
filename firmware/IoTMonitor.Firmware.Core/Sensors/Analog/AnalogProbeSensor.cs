using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Sensors.Analog
{
    /// <summary>
    /// An analog probe on one ADC channel: reads the pin voltage, then the probe's math (which
    /// holds the probe's calibration). The voltage of the last read is kept in
    /// <see cref="LastVolts"/> for the reading's raw field.
    /// </summary>
    public sealed class AnalogProbeSensor : IProbeSensor
    {
        private readonly IAnalogInput _input;
        private readonly IAnalogProbe _probe;
        private readonly int _warmupMs;
        private bool _initialized;

        /// <summary>
        /// Creates the sensor; <paramref name="warmupMs"/> is the probe's settling time after power-up
        /// (DO probe: from its manual; the reference has no figure).
        /// </summary>
        public AnalogProbeSensor(IAnalogInput input, IAnalogProbe probe, int warmupMs = 0)
        {
            _input = input;
            _probe = probe;
            _warmupMs = warmupMs;
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return _probe.ChannelCount; }
        }

        /// <inheritdoc />
        public int WarmupMs
        {
            get { return _warmupMs; }
        }

        /// <summary>The probe math.</summary>
        public IAnalogProbe Probe
        {
            get { return _probe; }
        }

        /// <inheritdoc />
        public ICalibratable Calibratable
        {
            get { return _probe as ICalibratable; }
        }

        /// <inheritdoc />
        public ITemperatureCompensated Compensated
        {
            get { return _probe as ITemperatureCompensated; }
        }

        /// <inheritdoc />
        public double LastVolts { get; private set; }

        /// <summary>Id of the probe's calibration record, null when uncalibrated or not calibratable.</summary>
        public string CalibrationId
        {
            get
            {
                ICalibratable c = Calibratable;
                return c != null ? c.CalibrationId : null;
            }
        }

        /// <inheritdoc />
        public ReadResult Initialize()
        {
            _initialized = _input != null && _probe != null;
            return _initialized ? ReadResult.Ok : ReadResult.Fault;
        }

        /// <summary>Probe power is switched by the host; nothing to trigger.</summary>
        public ReadResult Start()
        {
            return _initialized ? ReadResult.Ok : ReadResult.NotInitialized;
        }

        /// <inheritdoc />
        public ReadResult Read(double[] raw)
        {
            if (!_initialized)
            {
                return ReadResult.NotInitialized;
            }

            double volts;
            if (!_input.TryReadVolts(out volts))
            {
                return ReadResult.BusError;
            }

            LastVolts = volts;
            return _probe.Convert(volts, raw);
        }

        /// <inheritdoc />
        public void Sleep()
        {
        }
    }
}
