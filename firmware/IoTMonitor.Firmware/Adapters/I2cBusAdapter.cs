using System;
using System.Device.I2c;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// <see cref="II2cBus"/> on an ESP32 I2C controller (System.Device.I2c, reference §7). One
    /// I2cDevice per 7-bit address, created on first use and kept for the wake. Transfer errors
    /// come back in I2cTransferResult (not thrown) and map to NoResponse (NACK) or BusError.
    /// </summary>
    /// <remarks>
    /// Bus 1 uses the firmware's default pins SDA 18 / SCL 19 (the air node's pin map), so no
    /// SetPinFunction is needed; other pins are set by the caller before the first transfer.
    /// </remarks>
    public sealed class I2cBusAdapter : II2cBus, IDisposable
    {
        private const int MaxDevices = 8;

        private readonly int _busId;
        private readonly I2cBusSpeed _speed;
        private readonly int[] _addresses = new int[MaxDevices];
        private readonly I2cDevice[] _devices = new I2cDevice[MaxDevices];
        private int _count;

        /// <summary>Bus <paramref name="busId"/> (1 or 2) at <paramref name="speed"/>.</summary>
        public I2cBusAdapter(int busId, I2cBusSpeed speed)
        {
            _busId = busId;
            _speed = speed;
        }

        /// <inheritdoc />
        public ReadResult WriteRead(int address, byte[] write, int writeCount, byte[] read, int readCount)
        {
            I2cDevice device = DeviceFor(address);
            if (device == null)
            {
                return ReadResult.BusError;
            }

            try
            {
                I2cTransferResult r;
                if (writeCount > 0 && readCount > 0)
                {
                    r = device.WriteRead(new SpanByte(write, 0, writeCount), new SpanByte(read, 0, readCount));
                }
                else if (writeCount > 0)
                {
                    r = device.Write(new SpanByte(write, 0, writeCount));
                }
                else if (readCount > 0)
                {
                    r = device.Read(new SpanByte(read, 0, readCount));
                }
                else
                {
                    return ReadResult.Ok;
                }

                if (r.Status == I2cTransferStatus.FullTransfer)
                {
                    return ReadResult.Ok;
                }

                return r.Status == I2cTransferStatus.SlaveAddressNotAcknowledged ? ReadResult.NoResponse : ReadResult.BusError;
            }
            catch (Exception)
            {
                return ReadResult.BusError;
            }
        }

        /// <summary>Releases every device opened on the bus.</summary>
        public void Dispose()
        {
            for (int i = 0; i < _count; i++)
            {
                _devices[i].Dispose();
                _devices[i] = null;
            }

            _count = 0;
        }

        private I2cDevice DeviceFor(int address)
        {
            for (int i = 0; i < _count; i++)
            {
                if (_addresses[i] == address)
                {
                    return _devices[i];
                }
            }

            if (_count == MaxDevices)
            {
                return null;
            }

            I2cDevice d = I2cDevice.Create(new I2cConnectionSettings(_busId, address, _speed));
            _addresses[_count] = address;
            _devices[_count] = d;
            _count++;
            return d;
        }
    }
}
