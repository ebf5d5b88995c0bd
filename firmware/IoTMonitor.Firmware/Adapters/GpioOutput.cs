using System;
using System.Device.Gpio;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// One push-pull output (System.Device.Gpio, reference §5): the rail and boost enables of the
    /// pin maps (active high, 100 kΩ pull-down, so a rail is off at boot and in deep sleep).
    /// </summary>
    public sealed class GpioOutput : IDisposable
    {
        private readonly GpioPin _pin;

        /// <summary>Opens <paramref name="gpio"/> as an output, driven low.</summary>
        public GpioOutput(GpioController controller, int gpio)
        {
            _pin = controller.OpenPin(gpio, PinMode.Output);
            _pin.Write(PinValue.Low);
        }

        /// <summary>Drives the pin high (true) or low.</summary>
        public void Set(bool high)
        {
            _pin.Write(high ? PinValue.High : PinValue.Low);
        }

        /// <summary>Drives the pin low and releases it.</summary>
        public void Dispose()
        {
            _pin.Write(PinValue.Low);
            _pin.Dispose();
        }
    }
}
