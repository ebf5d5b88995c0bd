namespace IoTMonitor.Firmware.Core.Sensors.Analog
{
    /// <summary>
    /// The math of one analog probe: from the pin voltage to values in the quantity's unit, plus
    /// the fault states a voltage can show (rail = open or short circuit, beyond the curve = out
    /// of range). Pure: no I/O, no allocation.
    /// </summary>
    public interface IAnalogProbe
    {
        /// <summary>Values one conversion yields (EC probe: EC and TDS).</summary>
        int ChannelCount { get; }

        /// <summary>Converts <paramref name="volts"/> into <paramref name="values"/>; values are written when the result has one.</summary>
        ReadResult Convert(double volts, double[] values);
    }

    /// <summary>
    /// Open/short detection from the rail voltages. It assumes the input has a pull-down, so a cut
    /// cable reads near 0 V, and that a healthy probe never drives the ADC to its top (a short to
    /// the supply does). Set a limit to NaN to skip that check.
    /// </summary>
    public sealed class RailCheck
    {
        /// <summary>Creates a check: below <paramref name="openBelowVolts"/> open, above <paramref name="shortAboveVolts"/> short.</summary>
        public RailCheck(double openBelowVolts, double shortAboveVolts)
        {
            OpenBelowVolts = openBelowVolts;
            ShortAboveVolts = shortAboveVolts;
        }

        /// <summary>Readings below this are an open circuit.</summary>
        public double OpenBelowVolts { get; set; }

        /// <summary>Readings above this are a short to the supply.</summary>
        public double ShortAboveVolts { get; set; }

        /// <summary>OpenCircuit, ShortCircuit, or Ok.</summary>
        public ReadResult Check(double volts)
        {
            if (double.IsNaN(volts) || double.IsInfinity(volts))
            {
                return ReadResult.OutOfRange;
            }

            if (!double.IsNaN(OpenBelowVolts) && volts < OpenBelowVolts)
            {
                return ReadResult.OpenCircuit;
            }

            if (!double.IsNaN(ShortAboveVolts) && volts > ShortAboveVolts)
            {
                return ReadResult.ShortCircuit;
            }

            return ReadResult.Ok;
        }
    }
}
