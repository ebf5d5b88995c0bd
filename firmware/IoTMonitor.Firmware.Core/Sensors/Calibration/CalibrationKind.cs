namespace IoTMonitor.Firmware.Core.Sensors.Calibration
{
    /// <summary>
    /// What a calibration record calibrates; the node config's <c>calibration.kind</c>
    /// (<c>linear|ph|ec|do|moisture|level</c>).
    /// </summary>
    public enum CalibrationKind
    {
        /// <summary>(volts, value) points, piecewise linear: turbidity standards (≥ 2), battery divider (1 point: a ratio).</summary>
        Linear = 0,

        /// <summary>pH buffers: (volts, pH) at 2 or 3 points.</summary>
        Ph = 1,

        /// <summary>EC standard solutions: (volts, µS/cm at 25 °C), one point (cell factor K) or two (K per range).</summary>
        Ec = 2,

        /// <summary>Dissolved oxygen, air-saturated water: (volts, water °C) at 1 or 2 temperatures.</summary>
        Do = 3,

        /// <summary>Soil moisture: (volts, %VWC) in dry air (0) and in water (100).</summary>
        Moisture = 4,

        /// <summary>Level: (volts, metres) at two known depths.</summary>
        Level = 5,
    }

    /// <summary>Config names of <see cref="CalibrationKind"/> and the point counts each kind takes.</summary>
    public static class CalibrationKinds
    {
        private static readonly string[] Names = { "linear", "ph", "ec", "do", "moisture", "level" };

        // One table for the config parser (error 9 at load time) and the probes' Apply (Degenerate),
        // so a record the parser accepts is one the probe of that kind can take.
        private static readonly int[] Min = { 1, 2, 1, 1, 2, 2 };
        private static readonly int[] Max = { CalibrationRecord.MaxPoints, 3, 2, 2, 2, 2 };

        /// <summary>The config name of <paramref name="kind"/>.</summary>
        public static string Name(CalibrationKind kind)
        {
            int i = (int)kind;
            return i >= 0 && i < Names.Length ? Names[i] : "linear";
        }

        /// <summary>Fewest points a record of <paramref name="kind"/> needs.</summary>
        public static int MinPoints(CalibrationKind kind)
        {
            int i = (int)kind;
            return i >= 0 && i < Min.Length ? Min[i] : 1;
        }

        /// <summary>Most points a record of <paramref name="kind"/> may have.</summary>
        public static int MaxPoints(CalibrationKind kind)
        {
            int i = (int)kind;
            return i >= 0 && i < Max.Length ? Max[i] : CalibrationRecord.MaxPoints;
        }

        /// <summary>True when <paramref name="count"/> points suit <paramref name="kind"/>.</summary>
        public static bool PointCountFits(CalibrationKind kind, int count)
        {
            return count >= MinPoints(kind) && count <= MaxPoints(kind);
        }

        /// <summary>Parses a config name; false for an unknown one.</summary>
        public static bool TryParse(string name, out CalibrationKind kind)
        {
            for (int i = 0; i < Names.Length; i++)
            {
                if (Names[i] == name)
                {
                    kind = (CalibrationKind)i;
                    return true;
                }
            }

            kind = CalibrationKind.Linear;
            return false;
        }
    }

    /// <summary>Outcome of a calibration step or of building/applying a record.</summary>
    public enum CalibrationResult
    {
        /// <summary>Accepted.</summary>
        Ok = 0,

        /// <summary>A step has not been captured yet.</summary>
        Incomplete = 1,

        /// <summary>The raw value is outside the step's acceptance window (wrong buffer, probe fault).</summary>
        OutOfWindow = 2,

        /// <summary>Points that cannot define a curve (same raw value twice, too few points).</summary>
        Degenerate = 3,

        /// <summary>The record is for another kind of probe.</summary>
        WrongKind = 4,

        /// <summary>The fitted factor is outside what the probe family accepts (e.g. EC cell constant K).</summary>
        OutOfLimits = 5,
    }
}
