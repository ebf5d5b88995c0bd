// nanoFramework.Runtime.Native v1.7.11 on the behaviour model (signatures as the shims).
using System;
using IoTMonitor.Firmware.Emulator.Device;

namespace nanoFramework.Runtime.Native
{
    public delegate void RebootEventHandler();

    public class Power
    {
#pragma warning disable CS0067
        public static event RebootEventHandler OnRebootEvent;
#pragma warning restore CS0067

        public static void RebootDevice(RebootOption rebootOption = RebootOption.NormalReboot)
        {
            RebootEventHandler handler = OnRebootEvent;
            if (handler != null)
            {
                handler(); // only RebootDevice raises it (reference §4)
            }

            Esp32Device.Current.Reboot();
        }

        public static void RebootDevice(int exeConstraintTimeout, RebootOption rebootOption = RebootOption.NormalReboot)
        {
            RebootDevice(rebootOption);
        }
    }

    public enum RebootOption
    {
        NormalReboot = 0,
        EnterNanoBooter = 1,
        ClrOnly = 2,
        EnterProprietaryBooter = 8,
    }

    public static class GC
    {
        public static uint Run(bool compactHeap)
        {
            return 0;
        }

        public static void EnableGCMessages(bool enable)
        {
        }
    }

    public static class Rtc
    {
        /// <summary>Keeps whole seconds only (reference §9, NFI …_Rtc.cpp).</summary>
        public static bool SetSystemTime(DateTime time)
        {
            long ms = (time.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
            Esp32Device.Current.SetRtc(ms / 1000 * 1000);
            return true;
        }
    }
}

namespace System
{
    /// <summary>TickCount64: the FreeRTOS tick count, from 0 at every reset (reference §5).</summary>
    public static class Environment
    {
        public static long TickCount64
        {
            get { return Esp32Device.Current.TickCount64; }
        }
    }
}
