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
    public sealed class WifiAdapter
    {
        public event AvailableNetworksChangedEventHandler AvailableNetworksChanged
        {
            add { throw new NotSupportedException("shim: compile-only"); }
            remove { throw new NotSupportedException("shim: compile-only"); }
        }

        public WifiNetworkReport NetworkReport
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public static WifiAdapter[] FindAllAdapters()
        {
            throw new NotSupportedException("shim: compile-only");
        }

        public void ScanAsync()
        {
            throw new NotSupportedException("shim: compile-only");
        }
    }

    // The reference gives the handler's shape, void (WifiAdapter sender, object e), and the report's
    // members; the two type names follow the package (the app never spells them).
    public delegate void AvailableNetworksChangedEventHandler(WifiAdapter sender, object e);

    public sealed class WifiNetworkReport
    {
        public WifiAvailableNetwork[] AvailableNetworks
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }
    }

    public sealed class WifiAvailableNetwork
    {
        public string Ssid
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public string Bsid
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public double NetworkRssiInDecibelMilliwatts
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }

        public byte SignalBars
        {
            get { throw new NotSupportedException("shim: compile-only"); }
        }
    }

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
