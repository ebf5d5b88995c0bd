using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Sensors.Modbus
{
    /// <summary>
    /// An RS485 probe described by a <see cref="ModbusRegisterMap"/>: one channel per map entry,
    /// in the entry's unit. Each sample is one read request over the map's register span; the
    /// wait for the reply happens across <see cref="Read"/> calls.
    /// </summary>
    public sealed class ModbusProbeSensor : ISensor
    {
        private readonly ModbusRtuMaster _master;
        private readonly IClock _clock;
        private readonly ModbusRegisterMap _map;
        private readonly int _slave;
        private bool _initialized;
        private long _sentMs;

        /// <summary>
        /// Creates the driver; <paramref name="slaveAddress"/> 0 means the map's factory address.
        /// </summary>
        public ModbusProbeSensor(IUart uart, IClock clock, ModbusRegisterMap map, int slaveAddress = 0, int timeoutMs = ModbusRtuMaster.DefaultTimeoutMs)
        {
            _master = new ModbusRtuMaster(uart, timeoutMs);
            _clock = clock;
            _map = map;
            _slave = slaveAddress != 0 ? slaveAddress : (map != null ? map.SlaveAddress : 0);
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return _map != null && _map.Entries != null ? _map.Entries.Length : 0; }
        }

        /// <inheritdoc />
        public int WarmupMs
        {
            get { return _map != null ? _map.WarmupMs : 0; }
        }

        /// <summary>The map this driver reads.</summary>
        public ModbusRegisterMap Map
        {
            get { return _map; }
        }

        /// <summary>The master, for the exception code of the last failed read.</summary>
        public ModbusRtuMaster Master
        {
            get { return _master; }
        }

        /// <summary>Rejects a map that cannot be read in one request (a configuration error).</summary>
        public ReadResult Initialize()
        {
            _master.Cancel();
            _initialized = _map != null && _map.IsValid && _slave >= 1 && _slave <= 247;
            return _initialized ? ReadResult.Ok : ReadResult.Fault;
        }

        /// <summary>Probe power is switched by the host; nothing to send.</summary>
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

            if (!_master.Pending)
            {
                ReadResult b = _master.BeginRead(_slave, _map.Function, _map.FirstRegister, _map.Span);
                _sentMs = _clock.Millis;
                return b == ReadResult.Ok ? ReadResult.NotReady : b;
            }

            long elapsed = _clock.Millis - _sentMs;
            ReadResult r = _master.Poll(elapsed > int.MaxValue ? int.MaxValue : (int)elapsed);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            int first = _map.FirstRegister;
            for (int i = 0; i < _map.Entries.Length; i++)
            {
                raw[i] = _map.Entries[i].Decode(_master.Response, first);
            }

            return ReadResult.Ok;
        }

        /// <inheritdoc />
        public void Sleep()
        {
            _master.Cancel();
        }
    }
}
