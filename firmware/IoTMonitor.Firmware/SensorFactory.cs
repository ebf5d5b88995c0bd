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
    /// <c>sensor</c> column, <see cref="BoardPins"/>) are switched on, and they go off again when
    /// the core has every sensor on them sleep (right after the sampling round, before Wi-Fi;
    /// <see cref="RailedSensor"/>). Deep sleep drives them all low in any case.
    /// </summary>
    public sealed class SensorFactory : ISensorFactory
    {
        private readonly SensorCatalog _catalog;
        private readonly BoardPins _board;
        private readonly GpioOutput[] _outputs;
        private readonly int[] _users;

        /// <summary>A factory for <paramref name="board"/>; <paramref name="outputs"/> are its outputs, index for index.</summary>
        public SensorFactory(Esp32Buses buses, IClock clock, BoardPins board, GpioOutput[] outputs)
        {
            _catalog = new SensorCatalog(buses, clock);
            _board = board;
            _outputs = outputs;
            _users = new int[outputs.Length];
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
            if (sensor == null)
            {
                return null;
            }

            int[] held = Hold(config.Id);
            return held.Length == 0 ? sensor : new RailedSensor(sensor, this, held);
        }

        /// <summary>
        /// Switches on the outputs the pin map lists for <paramref name="user"/> (a chip used outside
        /// the sampling round, e.g. <c>rtc</c>) and returns them for <see cref="Release"/>.
        /// </summary>
        internal int[] Hold(string user)
        {
            int[] held = OutputsOf(user);
            for (int i = 0; i < held.Length; i++)
            {
                _users[held[i]]++;
                _outputs[held[i]].Set(true);
            }

            return held;
        }

        /// <summary>A sensor on <paramref name="held"/> went to sleep: each output goes low when it has no user left.</summary>
        internal void Release(int[] held)
        {
            for (int i = 0; i < held.Length; i++)
            {
                if (_users[held[i]] > 0 && --_users[held[i]] == 0)
                {
                    _outputs[held[i]].Set(false);
                }
            }
        }

        // Indexes of the board outputs the sensor needs (pin map sensor column).
        private int[] OutputsOf(string sensorId)
        {
            BoardOutput[] outs = _board.Outputs;
            int n = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                int[] found = pass == 0 ? null : new int[n];
                int k = 0;
                for (int i = 0; i < outs.Length; i++)
                {
                    string[] users = outs[i].Sensors;
                    for (int j = 0; j < users.Length; j++)
                    {
                        if (users[j] == sensorId)
                        {
                            if (found == null)
                            {
                                n++;
                            }
                            else
                            {
                                found[k++] = i;
                            }

                            break;
                        }
                    }
                }

                if (found != null)
                {
                    return found;
                }
            }

            return null;
        }
    }
}
