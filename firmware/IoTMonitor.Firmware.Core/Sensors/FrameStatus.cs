namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// The three answers of a byte-at-a-time frame parser (PMS5003, SDS011, Modbus RTU), as in
    /// ESPHome's sds011 check_byte_: keep going, throw the partial frame away, or a whole valid frame.
    /// </summary>
    /// <remarks>
    /// Shared by every serial frame parser (<see cref="IFrameParser"/>), so it sits beside
    /// <see cref="UartFrameReader"/> rather than in one sensor family's folder.
    /// </remarks>
    public enum FrameStatus
    {
        /// <summary>The byte fits the frame so far; feed the next one.</summary>
        Continue = 0,

        /// <summary>
        /// The byte cannot belong to the frame (wrong header, length or checksum): the partial frame
        /// was dropped and the parser is hunting for the next start byte (the rejected byte itself is
        /// kept when it can start a frame).
        /// </summary>
        Bad = 1,

        /// <summary>A complete frame with a good checksum; its values are available until the next one.</summary>
        Complete = 2,
    }
}
