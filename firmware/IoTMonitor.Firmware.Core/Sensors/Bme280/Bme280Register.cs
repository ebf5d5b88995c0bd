namespace IoTMonitor.Firmware.Core.Sensors.Bme280
{
    /// <summary>
    /// BME280 register addresses, named as in the datasheet's memory map (BST-BME280-DS002, §5.3,
    /// Table 18) so the code greps like the PDF.
    /// </summary>
#pragma warning disable CS1591 // the datasheet names are the documentation
    public enum Bme280Register : byte
    {
        DIG_T1 = 0x88,
        DIG_H1 = 0xA1,
        CHIP_ID = 0xD0,
        RESET = 0xE0,
        DIG_H2 = 0xE1,
        CTRL_HUM = 0xF2,
        STATUS = 0xF3,
        CTRL_MEAS = 0xF4,
        CONFIG = 0xF5,
        PRESS_MSB = 0xF7,
    }
#pragma warning restore CS1591

    /// <summary>Fixed values from the datasheet (BST-BME280-DS002 §5.4).</summary>
    public static class Bme280Constants
    {
        /// <summary>Primary I2C address (SDO to GND); 0x77 with SDO to VDDIO.</summary>
        public const int DefaultAddress = 0x76;

        /// <summary>Content of CHIP_ID on a BME280 (a BMP280 reads 0x58 and has no humidity).</summary>
        public const byte ChipId = 0x60;

        /// <summary>STATUS bit 3: a conversion is running.</summary>
        public const byte StatusMeasuring = 0x08;

        /// <summary>Bytes of the first calibration block, DIG_T1 (0x88) to DIG_H1 (0xA1).</summary>
        public const int CalibrationBlock1Length = 26;

        /// <summary>Bytes of the second calibration block, 0xE1 to 0xE7.</summary>
        public const int CalibrationBlock2Length = 7;

        /// <summary>Bytes of the data burst 0xF7–0xFE (press, temp, hum).</summary>
        public const int DataLength = 8;

        /// <summary>
        /// Value a skipped measurement leaves in the 20-bit result registers (osrs = 0): 0x80000.
        /// </summary>
        public const int SkippedAdc = 0x80000;

        /// <summary>
        /// Worst-case time of a forced measurement at ×1 oversampling for T, P and H: 1.25 + 2.3 +
        /// (2.3 + 0.575) + (2.3 + 0.575) = 9.3 ms (datasheet §9.1 formula; computed in the reference),
        /// rounded up.
        /// </summary>
        public const int MeasurementMs = 10;
    }
}
