using IoTMonitor.Firmware.Core.Numerics;
using IoTMonitor.Firmware.Core.Sensors.Modbus;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Sensors.Flow
{
    /// <summary>
    /// An RS485 flow meter of the TUF-2000 register family (<see cref="Tuf2000Registers"/>): two
    /// channels, <c>flow.rate</c> in m³/s and <c>flow.total</c> — the meter's own forward totaliser —
    /// in m³. One read request (REG 0001–0072) per sample; the wait for the reply happens across
    /// <see cref="Read"/> calls, as for the other Modbus drivers.
    /// </summary>
    /// <remarks>
    /// The meter keeps its totaliser through its own power cuts and the node's boots, so the node
    /// sends it as read and the gateway differences it (docs/protocol.md §8 "Flow"). The units are
    /// the meter's settings: <c>flowScale</c> turns the flow register into m³/s (factory m³/h:
    /// 1/3600) and <c>totalScale</c> the totaliser into m³ (factory m³ × 1). A non-zero error code
    /// still gives values, sent with SENSOR_FAULT: an empty pipe or lost signal stops the count, it
    /// does not falsify it.
    /// </remarks>
    public sealed class FlowMeterSensor : ISensor
    {
        /// <summary>Channel of <c>flow.rate</c>.</summary>
        public const int RateChannel = 0;

        /// <summary>Channel of <c>flow.total</c>.</summary>
        public const int TotalChannel = 1;

        /// <summary>Factory flow unit m³/h → m³/s.</summary>
        public const double FactoryFlowScale = 1.0 / 3600.0;

        private readonly ModbusRtuMaster _master;
        private readonly IClock _clock;
        private readonly int _slave;
        private readonly double _flowScale;
        private readonly double _totalScale;
        private bool _initialized;
        private long _sentMs;

        /// <summary>A meter answering as <paramref name="slave"/> (0: factory 1) on <paramref name="uart"/>.</summary>
        public FlowMeterSensor(IUart uart, IClock clock, int slave, double flowScale, double totalScale)
        {
            _master = new ModbusRtuMaster(uart, ModbusRtuMaster.DefaultTimeoutMs);
            _clock = clock;
            _slave = slave > 0 ? slave : Tuf2000Registers.DefaultSlave;
            _flowScale = flowScale;
            _totalScale = totalScale;
        }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return 2; }
        }

        /// <inheritdoc />
        public int WarmupMs
        {
            get { return 0; }
        }

        /// <summary>The error code register of the last good read (0 = working normally).</summary>
        public int LastErrorCode { get; private set; }

        /// <summary>The master (its parser counts CRC errors).</summary>
        public ModbusRtuMaster Master
        {
            get { return _master; }
        }

        /// <inheritdoc />
        public ReadResult Initialize()
        {
            _master.Cancel();
            _initialized = _slave >= 1 && _slave <= 247 && _flowScale > 0 && _totalScale > 0;
            return _initialized ? ReadResult.Ok : ReadResult.Fault;
        }

        /// <inheritdoc />
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
                ReadResult b = _master.BeginRead(_slave, ModbusFrames.ReadHoldingRegisters, 0, Tuf2000Registers.Span);
                _sentMs = _clock.Millis;
                return b == ReadResult.Ok ? ReadResult.NotReady : b;
            }

            long elapsed = _clock.Millis - _sentMs;
            ReadResult r = _master.Poll(elapsed > int.MaxValue ? int.MaxValue : (int)elapsed);
            if (r != ReadResult.Ok)
            {
                return r;
            }

            ModbusResponseParser p = _master.Response;
            double flow = Tuf2000Registers.Real4(p.Register(Tuf2000Registers.FlowRate), p.Register(Tuf2000Registers.FlowRate + 1));
            long whole = Tuf2000Registers.Long(p.Register(Tuf2000Registers.PositiveAccumulator), p.Register(Tuf2000Registers.PositiveAccumulator + 1));
            double fraction = Tuf2000Registers.Real4(p.Register(Tuf2000Registers.PositiveFraction), p.Register(Tuf2000Registers.PositiveFraction + 1));
            LastErrorCode = p.Register(Tuf2000Registers.ErrorCode);

            // A NaN/infinite register or a fraction outside [0, 1) is not a reading of this meter.
            if (!FMath.IsFinite(flow) || !FMath.IsFinite(fraction) || fraction < 0 || fraction >= 1)
            {
                return ReadResult.OutOfRange;
            }

            raw[RateChannel] = flow * _flowScale;
            raw[TotalChannel] = (whole + fraction) * _totalScale;
            return LastErrorCode == 0 ? ReadResult.Ok : ReadResult.FaultWithValue;
        }

        /// <inheritdoc />
        public void Sleep()
        {
            _master.Cancel();
        }
    }
}
