// nanoFramework.Hardware.Esp32 v1.6.42 on the behaviour model (signatures as the shims).
using System;
using IoTMonitor.Firmware.Emulator.Device;

namespace nanoFramework.Hardware.Esp32
{
    public static class Configuration
    {
        public static void SetPinFunction(int pin, DeviceFunction value)
        {
            Esp32Device.Current.Step("pin-function");
        }

        public static int GetFunctionPin(DeviceFunction function)
        {
            return -1;
        }
    }

#pragma warning disable CA1707
    public enum DeviceFunction
    {
        I2C1_DATA, I2C1_CLOCK, I2C2_DATA, I2C2_CLOCK,
        COM1_TX, COM1_RX, COM1_RTS, COM1_CTS, COM2_TX, COM2_RX, COM2_RTS, COM2_CTS,
        COM3_TX, COM3_RX, COM3_RTS, COM3_CTS, COM4_TX, COM4_RX, COM4_RTS, COM4_CTS,
        SPI1_MOSI, SPI1_MISO, SPI1_CLOCK, SPI2_MOSI, SPI2_MISO, SPI2_CLOCK,
        ADC1_CH0, ADC1_CH1, ADC1_CH2, ADC1_CH3, ADC1_CH4, ADC1_CH5, ADC1_CH6, ADC1_CH7,
    }
#pragma warning restore CA1707

    /// <summary>
    /// Sleep (HE Sleep.cs; NFI …_Sleep.cpp, reference §4–5): the timer wake is kept in 10 µs units,
    /// the pin wake uses only the highest bit of its mask, StartDeepSleep never returns, the wake cause
    /// is the raw IDF value.
    /// </summary>
    public class Sleep
    {
        private static long _timerMs;
        private static int _pin = -1;
        private static ulong _ext1Mask;

        public static EspNativeError EnableWakeupByTimer(TimeSpan time)
        {
            Esp32Device.Current.Step("sleep-config");
            _timerMs = time.Ticks / 10 / 1000; // Ticks/10 µs, as the native side receives it
            return EspNativeError.OK;
        }

        public static EspNativeError EnableWakeupByPin(WakeupGpioPin pin, int level)
        {
            Esp32Device.Current.Step("sleep-config");
            ulong mask = (ulong)pin;
            int highest = -1;
            for (int i = 0; i < 64; i++)
            {
                if ((mask & (1UL << i)) != 0)
                {
                    highest = i;
                }
            }

            _pin = highest;
            return EspNativeError.OK;
        }

        public static EspNativeError EnableWakeupByMultiPins(WakeupGpioPin pins, WakeupMode mode)
        {
            // The board's only EXT1 source is the open-drain rain-counter INT: "all low" is the mode.
            Esp32Device.Current.Step("sleep-config");
            _ext1Mask = mode == WakeupMode.AllLow ? (ulong)pins : 0;
            return EspNativeError.OK;
        }

        public static EspNativeError StartLightSleep()
        {
            throw new NotSupportedException("model: light sleep is not modelled");
        }

        public static void StartDeepSleep()
        {
            ulong ext1 = _ext1Mask;
            _ext1Mask = 0;
            Esp32Device.Current.EnterDeepSleep(_timerMs, _pin, ext1);
        }

        public static WakeupCause GetWakeupCause()
        {
            return (WakeupCause)(int)Esp32Device.Current.Cause;
        }

        public static WakeupGpioPin GetWakeupGpioPin()
        {
            if (Esp32Device.Current.Cause == IoTMonitor.Firmware.Emulator.Device.WakeCause.Ext1)
            {
                return WakeupGpioPin.Pin34; // the water board's rain-counter INT, its only EXT1 pin
            }

            return Esp32Device.Current.Cause == IoTMonitor.Firmware.Emulator.Device.WakeCause.Ext0 ? WakeupGpioPin.Pin4 : WakeupGpioPin.None;
        }

        public enum WakeupMode
        {
            AllLow = 0,
            AnyHigh = 1,
        }

        public enum WakeupCause
        {
            Undefined = 0,
            Ext0 = 2,
            Ext1,
            Timer,
            TouchPad,
            Ulp,
            Gpio,
            Uart,
            Wifi,
            CoCpu,
            CoCpuTrapTrig,
            Bt,
        }

        [Flags]
        public enum WakeupGpioPin : ulong
        {
            None = 0,
            Pin0 = 1UL << 0,
            Pin2 = 1UL << 2,
            Pin4 = 1UL << 4,
            Pin12 = 1UL << 12,
            Pin13 = 1UL << 13,
            Pin14 = 1UL << 14,
            Pin15 = 1UL << 15,
            Pin25 = 1UL << 25,
            Pin26 = 1UL << 26,
            Pin27 = 1UL << 27,
            Pin32 = 1UL << 32,
            Pin33 = 1UL << 33,
            Pin34 = 1UL << 34,
            Pin35 = 1UL << 35,
            Pin36 = 1UL << 36,
            Pin37 = 1UL << 37,
            Pin38 = 1UL << 38,
            Pin39 = 1UL << 39,
        }
    }

    public enum EspNativeError : int
    {
        OK = 0,
        FAIL = -1,
        NO_MEM = 0x101,
        INVALID_ARG,
        INVALID_STATE,
        INVALID_SIZE,
        NOT_FOUND,
        NOT_SUPPORTED,
        TIMEOUT,
    }
}
