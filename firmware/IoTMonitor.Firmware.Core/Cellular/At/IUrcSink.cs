namespace IoTMonitor.Firmware.Core.Cellular.At
{
    /// <summary>
    /// Receives the lines the modem sends on its own (unsolicited result codes), implemented by the
    /// two MQTT dialects (SIMCom <c>+CMQTT…</c>, Quectel <c>+QMT…</c>) whose URCs differ.
    /// </summary>
    public interface IUrcSink
    {
        /// <summary>
        /// One URC line (without CR LF) in <paramref name="line"/>[0..<paramref name="length"/>).
        /// Returns how many raw bytes follow the line that belong to it (SIMCom's
        /// <c>+CMQTTRXTOPIC</c>/<c>+CMQTTRXPAYLOAD</c> announce a length, then send that many bytes,
        /// which may contain CR or LF); 0 for an ordinary URC. The line buffer is reused after the call.
        /// </summary>
        int OnUrc(byte[] line, int length);

        /// <summary>Raw bytes announced by <see cref="OnUrc"/>, possibly over several calls.</summary>
        void OnRaw(byte[] data, int offset, int count);
    }
}
