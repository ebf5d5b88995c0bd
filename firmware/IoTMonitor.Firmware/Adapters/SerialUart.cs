using System;
using System.IO.Ports;
using IoTMonitor.Firmware.Core.Sensors;
using nanoFramework.Hardware.Esp32;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// <see cref="IUart"/> on ESP32 COM2 (UART1) via System.IO.Ports (reference §8) for PMS5003,
    /// SDS011 and Modbus RTU over RS485. COM2 has no default pins, so TX/RX (and RTS for RS485)
    /// are assigned with SetPinFunction before the port is opened (reference §4). With an RTS
    /// pin the port runs in SerialMode.RS485: the IDF drives RTS high while sending, which is the
    /// MAX485 DE/RE line. COM1 carries the debugger and COM3 is the 1-Wire bus, so COM2 is the
    /// only port the app opens.
    /// </summary>
    public sealed class SerialUart : IUart, IDisposable
    {
        /// <summary>The port every serial sensor uses (COM1 = debugger, COM3 = 1-Wire).</summary>
        public const string PortName = "COM2";

        private const int IoTimeoutMs = 500;

        private readonly SerialPort _port;
        private readonly byte[] _discard = new byte[64];

        /// <summary>Opens COM2 on <paramref name="txPin"/>/<paramref name="rxPin"/>, RS485 when <paramref name="rtsPin"/> ≥ 0.</summary>
        public SerialUart(int txPin, int rxPin, int rtsPin, int baudRate, Parity parity, StopBits stopBits)
        {
            Configuration.SetPinFunction(txPin, DeviceFunction.COM2_TX);
            Configuration.SetPinFunction(rxPin, DeviceFunction.COM2_RX);
            if (rtsPin >= 0)
            {
                Configuration.SetPinFunction(rtsPin, DeviceFunction.COM2_RTS);
            }

            _port = new SerialPort(PortName, baudRate, parity, 8, stopBits);
            _port.ReadTimeout = IoTimeoutMs;
            _port.WriteTimeout = IoTimeoutMs;
            _port.Handshake = Handshake.None;
            _port.Mode = rtsPin >= 0 ? SerialMode.RS485 : SerialMode.Normal;
            _port.Open();
        }

        /// <inheritdoc />
        public int Read(byte[] buffer, int offset, int count)
        {
            int n = _port.BytesToRead;
            if (n <= 0)
            {
                return 0;
            }

            return _port.Read(buffer, offset, n < count ? n : count);
        }

        /// <inheritdoc />
        public void Write(byte[] buffer, int offset, int count)
        {
            _port.Write(buffer, offset, count);
        }

        /// <inheritdoc />
        public void DiscardInput()
        {
            int n;
            while ((n = _port.BytesToRead) > 0)
            {
                _port.Read(_discard, 0, n < _discard.Length ? n : _discard.Length);
            }
        }

        /// <summary>Closes the port.</summary>
        public void Dispose()
        {
            _port.Dispose();
        }
    }
}
