namespace IoTMonitor.Firmware.Core.Sensors.Scd4x
{
    /// <summary>
    /// SCD4x I2C command codes and execution times (Sensirion SCD4x datasheet v1.3, §3.4 Table 9
    /// "List of SCD4x sensor commands"). Names are the datasheet's command names.
    /// </summary>
    public static class Scd4xCommand
    {
        /// <summary>I2C address of every SCD4x.</summary>
        public const int Address = 0x62;

#pragma warning disable CS1591 // datasheet command names
        public const int start_periodic_measurement = 0x21B1;
        public const int read_measurement = 0xEC05;
        public const int stop_periodic_measurement = 0x3F86;
        public const int get_data_ready_status = 0xE4B8;
        public const int set_ambient_pressure = 0xE000;
        public const int get_serial_number = 0x3682;
        public const int start_low_power_periodic_measurement = 0x21AC;
        public const int perform_forced_recalibration = 0x362F;
        public const int persist_settings = 0x3615;
        public const int set_automatic_self_calibration_enabled = 0x2416;
        public const int get_automatic_self_calibration_enabled = 0x2313;
        public const int measure_single_shot = 0x219D;
        public const int power_down = 0x36E0;
        public const int wake_up = 0x36F6;
#pragma warning restore CS1591

        /// <summary>Wait after stop_periodic_measurement before the next command.</summary>
        public const int StopMs = 500;

        /// <summary>Execution time of read_measurement and get_data_ready_status.</summary>
        public const int ReadMs = 1;

        /// <summary>First measurement after start_periodic_measurement (signal update interval 5 s).</summary>
        public const int FirstMeasurementMs = 5000;

        /// <summary>Max. command duration of measure_single_shot (SCD41 only; datasheet v1.3 §3.10.1, Table 28).</summary>
        public const int SingleShotMs = 5000;
    }
}
