using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Sensors.Calibration
{
    /// <summary>
    /// Writes a <see cref="CalibrationRecord"/> as the <c>calibration</c> object of a sensor entry
    /// in the device config (docs/config.md), the form Config/ConfigParser reads back. This is how a
    /// record captured on site (<see cref="CalibrationProcedure"/>, from the serial console or
    /// <c>iotmon</c>) reaches the config file in flash, so it survives deep sleep and power loss.
    /// Numbers are rounded to 6 decimals (µV for volts), which the round trip keeps.
    /// </summary>
    public static class CalibrationRecordWriter
    {
        /// <summary>Decimals of points and tempCoeff.</summary>
        public const int Decimals = 6;

        /// <summary>
        /// Writes <paramref name="record"/> at <paramref name="offset"/>; returns the byte count, or
        /// -1 when it does not fit in <paramref name="capacity"/> bytes.
        /// </summary>
        public static int Write(CalibrationRecord record, byte[] buffer, int offset, int capacity)
        {
            Utf8Writer w = new Utf8Writer();
            w.Reset(buffer, offset, capacity);
            w.Ascii("{\"id\":");
            w.String(record.Id);
            w.Ascii(",\"kind\":\"");
            w.Ascii(CalibrationKinds.Name(record.Kind));
            w.Ascii("\",\"points\":[");
            for (int i = 0; i < record.PointCount; i++)
            {
                w.Ascii(i == 0 ? "[" : ",[");
                w.Fixed(record.Raw(i), Decimals);
                w.Byte(',');
                w.Fixed(record.Reference(i), Decimals);
                w.Byte(']');
            }

            w.Ascii("],\"tempCoeff\":");
            w.Fixed(record.TempCoeff, Decimals);
            w.Ascii(",\"tempC\":");
            w.Fixed(record.TemperatureC, 2);
            w.Ascii(",\"at\":");
            w.Int(record.CreatedUnixSeconds);
            w.Byte('}');
            return w.Overflow ? -1 : w.Length;
        }
    }
}
