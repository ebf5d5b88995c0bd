namespace IoTMonitor.Firmware.Core.Sensors
{
    /// <summary>
    /// A serial port as the drivers see it (PMS5003, SDS011, Modbus RTU probes), implemented by the
    /// host. Non-blocking: drivers parse whatever bytes have arrived.
    /// </summary>
    public interface IUart
    {
        /// <summary>Copies up to <paramref name="count"/> received bytes into <paramref name="buffer"/>
        /// at <paramref name="offset"/>; returns how many (0 when none waiting).</summary>
        int Read(byte[] buffer, int offset, int count);

        /// <summary>Sends <paramref name="count"/> bytes of <paramref name="buffer"/> from <paramref name="offset"/>.</summary>
        void Write(byte[] buffer, int offset, int count);

        /// <summary>Discards any received bytes (before a new Modbus request, after a bad frame).</summary>
        void DiscardInput();
    }
}
