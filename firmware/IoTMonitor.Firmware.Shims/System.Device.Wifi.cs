// Mirrors nanoFramework.System.Device.Wifi v1.5.147 (asm System.Device.Wifi; WifiNetworkHelper in
// ns nanoFramework.Networking, the rest in ns System.Device.Wifi); reference §10.
// COMPILE-ONLY SHIM: signatures only, never shipped (see README.md).
using System;
using System.Device.Wifi;
using System.Threading;

namespace nanoFramework.Networking
{
    public static class WifiNetworkHelper
    {
        public static NetworkHelperStatus Status
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public static Exception HelperException
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public static bool ConnectDhcp(string ssid, string password, WifiReconnectionKind reconnectionKind = WifiReconnectionKind.Automatic, bool requiresDateTime = false, int wifiAdapterId = 0, CancellationToken token = default)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static bool Reconnect(bool requiresDateTime = false, int wifiAdapterId = 0, CancellationToken token = default)
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static void Disconnect()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public static void Reset()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }
}

namespace System.Device.Wifi
{
    public enum WifiReconnectionKind
    {
        Automatic,
        Manual,
    }

    public enum WifiConnectionStatus
    {
        AccessRevoked,
        InvalidCredential,
        NetworkNotAvailable,
        Success,
        Timeout,
        UnspecifiedFailure,
        UnsupportedAuthenticationProtocol,
    }
}
