using IoTMonitor.Firmware.Core.Sensors.Calibration;

namespace IoTMonitor.Firmware.Core.Sensors.Analog
{
    /// <summary>
    /// A 4–20 mA level transmitter read across a shunt: I = V/R, level = LRV + (I − 4)/16·(URV − LRV)
    /// metres (reference B7). Loop faults follow NAMUR NE43: below 3.6 mA is an open loop (a cut
    /// cable reads 0), above 21 mA a short; 3.6–3.8 and 20.5–21 mA are the transmitter signalling
    /// trouble (value kept, SENSOR_FAULT); 3.8–4 and 20–20.5 mA are its saturation bands, beyond the
    /// span (value kept, OUT_OF_RANGE).
    /// </summary>
    /// <remarks>
    /// Shunt choice: 150 Ω gives 3.0 V at 20 mA, beyond the ESP32's accurate 2.45 V at 11 dB; 120 Ω
    /// gives 0.48–2.40 V, 100 Ω 0.40–2.00 V (computed in the reference).
    /// </remarks>
    public sealed class CurrentLoopLevelProbe : IAnalogProbe, ICalibratable
    {
#pragma warning disable CS1591 // NE43 limits, mA
        public const double OpenBelowMa = 3.6;
        public const double ShortAboveMa = 21.0;
        public const double SaturationLowMa = 3.8;
        public const double SaturationHighMa = 20.5;
#pragma warning restore CS1591

        private double _offsetM;
        private double _metresPerMa;

        /// <summary>Creates the probe: shunt in ohms, level at 4 mA (LRV) and at 20 mA (URV) in metres.</summary>
        public CurrentLoopLevelProbe(double shuntOhms, double lowerRangeM, double upperRangeM)
        {
            ShuntOhms = shuntOhms;
            _metresPerMa = (upperRangeM - lowerRangeM) / 16.0;
            _offsetM = lowerRangeM - (4.0 * _metresPerMa);
        }

        /// <summary>Shunt resistance, Ω.</summary>
        public double ShuntOhms { get; private set; }

        /// <summary>Loop current of the last conversion, mA.</summary>
        public double LastMilliamps { get; private set; }

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
            get { return CalibrationKind.Level; }
        }

        /// <inheritdoc />
        public ReadResult Convert(double volts, double[] values)
        {
            if (!(ShuntOhms > 0) || double.IsNaN(volts) || double.IsInfinity(volts))
            {
                return ReadResult.Fault;
            }

            double ma = volts / ShuntOhms * 1000.0;
            LastMilliamps = ma;
            if (ma < OpenBelowMa)
            {
                return ReadResult.OpenCircuit;
            }

            if (ma > ShortAboveMa)
            {
                return ReadResult.ShortCircuit;
            }

            values[0] = _offsetM + (ma * _metresPerMa);
            if (ma < SaturationLowMa || ma > SaturationHighMa)
            {
                return ReadResult.FaultWithValue;
            }

            return ma < 4.0 || ma > 20.0 ? ReadResult.OutOfRange : ReadResult.Ok;
        }

        /// <summary>Two steps at known depths (e.g. probe just submerged, then at a surveyed depth).</summary>
        public CalibrationProcedure CreateProcedure()
        {
            return new CalibrationProcedure(CalibrationKind.Level, new CalibrationStep[]
            {
                new CalibrationStep("Set the level to a known low value (sensor just submerged); enter it", 0.0, "m", double.NaN, double.NaN),
                new CalibrationStep("Set the level to a known high value; enter it", 1.0, "m", double.NaN, double.NaN),
            }, 0);
        }

        /// <summary>Takes two (volts, metres) points; the loop-fault limits stay on the current.</summary>
        public CalibrationResult Apply(CalibrationRecord record)
        {
            if (record == null || record.Kind != CalibrationKind.Level)
            {
                return CalibrationResult.WrongKind;
            }

            if (record.PointCount != 2 || record.Raw(0) == record.Raw(1) || !(ShuntOhms > 0))
            {
                return CalibrationResult.Degenerate;
            }

            double ma0 = record.Raw(0) / ShuntOhms * 1000.0;
            double ma1 = record.Raw(1) / ShuntOhms * 1000.0;
            _metresPerMa = (record.Reference(1) - record.Reference(0)) / (ma1 - ma0);
            _offsetM = record.Reference(0) - (ma0 * _metresPerMa);
            CalibrationId = record.Id;
            return CalibrationResult.Ok;
        }
    }
}
