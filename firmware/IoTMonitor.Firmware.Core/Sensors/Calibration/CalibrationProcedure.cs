namespace IoTMonitor.Firmware.Core.Sensors.Calibration
{
    /// <summary>
    /// One step a technician performs: put the probe in a standard (buffer, solution, air, water)
    /// and capture the raw value. <see cref="MinRaw"/>/<see cref="MaxRaw"/> bound what a healthy
    /// probe reads there (NaN: no bound).
    /// </summary>
    public sealed class CalibrationStep
    {
        /// <summary>Creates a step.</summary>
        public CalibrationStep(string instruction, double referenceValue, string unit, double minRaw, double maxRaw)
        {
            Instruction = instruction;
            ReferenceValue = referenceValue;
            Unit = unit;
            MinRaw = minRaw;
            MaxRaw = maxRaw;
        }

        /// <summary>What to do, shown in the calibration UI.</summary>
        public string Instruction { get; private set; }

        /// <summary>The standard's value (pH 7.00, 1413 µS/cm, 0 % …); for DO the technician enters the water temperature instead.</summary>
        public double ReferenceValue { get; private set; }

        /// <summary>Unit of <see cref="ReferenceValue"/>.</summary>
        public string Unit { get; private set; }

        /// <summary>Lowest acceptable raw value (NaN: none).</summary>
        public double MinRaw { get; private set; }

        /// <summary>Highest acceptable raw value (NaN: none).</summary>
        public double MaxRaw { get; private set; }
    }

    /// <summary>
    /// A calibration as data: the steps, the values captured so far, and the record it produces.
    /// The UI (or the node's serial console) walks the steps; nothing here blocks or talks to a bus.
    /// </summary>
    public sealed class CalibrationProcedure
    {
        private readonly double[] _raw;
        private readonly double[] _reference;
        private readonly bool[] _captured;

        /// <summary>Creates a procedure of <paramref name="kind"/> with <paramref name="steps"/>.</summary>
        public CalibrationProcedure(CalibrationKind kind, CalibrationStep[] steps, double tempCoeff)
        {
            Kind = kind;
            Steps = steps;
            TempCoeff = tempCoeff;
            _raw = new double[steps.Length];
            _reference = new double[steps.Length];
            _captured = new bool[steps.Length];
        }

        /// <summary>Kind of the record this produces.</summary>
        public CalibrationKind Kind { get; private set; }

        /// <summary>The steps in order.</summary>
        public CalibrationStep[] Steps { get; private set; }

        /// <summary>Temperature coefficient written into the record.</summary>
        public double TempCoeff { get; private set; }

        /// <summary>True when every step has a captured value.</summary>
        public bool IsComplete
        {
            get
            {
                for (int i = 0; i < _captured.Length; i++)
                {
                    if (!_captured[i])
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        /// <summary>Captures the raw value of step <paramref name="step"/> with the step's reference value.</summary>
        public CalibrationResult Capture(int step, double raw)
        {
            return step >= 0 && step < Steps.Length ? Capture(step, raw, Steps[step].ReferenceValue) : CalibrationResult.Degenerate;
        }

        /// <summary>
        /// Captures step <paramref name="step"/> with a reference measured on site (the DO step's
        /// water temperature, a surveyed depth). Refused outside the step's window.
        /// </summary>
        public CalibrationResult Capture(int step, double raw, double reference)
        {
            if (step < 0 || step >= Steps.Length || double.IsNaN(raw) || double.IsInfinity(raw))
            {
                return CalibrationResult.Degenerate;
            }

            CalibrationStep s = Steps[step];
            if ((!double.IsNaN(s.MinRaw) && raw < s.MinRaw) || (!double.IsNaN(s.MaxRaw) && raw > s.MaxRaw))
            {
                return CalibrationResult.OutOfWindow;
            }

            _raw[step] = raw;
            _reference[step] = reference;
            _captured[step] = true;
            return CalibrationResult.Ok;
        }

        /// <summary>
        /// Builds the record once every step is captured. <paramref name="id"/> null or empty takes
        /// <see cref="CalibrationRecord.MakeId"/>; an id longer than 32 characters is refused
        /// (Degenerate), as are two steps with the same raw value.
        /// </summary>
        public CalibrationResult TryBuildRecord(string id, long createdUnixSeconds, double temperatureC, out CalibrationRecord record)
        {
            record = null;
            if (!IsComplete)
            {
                return CalibrationResult.Incomplete;
            }

            if (id == null || id.Length == 0)
            {
                id = CalibrationRecord.MakeId(Kind, createdUnixSeconds);
            }

            if (id.Length > CalibrationRecord.MaxIdLength)
            {
                return CalibrationResult.Degenerate;
            }

            for (int i = 0; i < _raw.Length; i++)
            {
                for (int j = i + 1; j < _raw.Length; j++)
                {
                    if (_raw[i] == _raw[j])
                    {
                        return CalibrationResult.Degenerate;
                    }
                }
            }

            record = new CalibrationRecord(id, Kind, _raw, _reference, _raw.Length, TempCoeff, temperatureC, createdUnixSeconds);
            return CalibrationResult.Ok;
        }
    }
}
