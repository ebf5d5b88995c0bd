using IoTMonitor.Firmware.Core.Sensors.Modbus;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Sensors.Rain
{
    /// <summary>
    /// An RS485 tipping-bucket gauge that counts its tips itself: the count is the first entry of a
    /// register map (<see cref="RainGaugeMaps"/>), read with function 03/04; 16-bit (count 1) wraps
    /// at 65 536, 32-bit (count 2) at 2³².
    /// </summary>
    /// <remarks>
    /// Such a gauge cannot say whether it lost power (its counter simply restarts at 0), so
    /// <c>restarted</c> is never set: a restart between two reads shows as a wrap. It must stay
    /// powered between wakes to count (README: decision), which rules it out on a battery node.
    /// </remarks>
    public sealed class ModbusTipCounter : ITipCounter
    {
        private readonly ModbusRtuMaster _master;
        private readonly IClock _clock;
        private readonly ModbusRegisterMap _map;
        private readonly int _slave;
        private long _sentMs;

        /// <summary>A gauge answering as <paramref name="slave"/> (0: the map's) with <paramref name="map"/> on <paramref name="uart"/>.</summary>
        public ModbusTipCounter(IUart uart, IClock clock, ModbusRegisterMap map, int slave)
        {
            _master = new ModbusRtuMaster(uart, ModbusRtuMaster.DefaultTimeoutMs);
            _clock = clock;
            _map = map;
            _slave = slave > 0 ? slave : map.SlaveAddress;
        }

        /// <inheritdoc />
        public long Modulus
        {
            get { return _map.Entries[0].Count == 2 ? 4294967296L : 65536L; }
        }

        /// <summary>The master (its parser counts CRC errors).</summary>
        public ModbusRtuMaster Master
        {
            get { return _master; }
        }

        /// <summary>Fault: an RS485 gauge has no alarm output to wake the node.</summary>
        public ReadResult ArmAlarm(long alarmCount)
        {
            return ReadResult.Fault;
        }

        /// <inheritdoc />
        public ReadResult DisarmAlarm()
        {
            return ReadResult.Ok;
        }

        /// <inheritdoc />
        public ReadResult Read(out long count, out bool restarted)
        {
            count = 0;
            restarted = false;
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

            double v = _map.Entries[0].Decode(_master.Response, _map.FirstRegister);
            count = (long)v;
            if (count < 0)
            {
                count += Modulus; // a 32-bit count read as signed
            }

            return ReadResult.Ok;
        }
    }
}
