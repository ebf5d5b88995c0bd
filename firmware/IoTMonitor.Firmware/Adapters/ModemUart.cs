using System;
using System.IO.Ports;
using IoTMonitor.Firmware.Core.Sensors;
using nanoFramework.Hardware.Esp32;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// The modem's AT port (<see cref="IUart"/> for Core/Cellular/ModemLink) on COM2 or COM3 through
    /// System.IO.Ports (reference §8), 115200 8N1, no flow control: the factory setting of the A76XX
    /// and the EC800N/BG95 UARTs (hardware design guides, "UART interface"). The port opens on first
    /// use, after the modem is powered (<see cref="Esp32ModemPower"/>), never in the sensor phase: on
    /// the soil board COM3 is the 1-Wire bus until then, and <see cref="Esp32Buses.ClaimForModem"/>
    /// closes that host first (nanoFramework's OneWireHost.Dispose deletes the UART2 driver, nf-interpreter
    /// targets/ESP32 OneWireHost.cpp oneWireStop). The TX/RX pins are set with SetPinFunction before the
    /// SerialPort is made: COM2 and COM3 have no default pins (reference §4).
    /// </summary>
    public sealed class ModemUart : IUart, IDisposable
    {
        /// <summary>The modems' factory baud rate.</summary>
        public const int BaudRate = 115200;

        /// <summary>
        /// The native RX ring buffer (ReadBufferSize, settable only while closed). nanoFramework flushes
        /// the whole input on UART_BUFFER_FULL (nf-interpreter SerialPort.cpp uart_event_task_sys), so it
        /// must hold the longest burst the modem sends between two reads: a +CMQTTRXPAYLOAD of a config
        /// (≤ 1 KB) with its framing lines.
        /// </summary>
        public const int RxBufferBytes = 2048;

        private readonly Esp32Buses _buses;
        private readonly int _uart;
        private readonly int _tx;
        private readonly int _rx;
        private readonly byte[] _discard = new byte[64];
        private SerialPort _port;

        /// <summary>The modem on COM<paramref name="uart"/> (2 or 3), ESP32 TX <paramref name="tx"/>, RX <paramref name="rx"/>.</summary>
        public ModemUart(Esp32Buses buses, int uart, int tx, int rx)
        {
            _buses = buses;
            _uart = uart;
            _tx = tx;
            _rx = rx;
        }

        /// <inheritdoc />
        public int Read(byte[] buffer, int offset, int count)
        {
            SerialPort port = Port();
            int n = port.BytesToRead;
            if (n <= 0)
            {
                return 0;
            }

            // With BytesToRead bytes in the ring buffer Read returns at once (no wait on the event).
            return port.Read(buffer, offset, n < count ? n : count);
        }

        /// <inheritdoc />
        public void Write(byte[] buffer, int offset, int count)
        {
            Port().Write(buffer, offset, count);
        }

        /// <inheritdoc />
        public void DiscardInput()
        {
            SerialPort port = Port();
            int n;
            while ((n = port.BytesToRead) > 0)
            {
                port.Read(_discard, 0, n < _discard.Length ? n : _discard.Length);
            }
        }

        /// <summary>Closes the port (the modem's supply goes off next; the level shifter is then high-impedance).</summary>
        public void Dispose()
        {
            if (_port != null)
            {
                _port.Dispose();
                _port = null;
            }
        }

        private SerialPort Port()
        {
            if (_port != null)
            {
                return _port;
            }

            _buses.ClaimForModem(_uart);
            if (_uart == 3)
            {
                Configuration.SetPinFunction(_tx, DeviceFunction.COM3_TX);
                Configuration.SetPinFunction(_rx, DeviceFunction.COM3_RX);
            }
            else
            {
                Configuration.SetPinFunction(_tx, DeviceFunction.COM2_TX);
                Configuration.SetPinFunction(_rx, DeviceFunction.COM2_RX);
            }

            SerialPort port = new SerialPort(_uart == 3 ? "COM3" : "COM2", BaudRate, Parity.None, 8, StopBits.One);
            port.ReadBufferSize = RxBufferBytes;
            port.ReadTimeout = 100;
            port.WriteTimeout = 1000;
            port.Handshake = Handshake.None;
            port.Mode = SerialMode.Normal;
            port.Open();
            _port = port;
            return port;
        }
    }
}
