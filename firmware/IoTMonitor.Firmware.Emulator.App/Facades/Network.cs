// System.Device.Wifi v1.5.147, nanoFramework.Networking.Sntp v1.6.42 and System.Net v1.11.60 on the
// model's radio environment (reference §6, §9).
using System;
using System.Device.Wifi;
using System.Threading;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Emulator.Network;

namespace nanoFramework.Networking
{
    public static class WifiNetworkHelper
    {
        public static NetworkHelperStatus Status { get; private set; }

        public static Exception HelperException { get; private set; }

        /// <summary>
        /// Joins and waits for an IP. With no IP yet it disconnects, saves the config (a flash write; the
        /// saved Options get AutoConnect whatever the kind, Target_Network.cpp) and connects again
        /// (WIFI WifiNetworkHelper.cs ScanAndConnect). SNTP starts 2 s after the IP (targetHAL_Network.cpp).
        /// </summary>
        /// <summary>The SSID the node last asked to join (the model's AP answers to it).</summary>
        internal static string JoinedSsid { get; private set; }

        public static bool ConnectDhcp(string ssid, string password, WifiReconnectionKind reconnectionKind = WifiReconnectionKind.Automatic, bool requiresDateTime = false, int wifiAdapterId = 0, CancellationToken token = default(CancellationToken))
        {
            Esp32Device d = Esp32Device.Current;
            JoinedSsid = ssid;
            d.Step("wifi-connect");
            RadioEnvironment radio = d.Radio;
            d.RadioOn();
            if (!radio.Associated)
            {
                byte[] config = System.Text.Encoding.UTF8.GetBytes("ssid=" + ssid + ";options=AutoConnect,Enable");
                using (System.IO.FileStream f = new System.IO.FileStream("I:\\con_wifi.sys", System.IO.FileMode.Create))
                {
                    f.Write(config, 0, config.Length);
                }

                d.WifiAutoConnectSaved = true;
                d.WifiSavedOptions = "AutoConnect,Enable";
            }

            long left = token.LeftMs;
            if (!radio.WifiUp(d.TrueMs))
            {
                d.Advance(left < 0 ? 60000 : left);
                Status = NetworkHelperStatus.TokenExpiredWaitingIPAddress;
                return false;
            }

            if (!radio.Associated)
            {
                if (left >= 0 && left < radio.WifiJoinMs)
                {
                    d.Advance(left);
                    Status = NetworkHelperStatus.TokenExpiredWaitingIPAddress;
                    return false;
                }

                d.Advance(radio.WifiJoinMs);
                radio.Associate(d);
                Sntp.StartOnIp(d);
            }

            Status = NetworkHelperStatus.NetworkIsReady;
            return true;
        }

        public static bool Reconnect(bool requiresDateTime = false, int wifiAdapterId = 0, CancellationToken token = default(CancellationToken))
        {
            Esp32Device d = Esp32Device.Current;
            if (d.Radio.Associated)
            {
                return true;
            }

            long left = token.LeftMs;
            if (!d.Radio.WifiUp(d.TrueMs) || !d.WifiAutoConnectSaved)
            {
                d.Advance(left < 0 ? 60000 : left);
                return false;
            }

            d.RadioOn();
            d.Advance(d.Radio.WifiJoinMs);
            d.Radio.Associate(d);
            Sntp.StartOnIp(d);
            return true;
        }

        public static void Disconnect()
        {
            Esp32Device d = Esp32Device.Current;
            d.Step("wifi-disconnect");
            d.Radio.Disassociate(d);
        }

        public static void Reset()
        {
        }
    }

    public class Sntp
    {
        private static bool _started;

        public static bool IsStarted
        {
            get { return _started; }
        }

        public static string Server1 { get; set; }

        public static string Server2 { get; set; }

        public static void Start()
        {
            _started = true;
            Schedule(Esp32Device.Current);
        }

        public static void Stop()
        {
            _started = false;
        }

        /// <summary>Stops and restarts SNTP: a query SNTP_STARTUP_DELAY (2 s) later (reference §9).</summary>
        public static void UpdateNow()
        {
            _started = true;
            Schedule(Esp32Device.Current);
        }

        internal static void StartOnIp(Esp32Device d)
        {
            _started = true;
            Schedule(d);
        }

        private static void Schedule(Esp32Device d)
        {
            d.Schedule(d.TrueMs + d.Radio.SntpStartupDelayMs, () =>
            {
                if (_started && d.Radio.Associated)
                {
                    d.SetRtc(d.TrueMs);
                    d.Schedule(d.TrueMs + 3600000, () => Schedule(d)); // hourly (IDF default)
                }
            });
        }
    }

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

namespace System.Device.Wifi
{
    /// <summary>
    /// The station adapter on the model (reference §10): <see cref="ScanAsync"/> returns at once and
    /// <see cref="AvailableNetworksChanged"/> fires when the scan is done, <see cref="RadioEnvironment.ScanMs"/>
    /// later (ESP-IDF scans without blocking and reports SCAN_DONE; the report then holds the APs heard:
    /// the joined AP at its RSSI when it is up, and the neighbours).
    /// </summary>
    public sealed class WifiAdapter
    {
        private static readonly WifiAdapter[] All = new WifiAdapter[] { new WifiAdapter() };

        private WifiNetworkReport _report = new WifiNetworkReport(new WifiAvailableNetwork[0]);

        public event AvailableNetworksChangedEventHandler AvailableNetworksChanged;

        public WifiNetworkReport NetworkReport
        {
            get { return _report; }
        }

        public static WifiAdapter[] FindAllAdapters()
        {
            return All;
        }

        public void ScanAsync()
        {
            Esp32Device d = Esp32Device.Current;
            d.Step("wifi-scan");
            d.RadioOn();
            RadioEnvironment radio = d.Radio;
            radio.Scans++;
            d.Schedule(d.TrueMs + radio.ScanMs, () =>
            {
                var found = new System.Collections.Generic.List<WifiAvailableNetwork>();
                if (radio.WifiUp(d.TrueMs) && nanoFramework.Networking.WifiNetworkHelper.JoinedSsid != null)
                {
                    found.Add(new WifiAvailableNetwork(nanoFramework.Networking.WifiNetworkHelper.JoinedSsid, radio.RssiDbm(d.TrueMs)));
                }

                foreach (var n in radio.Neighbours)
                {
                    found.Add(new WifiAvailableNetwork(n.Ssid, n.Dbm));
                }

                _report = new WifiNetworkReport(found.ToArray());
                AvailableNetworksChanged?.Invoke(this, null);
            });
        }
    }

    public delegate void AvailableNetworksChangedEventHandler(WifiAdapter sender, object e);

    public sealed class WifiNetworkReport
    {
        internal WifiNetworkReport(WifiAvailableNetwork[] networks)
        {
            AvailableNetworks = networks;
        }

        public WifiAvailableNetwork[] AvailableNetworks { get; }
    }

    public sealed class WifiAvailableNetwork
    {
        internal WifiAvailableNetwork(string ssid, int dbm)
        {
            Ssid = ssid;
            NetworkRssiInDecibelMilliwatts = dbm;

            // Bars as the package maps them is not in the reference; the app does not read them.
            SignalBars = (byte)(dbm >= -60 ? 4 : dbm >= -70 ? 3 : dbm >= -80 ? 2 : 1);
        }

        public string Ssid { get; }

        public string Bsid
        {
            get { return "02:00:00:00:00:01"; }
        }

        public double NetworkRssiInDecibelMilliwatts { get; }

        public byte SignalBars { get; }
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

namespace System.Net.NetworkInformation
{
    /// <summary>
    /// The stored Wi-Fi configuration on the model (reference §6, §11): saving it writes
    /// I:\con_wifi.sys; with AutoConnect the runtime joins before Main at the next boot
    /// (targetHAL_ConfigurationManager.cpp, NF_ESP32_Wireless.cpp).
    /// </summary>
    public class Wireless80211Configuration
    {
        public static Wireless80211Configuration[] GetAllWireless80211Configurations()
        {
            Esp32Device d = Esp32Device.Current;
            if (d.WifiSavedOptions == null)
            {
                return new Wireless80211Configuration[0];
            }

            Wireless80211Configuration c = new Wireless80211Configuration();
            c.Options = d.WifiAutoConnectSaved ? ConfigurationOptions.AutoConnect : ConfigurationOptions.Enable;
            return new Wireless80211Configuration[] { c };
        }

        public string Ssid { get; set; }

        public string Password { get; set; }

        public ConfigurationOptions Options { get; set; }

        public void SaveConfiguration()
        {
            Esp32Device d = Esp32Device.Current;
            byte[] config = System.Text.Encoding.UTF8.GetBytes("ssid=" + Ssid + ";options=" + Options);
            using (System.IO.FileStream f = new System.IO.FileStream("I:\\con_wifi.sys", System.IO.FileMode.Create))
            {
                f.Write(config, 0, config.Length);
            }

            d.WifiAutoConnectSaved = (Options & ConfigurationOptions.AutoConnect) == ConfigurationOptions.AutoConnect;
            d.WifiSavedOptions = Options.ToString();
        }

        [Flags]
        public enum ConfigurationOptions : byte
        {
            None = 0,
            Disable = 1,
            Enable = 2,
            AutoConnect = 6,
            SmartConfig = 10,
        }
    }
}
