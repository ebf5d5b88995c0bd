// Mirrors nanoFramework.System.Device.Gpio v1.1.62 (ns/asm System.Device.Gpio); reference §5.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;

namespace System.Device.Gpio
{
    public sealed class GpioController : IDisposable
    {
        public GpioController()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public GpioPin OpenPin(int pinNumber)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public GpioPin OpenPin(int pinNumber, PinMode mode)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void ClosePin(int pinNumber)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public bool IsPinOpen(int pinNumber)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Write(int pinNumber, PinValue value)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public PinValue Read(int pinNumber)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Dispose()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    public sealed class GpioPin : IDisposable
    {
        private GpioPin()
        {
        }

        public int PinNumber
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public void SetPinMode(PinMode value)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public PinValue Read()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Write(PinValue value)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Dispose()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    public enum PinMode
    {
        Input,
        InputPullDown,
        InputPullUp,
        Output,
        OutputOpenDrain,
        OutputOpenDrainPullUp,
        OutputOpenSource,
        OutputOpenSourcePullDown,
    }

    public readonly struct PinValue
    {
        public static PinValue High
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public static PinValue Low
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public static implicit operator PinValue(int value)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static implicit operator PinValue(bool value)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static bool operator ==(PinValue a, PinValue b)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static bool operator !=(PinValue a, PinValue b)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public override bool Equals(object obj)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public override int GetHashCode()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }
}
