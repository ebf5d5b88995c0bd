using IoTMonitor.Firmware.Adapters;
using IoTMonitor.Firmware.Board;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware
{
    /// <summary>
    /// <see cref="ISensorFactory"/> for the ESP32: the core's <see cref="SensorCatalog"/> (the one
    /// kind → driver mapping, shared with the virtual node) on <see cref="Esp32Buses"/>. What is
    /// left here is board-only: when a sensor is built, the board outputs it needs (the pin map's
    /// <c>sensor</c> column, <see cref="BoardPins"/>) are switched on until deep sleep.
    /// </summary>
    public sealed class SensorFactory : ISensorFactory
    {
        private readonly SensorCatalog _catalog;
        private readonly BoardPins _board;
        private readonly GpioOutput[] _outputs;

        /// <summary>A factory for <paramref name="board"/>; <paramref name="outputs"/> are its outputs, index for index.</summary>
        public SensorFactory(Esp32Buses buses, IClock clock, BoardPins board, GpioOutput[] outputs)
        {
            _catalog = new SensorCatalog(buses, clock);
            _board = board;
            _outputs = outputs;
        }

        /// <summary>The tip tally rain gauges accumulate into: the cycle's (NodeCycle.RainTally), saved with the node state.</summary>
        public Core.Sensors.Rain.TipTally RainTally
        {
            get { return _catalog.RainTally; }
            set { _catalog.RainTally = value; }
        }

        /// <inheritdoc />
        public ISensor Create(SensorConfig config)
        {
            ISensor sensor = _catalog.Create(config);
            if (sensor != null)
            {
                EnableOutputsFor(config.Id);
            }

            return sensor;
        }

        private void EnableOutputsFor(string sensorId)
        {
            BoardOutput[] outs = _board.Outputs;
            for (int i = 0; i < outs.Length; i++)
            {
                string[] users = outs[i].Sensors;
                for (int j = 0; j < users.Length; j++)
                {
                    if (users[j] == sensorId)
                    {
                        _outputs[i].Set(true);
                    }
                }
            }
        }
    }
}
