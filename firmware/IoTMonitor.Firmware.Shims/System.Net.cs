// Mirrors nanoFramework.System.Net v1.11.60 (asm System.Net; ns nanoFramework.Networking and
// System.Security.Cryptography.X509Certificates); reference §11.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;

namespace nanoFramework.Networking
{
    public enum NetworkHelperStatus
    {
        None,
        Started,
        NetworkIsReady,
        FailedNoNetworkInterface,
        TokenExpiredWaitingIPAddress,
        TokenExpiredWaitingDateTime,
        ErrorConnetingToWiFiWhileScanning,
        ExceptionOccurred,
        Reconnecting,
    }
}

namespace System.Security.Cryptography.X509Certificates
{
    public class X509Certificate
    {
        public X509Certificate()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public X509Certificate(byte[] certificate)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public X509Certificate(string certificate)
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }
}

namespace System.Net.NetworkInformation
{
    /// <summary>A stored Wi-Fi configuration (reference §11; the ESP32 keeps it in I:\con_*.sys).</summary>
    public class Wireless80211Configuration
    {
        /// <summary>The stored configurations.</summary>
        public static Wireless80211Configuration[] GetAllWireless80211Configurations()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        /// <summary>SSID.</summary>
        public string Ssid
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        /// <summary>Password.</summary>
        public string Password
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        /// <summary>Options (AutoConnect makes the runtime join before Main, reference §6).</summary>
        public ConfigurationOptions Options
        {
            get { throw new NotSupportedException("shim: compile-only"); }
            set { throw new NotSupportedException("shim: compile-only"); }
        }

        /// <summary>Writes the configuration to flash.</summary>
        public void SaveConfiguration()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        /// <summary>Configuration options.</summary>
        [Flags]
        public enum ConfigurationOptions : byte
        {
            /// <summary>None.</summary>
            None = 0,

            /// <summary>Disabled.</summary>
            Disable = 1,

            /// <summary>Enabled, no join at boot.</summary>
            Enable = 2,

            /// <summary>Enabled and joined at boot.</summary>
            AutoConnect = 6,

            /// <summary>SmartConfig.</summary>
            SmartConfig = 10,
        }
    }
}
