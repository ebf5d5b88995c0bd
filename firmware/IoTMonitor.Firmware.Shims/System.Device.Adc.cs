// Mirrors nanoFramework.System.Device.Adc v1.1.24 (ns/asm System.Device.Adc); reference §6.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;

namespace System.Device.Adc
{
    public class AdcController
    {
        public AdcController()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public int ChannelCount
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public int MaxValue
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public int MinValue
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public int ResolutionInBits
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public AdcChannel OpenChannel(int channelNumber)
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    public class AdcChannel : IDisposable
    {
        private AdcChannel()
        {
        }

        public AdcController Controller
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public int ReadValue()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public double ReadRatio()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void Dispose()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }
}
