using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware
{
    /// <summary>
    /// A driver whose board outputs (rails, boosts) <see cref="SensorFactory"/> switched on when it was
    /// built: its <see cref="Sleep"/> tells the driver to sleep first (e.g. PMS5003 SET low, the
    /// power.md firmware rule), then releases its outputs; an output goes low when its last user
    /// sleeps, so a shared rail stays up until every sensor on it has been told to sleep.
    /// </summary>
    public sealed class RailedSensor : ISensor
    {
        private readonly ISensor _driver;
        private readonly SensorFactory _owner;
        private readonly int[] _outputs;
        private bool _released;

        /// <summary>Wraps <paramref name="driver"/>, which holds <paramref name="outputs"/> (indexes into the board's outputs) of <paramref name="owner"/>.</summary>
        public RailedSensor(ISensor driver, SensorFactory owner, int[] outputs)
        {
            _driver = driver;
            _owner = owner;
            _outputs = outputs;
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return _driver.ChannelCount; }
        }

        /// <inheritdoc />
        public int WarmupMs
        {
            get { return _driver.WarmupMs; }
        }

        /// <inheritdoc />
        public ReadResult Initialize()
        {
            return _driver.Initialize();
        }

        /// <inheritdoc />
        public ReadResult Start()
        {
            return _driver.Start();
        }

        /// <inheritdoc />
        public ReadResult Read(double[] raw)
        {
            return _driver.Read(raw);
        }

        /// <inheritdoc />
        public void Sleep()
        {
            _driver.Sleep();
            if (!_released)
            {
                _released = true;
                _owner.Release(_outputs);
            }
        }
    }
}
