namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>A parsed <c>cmd</c> message (protocol §7).</summary>
    public sealed class Command
    {
        /// <summary>Command id, echoed in cmd/ack (null when unreadable).</summary>
        public string Id;

        /// <summary>Which command.</summary>
        public CommandKind Kind;

        /// <summary><c>confirm</c> (clear_queue).</summary>
        public bool Confirm;

        /// <summary><c>sec</c> (set_interval); 0 when absent.</summary>
        public int Seconds;
    }
}
