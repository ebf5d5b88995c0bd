namespace IoTMonitor.Firmware.Core.Sensors.Ads1115
{
    /// <summary>
    /// The ADS1115 numbers the driver computes with (TI SBAS444D): full-scale range per PGA code
    /// (§9.3.3, Table 1), data rate per DR code and the conversion time (§9.3.6; one conversion takes
    /// 1/DR, and the internal oscillator's data rate varies by ±10 %, Electrical Characteristics),
    /// the Config word (§9.6, Table 8) and the output code to volts (§9.5.4, Table 3).
    /// </summary>
    public static class Ads1115Settings
    {
        /// <summary>ADDR pin to GND (Table 4); 0x49 VDD, 0x4A SDA, 0x4B SCL.</summary>
        public const int DefaultAddress = 0x48;

        /// <summary>DR = 100, 128 SPS (the reset value).</summary>
        public const int DefaultDataRate = 4;

        /// <summary>Full-scale ranges in mV by PGA code 0…5 (codes 6 and 7 repeat ±0.256 V).</summary>
        private static readonly int[] FullScaleMv = { 6144, 4096, 2048, 1024, 512, 256 };

        /// <summary>Samples per second by DR code 0…7.</summary>
        private static readonly int[] Sps = { 8, 16, 32, 64, 128, 250, 475, 860 };

        /// <summary>The PGA code of a full-scale range given in mV (256…6144), or -1 for a range the chip lacks.</summary>
        public static int PgaForFullScaleMv(int mv)
        {
            for (int i = 0; i < FullScaleMv.Length; i++)
            {
                if (FullScaleMv[i] == mv)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>Positive full scale in volts of PGA code <paramref name="pga"/> (0…7).</summary>
        public static double FullScaleVolts(int pga)
        {
            return FullScaleMv[pga > 5 ? 5 : pga] / 1000.0;
        }

        /// <summary>One LSB in volts: FSR / 2^15 (Table 1: 187.5 µV at ±6.144 V … 7.8125 µV at ±0.256 V).</summary>
        public static double LsbVolts(int pga)
        {
            return FullScaleVolts(pga) / 32768.0;
        }

        /// <summary>Samples per second of DR code <paramref name="dataRate"/> (0…7).</summary>
        public static int SamplesPerSecond(int dataRate)
        {
            return Sps[dataRate & 7];
        }

        /// <summary>
        /// Longest a single-shot conversion can take, in ms, rounded up: 1/DR stretched by the +10 %
        /// data-rate tolerance, plus the 25 µs power-up from power-down (§9.4.2), so 8 SPS → 138 ms,
        /// 128 SPS → 9 ms, 860 SPS → 2 ms.
        /// </summary>
        public static int MaxConversionMs(int dataRate)
        {
            int micros = (1100000 / SamplesPerSecond(dataRate)) + 25;
            return (micros + 999) / 1000;
        }

        /// <summary>
        /// The Config word that starts one conversion: OS 1, MUX, PGA, MODE single-shot, DR, comparator
        /// disabled. AIN0/GND, ±4.096 V, 128 SPS → C383h.
        /// </summary>
        public static int SingleShotWord(int mux, int pga, int dataRate)
        {
            return Ads1115Register.OsBit
                | ((mux & 7) << Ads1115Register.MuxShift)
                | ((pga & 7) << Ads1115Register.PgaShift)
                | Ads1115Register.ModeSingleShot
                | ((dataRate & 7) << Ads1115Register.DataRateShift)
                | Ads1115Register.ComparatorDisabled;
        }

        /// <summary>
        /// Volts of a Conversion register value (two's complement, MSB first): code × FSR / 2^15, so
        /// 7FFFh → +FS·(2^15 − 1)/2^15, 0001h → +1 LSB, FFFFh → −1 LSB, 8000h → −FS (Table 3).
        /// </summary>
        public static double ToVolts(int msb, int lsb, int pga)
        {
            int code = (msb << 8) | lsb;
            if (code >= 0x8000)
            {
                code -= 0x10000;
            }

            return code * LsbVolts(pga);
        }

        /// <summary>True for the two codes a clipped input gives (7FFFh above +FS, 8000h below −FS, Table 3).</summary>
        public static bool IsClipped(int msb, int lsb)
        {
            int code = (msb << 8) | lsb;
            return code == 0x7FFF || code == 0x8000;
        }
    }
}
