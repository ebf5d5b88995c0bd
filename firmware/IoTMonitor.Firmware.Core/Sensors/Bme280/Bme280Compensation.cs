namespace IoTMonitor.Firmware.Core.Sensors.Bme280
{
    /// <summary>
    /// Compensation formulas of BST-BME280-DS002 §4.2.3 ("Compensation formulas"), in the datasheet's
    /// shift form (the Bosch C driver divides instead; the two can differ by 1 LSB on negative
    /// intermediates, reference B1 — we pin the datasheet's). Variable names are the datasheet's.
    /// Temperature must be compensated first: pressure and humidity use its t_fine.
    /// </summary>
    public static class Bme280Compensation
    {
        /// <summary>
        /// BME280_compensate_T_int32: temperature in 0.01 °C ("5123" = 51.23 °C); sets
        /// <paramref name="t_fine"/> for the other two.
        /// </summary>
#pragma warning disable IDE1006 // t_fine, var1, var2 keep the datasheet's spelling
        public static int CompensateTemperature(Bme280CalibrationData c, int adc_T, out int t_fine)
        {
            int var1 = (((adc_T >> 3) - (c.DigT1 << 1)) * c.DigT2) >> 11;
            int var2 = (((((adc_T >> 4) - c.DigT1) * ((adc_T >> 4) - c.DigT1)) >> 12) * c.DigT3) >> 14;
            t_fine = var1 + var2;
            return ((t_fine * 5) + 128) >> 8;
        }

        /// <summary>
        /// BME280_compensate_P_int64: pressure in Pa as Q24.8 ("24674867" = 96386.2 Pa). Returns
        /// false when var1 is 0 (the datasheet's "avoid exception caused by division by zero").
        /// </summary>
        public static bool TryCompensatePressure(Bme280CalibrationData c, int adc_P, int t_fine, out long pressureQ24_8)
        {
            long var1 = (long)t_fine - 128000;
            long var2 = var1 * var1 * c.DigP6;
            var2 = var2 + ((var1 * c.DigP5) << 17);
            var2 = var2 + ((long)c.DigP4 << 35);
            var1 = ((var1 * var1 * c.DigP3) >> 8) + ((var1 * c.DigP2) << 12);
            var1 = ((((long)1 << 47) + var1) * c.DigP1) >> 33;
            if (var1 == 0)
            {
                pressureQ24_8 = 0;
                return false;
            }

            long p = 1048576 - adc_P;
            p = (((p << 31) - var2) * 3125) / var1;
            var1 = (c.DigP9 * (p >> 13) * (p >> 13)) >> 25;
            var2 = (c.DigP8 * p) >> 19;
            pressureQ24_8 = ((p + var1 + var2) >> 8) + ((long)c.DigP7 << 4);
            return true;
        }

        /// <summary>
        /// bme280_compensate_H_int32: relative humidity in %RH as Q22.10 ("47445" = 46.333 %RH),
        /// clamped by the datasheet to 0…100 %.
        /// </summary>
        public static int CompensateHumidity(Bme280CalibrationData c, int adc_H, int t_fine)
        {
            int v_x1_u32r = t_fine - 76800;
            v_x1_u32r = ((((adc_H << 14) - (c.DigH4 << 20) - (c.DigH5 * v_x1_u32r)) + 16384) >> 15)
                * (((((((v_x1_u32r * c.DigH6) >> 10) * (((v_x1_u32r * c.DigH3) >> 11) + 32768)) >> 10) + 2097152)
                    * c.DigH2 + 8192) >> 14);
            v_x1_u32r = v_x1_u32r - (((((v_x1_u32r >> 15) * (v_x1_u32r >> 15)) >> 7) * c.DigH1) >> 4);
            v_x1_u32r = v_x1_u32r < 0 ? 0 : v_x1_u32r;
            v_x1_u32r = v_x1_u32r > 419430400 ? 419430400 : v_x1_u32r;
            return v_x1_u32r >> 12;
        }

        /// <summary>
        /// BME280_compensate_T_double: temperature in °C, with the unrounded t_fine. Kept for the
        /// datasheet's floating-point vector; the driver uses the integer form (exact on any FPU).
        /// </summary>
        public static double CompensateTemperatureDouble(Bme280CalibrationData c, int adc_T, out double t_fine)
        {
            double var1 = ((adc_T / 16384.0) - (c.DigT1 / 1024.0)) * c.DigT2;
            double var2 = ((adc_T / 131072.0) - (c.DigT1 / 8192.0)) * ((adc_T / 131072.0) - (c.DigT1 / 8192.0)) * c.DigT3;
            t_fine = var1 + var2;
            return (var1 + var2) / 5120.0;
        }

        /// <summary>BME280_compensate_P_double: pressure in Pa; false when var1 is 0.</summary>
        public static bool TryCompensatePressureDouble(Bme280CalibrationData c, int adc_P, double t_fine, out double pressurePa)
        {
            double var1 = (t_fine / 2.0) - 64000.0;
            double var2 = var1 * var1 * c.DigP6 / 32768.0;
            var2 = var2 + (var1 * c.DigP5 * 2.0);
            var2 = (var2 / 4.0) + (c.DigP4 * 65536.0);
            var1 = ((c.DigP3 * var1 * var1 / 524288.0) + (c.DigP2 * var1)) / 524288.0;
            var1 = (1.0 + (var1 / 32768.0)) * c.DigP1;
            if (var1 == 0.0)
            {
                pressurePa = 0;
                return false;
            }

            double p = 1048576.0 - adc_P;
            p = (p - (var2 / 4096.0)) * 6250.0 / var1;
            var1 = c.DigP9 * p * p / 2147483648.0;
            var2 = p * c.DigP8 / 32768.0;
            pressurePa = p + ((var1 + var2 + c.DigP7) / 16.0);
            return true;
        }

        /// <summary>bme280_compensate_H_double: relative humidity in %RH, clamped 0…100.</summary>
        public static double CompensateHumidityDouble(Bme280CalibrationData c, int adc_H, double t_fine)
        {
            double var_H = t_fine - 76800.0;
            var_H = (adc_H - ((c.DigH4 * 64.0) + (c.DigH5 / 16384.0 * var_H)))
                * (c.DigH2 / 65536.0 * (1.0 + (c.DigH6 / 67108864.0 * var_H * (1.0 + (c.DigH3 / 67108864.0 * var_H)))));
            var_H = var_H * (1.0 - (c.DigH1 * var_H / 524288.0));
            if (var_H > 100.0)
            {
                var_H = 100.0;
            }
            else if (var_H < 0.0)
            {
                var_H = 0.0;
            }

            return var_H;
        }
#pragma warning restore IDE1006
    }
}
