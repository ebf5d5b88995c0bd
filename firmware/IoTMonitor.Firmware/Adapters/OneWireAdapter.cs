using System;
using IoTMonitor.Firmware.Core.Sensors;
using nanoFramework.Device.OneWire;
using nanoFramework.Hardware.Esp32;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// <see cref="IOneWireBus"/> on nanoFramework.Device.OneWire (reference §9), which drives the
    /// bus through UART2 = COM3: RX and TX are assigned with SetPinFunction before the host is
    /// constructed (pin map: TX 22 through a BAT54 to DQ, RX 21 on DQ).
    /// </summary>
    public sealed class OneWireAdapter : IOneWireBus, IDisposable
    {
        private readonly OneWireHost _host;

        /// <summary>Binds COM3 to <paramref name="txPin"/>/<paramref name="rxPin"/> and opens the 1-Wire host.</summary>
        public OneWireAdapter(int txPin, int rxPin)
        {
            Configuration.SetPinFunction(rxPin, DeviceFunction.COM3_RX);
            Configuration.SetPinFunction(txPin, DeviceFunction.COM3_TX);
            _host = new OneWireHost();
        }

        /// <inheritdoc />
        public bool Reset()
        {
            return _host.TouchReset();
        }

        /// <inheritdoc />
        public void WriteByte(byte value)
        {
            _host.WriteByte(value);
        }

        /// <inheritdoc />
        public byte ReadByte()
        {
            return _host.ReadByte();
        }

        /// <summary>Releases the host (and COM3).</summary>
        public void Dispose()
        {
            _host.Dispose();
        }
    }
}
