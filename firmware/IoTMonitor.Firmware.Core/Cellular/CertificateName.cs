namespace IoTMonitor.Firmware.Core.Cellular
{
    /// <summary>
    /// The file name a CA certificate gets in the modem's flash: <c>iotmon-ca-&lt;length&gt;-&lt;sum&gt;.pem</c>
    /// with a Fletcher-16 sum of the PEM bytes, so a rotated certificate gets a new name and is uploaded
    /// once, while an unchanged one is found in the modem's file list and not written again (flash wear).
    /// </summary>
    public static class CertificateName
    {
        /// <summary>The name for <paramref name="pem"/>.</summary>
        public static string For(byte[] pem)
        {
            int a = 0;
            int b = 0;
            for (int i = 0; i < pem.Length; i++)
            {
                a = (a + pem[i]) % 255;
                b = (b + a) % 255;
            }

            int sum = (b << 8) | a;
            char[] hex = new char[4];
            for (int i = 0; i < 4; i++)
            {
                int d = (sum >> (12 - (4 * i))) & 0xF;
                hex[i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
            }

            return "iotmon-ca-" + pem.Length.ToString() + "-" + new string(hex) + ".pem";
        }
    }
}
