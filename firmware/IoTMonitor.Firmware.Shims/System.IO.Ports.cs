// Mirrors nanoFramework.System.IO.Ports v1.1.139 (ns/asm System.IO.Ports); reference §8.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;

namespace System.IO.Ports
{
    public sealed class SerialPort : IDisposable
    {
        public SerialPort(string portName, int baudRate = 9600, Parity parity = Parity.None, int dataBits = 8, StopBits stopBits = StopBits.One)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public bool IsOpen
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public int BaudRate
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        public Handshake Handshake
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        public SerialMode Mode
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        public int ReadTimeout
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        public int WriteTimeout
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        public int ReadBufferSize
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        public int BytesToRead
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public static string[] GetPortNames()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Open()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Close()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public int ReadByte()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Dispose()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    public enum Parity
    {
        None,
        Odd,
        Even,
    }

    public enum StopBits
    {
        One = 1,
        Two = 2,
        OnePointFive = 3,
    }

    public enum Handshake
    {
        None,
        XOnXOff,
        RequestToSend,
        RequestToSendXOnXOff,
    }

    public enum SerialMode
    {
        Normal,
        RS485,
    }
}
