namespace IoTMonitor.Firmware.Core.Cellular.At
{
    /// <summary>How an AT command ended (ITU-T V.250 §5.7 final result codes, 3GPP TS 27.007 §9.2 / TS 27.005 §3.2.5 error reports).</summary>
    public enum AtResult
    {
        /// <summary><c>OK</c>.</summary>
        Ok = 0,

        /// <summary><c>ERROR</c> (no code: AT+CMEE=0, or a syntax error).</summary>
        Error = 1,

        /// <summary><c>+CME ERROR: &lt;n&gt;</c> (mobile equipment error, code in <see cref="AtEngine.ErrorCode"/>).</summary>
        CmeError = 2,

        /// <summary><c>+CMS ERROR: &lt;n&gt;</c> (message service error, code in <see cref="AtEngine.ErrorCode"/>).</summary>
        CmsError = 3,

        /// <summary>No final result code within the timeout (or no <c>&gt;</c> prompt for a data command).</summary>
        Timeout = 4,
    }
}
