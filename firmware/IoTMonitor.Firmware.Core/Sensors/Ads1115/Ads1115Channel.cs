namespace IoTMonitor.Firmware.Core.Sensors.Ads1115
{
    /// <summary>
    /// One single-ended ADS1115 input (AIN0…AIN3 against GND) at a fixed full-scale range, as the
    /// analog probes read it: volts at the ADS1115 input, like the ESP32 ADC path gives volts at the
    /// pin, so calibration records keep their meaning. A clipped input reads as ±FS (the probe's
    /// range checks then flag it); a bus failure or an unfinished conversion reads as a failure.
    /// </summary>
    public sealed class Ads1115Channel : IAnalogInput
    {
        private readonly Ads1115Adc _adc;
        private readonly int _mux;
        private readonly int _pga;
        private readonly int _dataRate;

        /// <summary>Input <paramref name="channel"/> (0…3) at PGA code <paramref name="pga"/> and DR code <paramref name="dataRate"/>.</summary>
        public Ads1115Channel(Ads1115Adc adc, int channel, int pga, int dataRate)
        {
            _adc = adc;
            _mux = Ads1115Register.MuxSingleEnded0 + (channel & 3);
            _pga = pga;
            _dataRate = dataRate;
        }

        /// <summary>The last conversion's result (OutOfRange when it clipped).</summary>
        public ReadResult LastResult { get; private set; }

        /// <inheritdoc />
        public bool TryReadVolts(out double volts)
        {
            LastResult = _adc.Convert(_mux, _pga, _dataRate, out volts);
            return LastResult == ReadResult.Ok || LastResult == ReadResult.OutOfRange;
        }
    }
}
