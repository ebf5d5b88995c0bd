namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>cmd/ack <c>err</c> codes (protocol §7; listed in docs/config.md).</summary>
    public static class CommandError
    {
        /// <summary>0: done.</summary>
        public const int None = 0;

        /// <summary>1: unknown command (protocol §7).</summary>
        public const int UnknownCommand = 1;

        /// <summary>2: not JSON, wrong <c>v</c>, or <c>id</c>/<c>cmd</c> missing.</summary>
        public const int Malformed = 2;

        /// <summary>3: argument missing or out of range (<c>confirm</c>, <c>sec</c>).</summary>
        public const int BadArgument = 3;
    }
}
