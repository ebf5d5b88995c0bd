using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Sensors.Analog
{
    /// <summary>
    /// Galvanic dissolved-oxygen probe (DFRobot SEN0237, 0–3.0 V): DO = V·C_sat(T)/V_sat(T), with
    /// C_sat from the vendor's saturation table (µg/L per whole °C, 0–40 °C, sea level; origin
    /// unconfirmed, reference B7) interpolated linearly between degrees, and V_sat the probe's
    /// voltage in air-saturated water from calibration: one point, V_sat = V1 + 35 mV·(T − T1);
    /// two points, the line through both. Optional pressure factor (P·0.0987 − 0.0112)/100 (USGS
    /// memo 81.11 form) for sites above sea level. Output mg/L.
    /// </summary>
    /// <remarks>
    /// No vendor default can stand in for calibration (V_sat depends on the membrane and
    /// electrolyte), so an uncalibrated probe returns <see cref="ReadResult.Fault"/>, not a number.
    /// </remarks>
    public sealed class DissolvedOxygenProbe : IAnalogProbe, ICalibratable, ITemperatureCompensated
    {
        /// <summary>Saturation change per °C of the one-point formula, mV.</summary>
        public const double OnePointMvPerC = 35.0;

        /// <summary>Saturated DO in µg/L at 0, 1, … 40 °C (DFRobot SEN0237 sample code, reference B7).</summary>
        private static readonly double[] DoTable =
        {
            14460, 14220, 13820, 13440, 13090, 12740, 12420, 12110, 11810, 11530,
            11260, 11010, 10770, 10530, 10300, 10080, 9860, 9660, 9460, 9270,
            9080, 8900, 8730, 8570, 8410, 8250, 8110, 7960, 7820, 7690,
            7560, 7430, 7300, 7180, 7070, 6950, 6840, 6730, 6630, 6530, 6410,
        };

        private double _cal1Mv;
        private double _cal1T;
        private double _cal2Mv;
        private double _cal2T;
        private int _points;

        /// <summary>Creates an uncalibrated probe.</summary>
        public DissolvedOxygenProbe()
        {
            TemperatureC = 25.0;
            PressureHpa = double.NaN;
            Rails = new RailCheck(double.NaN, 3.1);
        }

        /// <summary>Water temperature, °C.</summary>
        public double TemperatureC { get; set; }

        /// <summary>Barometric pressure, hPa (e.g. from a BME280); NaN for sea level.</summary>
        public double PressureHpa { get; set; }

        /// <summary>Open/short detection (0 V is anoxic water, so only the top is checked).</summary>
        public RailCheck Rails { get; private set; }

        /// <inheritdoc />
        public int ChannelCount
        {
            get { return 1; }
        }

        /// <inheritdoc />
        public string CalibrationId { get; private set; }

        /// <inheritdoc />
        public CalibrationKind CalibrationKind
        {
            get { return CalibrationKind.Do; }
        }

        /// <summary>
        /// Saturated DO at sea level, mg/L, interpolated; false outside 0–40 °C (the table's ends
        /// are returned).
        /// </summary>
        public static bool TrySaturationMgPerL(double temperatureC, out double mgPerL)
        {
            if (!(temperatureC >= 0))
            {
                mgPerL = DoTable[0] / 1000.0;
                return false;
            }

            if (temperatureC >= 40)
            {
                mgPerL = DoTable[40] / 1000.0;
                return temperatureC == 40;
            }

            int i = (int)temperatureC;
            double f = temperatureC - i;
            mgPerL = (DoTable[i] + (f * (DoTable[i + 1] - DoTable[i]))) / 1000.0;
            return true;
        }

        /// <summary>USGS memo 81.11 form of the pressure correction: (P_mbar·0.0987 − 0.0112)/100.</summary>
        public static double PressureFactor(double hPa)
        {
            return ((hPa * 0.0987) - 0.0112) / 100.0;
        }

        /// <inheritdoc />
        public ReadResult Convert(double volts, double[] values)
        {
            if (_points == 0)
            {
                return ReadResult.Fault;
            }

            ReadResult rail = Rails.Check(volts);
            if (rail != ReadResult.Ok)
            {
                return rail;
            }

            double vSat = _points == 1
                ? _cal1Mv + (OnePointMvPerC * (TemperatureC - _cal1T))
                : _cal2Mv + ((TemperatureC - _cal2T) * (_cal1Mv - _cal2Mv) / (_cal1T - _cal2T));
            if (!(vSat > 0))
            {
                return ReadResult.Fault;
            }

            double cSat;
            bool inTable = TrySaturationMgPerL(TemperatureC, out cSat);
            if (!double.IsNaN(PressureHpa))
            {
                cSat *= PressureFactor(PressureHpa);
            }

            double mgPerL = volts * 1000.0 * cSat / vSat;
            values[0] = mgPerL;
            return !inTable || mgPerL < 0 || mgPerL > 25 ? ReadResult.OutOfRange : ReadResult.Ok;
        }

        /// <summary>One-point procedure: probe in air-saturated water; the technician enters its temperature.</summary>
        public CalibrationProcedure CreateProcedure()
        {
            return new CalibrationProcedure(CalibrationKind.Do, new CalibrationStep[]
            {
                new CalibrationStep("Put the probe in air-saturated water (stirred or aerated), wait for a stable reading, enter the water temperature", 25.0, "°C", 0.0, 3.0),
            }, 0);
        }

        /// <summary>Two-point procedure: saturated water at two temperatures at least a few degrees apart.</summary>
        public CalibrationProcedure CreateTwoPointProcedure()
        {
            return new CalibrationProcedure(CalibrationKind.Do, new CalibrationStep[]
            {
                new CalibrationStep("Air-saturated warm water: wait for a stable reading, enter the water temperature", 25.0, "°C", 0.0, 3.0),
                new CalibrationStep("Air-saturated cool water: wait for a stable reading, enter the water temperature", 15.0, "°C", 0.0, 3.0),
            }, 0);
        }

        /// <summary>Takes 1 or 2 (volts, °C) points; two points need different temperatures.</summary>
        public CalibrationResult Apply(CalibrationRecord record)
        {
            if (record == null || record.Kind != CalibrationKind.Do)
            {
                return CalibrationResult.WrongKind;
            }

            int n = record.PointCount;
            if (n < 1 || n > 2 || !(record.Raw(0) > 0) || (n == 2 && (record.Reference(0) == record.Reference(1) || !(record.Raw(1) > 0))))
            {
                return CalibrationResult.Degenerate;
            }

            _cal1Mv = record.Raw(0) * 1000.0;
            _cal1T = record.Reference(0);
            if (n == 2)
            {
                _cal2Mv = record.Raw(1) * 1000.0;
                _cal2T = record.Reference(1);
            }

            _points = n;
            CalibrationId = record.Id;
            return CalibrationResult.Ok;
        }
    }
}
