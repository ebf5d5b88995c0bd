using System;
using System.Device.Adc;
using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Adapters
{
    /// <summary>
    /// <see cref="IAnalogInput"/> on one ESP32 ADC1 channel (System.Device.Adc, reference §6).
    /// Only ADC1 (channels 0–7 = GPIO 36, 37, 38, 39, 32, 33, 34, 35) is accepted: ADC2 fails
    /// while WiFi is on, so an ADC2 pin is refused at construction, not at the first read.
    /// </summary>
    /// <remarks>
    /// Volts = raw × <c>fullScaleVolts</c> / MaxValue. The ESP32 attenuation is fixed at 12 dB and
    /// the counts are uncalibrated (reference §6); the per-probe calibration in the device config
    /// absorbs the remaining gain/offset error.
    /// </remarks>
    public sealed class AdcAnalogInput : IAnalogInput, IDisposable
    {
        /// <summary>Nominal full-scale input at 12 dB attenuation (ESP32 datasheet, 3.3 V supply).</summary>
        public const double DefaultFullScaleVolts = 3.3;

        // GPIO → ADC1 channel, reference §6 table; -1: not an ADC1 pin.
        private static readonly int[] Adc1ChannelByGpio = BuildChannelTable();

        private readonly AdcChannel _channel;
        private readonly double _voltsPerCount;

        /// <summary>Opens the ADC1 channel wired to <paramref name="gpio"/>.</summary>
        /// <exception cref="ArgumentException">The pin is not an ADC1 pin (ADC2 or no ADC).</exception>
        public AdcAnalogInput(AdcController controller, int gpio, double fullScaleVolts = DefaultFullScaleVolts)
        {
            int channel = ChannelOf(gpio);
            if (channel < 0)
            {
                throw new ArgumentException("GPIO" + gpio + " is not an ADC1 pin (ADC1 = GPIO 32-39; ADC2 fails while WiFi is on)");
            }

            _channel = controller.OpenChannel(channel);
            _voltsPerCount = fullScaleVolts / controller.MaxValue;
        }

        /// <summary>ADC1 channel number (0–7) of <paramref name="gpio"/>, or -1 when it is not an ADC1 pin.</summary>
        public static int ChannelOf(int gpio)
        {
            return gpio >= 0 && gpio < Adc1ChannelByGpio.Length ? Adc1ChannelByGpio[gpio] : -1;
        }

        /// <inheritdoc />
        public bool TryReadVolts(out double volts)
        {
            try
            {
                volts = _channel.ReadValue() * _voltsPerCount;
                return true;
            }
            catch (Exception)
            {
                volts = 0;
                return false;
            }
        }

        /// <summary>Releases the channel.</summary>
        public void Dispose()
        {
            _channel.Dispose();
        }

        private static int[] BuildChannelTable()
        {
            int[] t = new int[40];
            for (int i = 0; i < t.Length; i++)
            {
                t[i] = -1;
            }

            t[36] = 0;
            t[37] = 1;
            t[38] = 2;
            t[39] = 3;
            t[32] = 4;
            t[33] = 5;
            t[34] = 6;
            t[35] = 7;
            return t;
        }
    }
}
