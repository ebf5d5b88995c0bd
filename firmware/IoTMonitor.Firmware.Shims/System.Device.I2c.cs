// Mirrors nanoFramework.System.Device.I2c v1.1.29 (ns/asm System.Device.I2c); reference §7.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;

namespace System.Device.I2c
{
    public sealed class I2cConnectionSettings
    {
        public I2cConnectionSettings(int busId, int deviceAddress)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public I2cConnectionSettings(int busId, int deviceAddress, I2cBusSpeed busSpeed)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public int BusId
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public int DeviceAddress
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public I2cBusSpeed BusSpeed
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }
    }

    public class I2cDevice : IDisposable
    {
        public I2cDevice(I2cConnectionSettings settings)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static I2cDevice Create(I2cConnectionSettings settings)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public I2cConnectionSettings ConnectionSettings
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public byte ReadByte()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public I2cTransferResult Read(SpanByte buffer)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public I2cTransferResult WriteByte(byte value)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public I2cTransferResult Write(SpanByte buffer)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public I2cTransferResult WriteRead(SpanByte writeBuffer, SpanByte readBuffer)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Dispose()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    public struct I2cTransferResult
    {
        public uint BytesTransferred
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public I2cTransferStatus Status
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }
    }

    public enum I2cTransferStatus
    {
        UnknownError,
        FullTransfer,
        ClockStretchTimeout,
        PartialTransfer,
        SlaveAddressNotAcknowledged,
    }

    public enum I2cBusSpeed
    {
        StandardMode,
        FastMode,
        FastModePlus,
    }
}
