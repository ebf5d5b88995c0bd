// Mirrors nanoFramework.Device.OneWire v1.4.35 (ns/asm nanoFramework.Device.OneWire); reference §9.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;
using System.Collections;

namespace nanoFramework.Device.OneWire
{
    public class OneWireHost : IDisposable
    {
        public OneWireHost()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public byte[] SerialNumber
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public bool TouchReset()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public bool TouchBit(bool sendBit)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public byte TouchByte(byte sendByte)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public byte WriteByte(byte sendByte)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public byte ReadByte()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public bool FindFirstDevice(bool performResetBeforeSearch, bool searchWithAlarmCommand)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public bool FindNextDevice(bool performResetBeforeSearch, bool searchWithAlarmCommand)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public ArrayList FindAllDevices()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Dispose()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }
}
