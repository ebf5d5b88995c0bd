namespace IoTMonitor.Firmware.Core.Sensors.Calibration
{
    /// <summary>
    /// Optional ability of a probe: it can describe its calibration steps and take a record.
    /// Until a record is applied it runs on the vendor defaults and <see cref="CalibrationId"/> is
    /// null, which the node turns into the UNCALIBRATED quality flag.
    /// </summary>
    public interface ICalibratable
    {
        /// <summary>The kind of record <see cref="Apply"/> takes.</summary>
        CalibrationKind CalibrationKind { get; }

        /// <summary>A fresh procedure for a technician to walk through.</summary>
        CalibrationProcedure CreateProcedure();

        /// <summary>Applies a record (from the procedure or from the config); the old one stays on failure.</summary>
        CalibrationResult Apply(CalibrationRecord record);

        /// <summary>Id of the applied record, or null on vendor defaults.</summary>
        string CalibrationId { get; }
    }
}
