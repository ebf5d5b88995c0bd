using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// One ADC pin of a virtual node: the voltage a real probe board would put on it for the
/// simulated quantity (see <see cref="ProbeTransfer"/>), with ADC noise, and the pin at 0 V (the
/// input's pull-down, what the drivers' open-circuit check expects) when the probe has failed.
/// </summary>
public sealed class SimulatedAnalogInput : IAnalogInput
{
    /// <summary>ESP32 ADC full scale with 11 dB attenuation, volts.</summary>
    public const double FullScaleVolts = 3.3;

    private readonly Func<long> _utc;
    private readonly Func<long, double> _quantityAt;
    private readonly Func<double, long, double> _toVolts;
    private readonly ProbeFault _fault;
    private readonly Random _noise;
    private readonly double _noiseVolts;

    /// <param name="utc">Simulated time now (node's true clock), seconds.</param>
    /// <param name="quantityAt">The physical value at a time (pH, µS/cm, NTU, …).</param>
    /// <param name="toVolts">The probe board's transfer: (value, time) → pin volts.</param>
    public SimulatedAnalogInput(Func<long> utc, Func<long, double> quantityAt, Func<double, long, double> toVolts, ProbeFault? fault = null, int seed = 0, double noiseVolts = 0.002)
    {
        _utc = utc;
        _quantityAt = quantityAt;
        _toVolts = toVolts;
        _fault = fault ?? ProbeFault.None;
        _noise = new Random(seed);
        _noiseVolts = noiseVolts;
    }

    /// <summary>Reads taken (for tests).</summary>
    public int Reads { get; private set; }

    public bool TryReadVolts(out double volts)
    {
        Reads++;
        var t = _utc();
        if (_fault.IsFailed(t))
        {
            volts = 0;
            return true;
        }

        var value = _fault.Apply(t, _quantityAt(t), _quantityAt);
        volts = _toVolts(value, t);
        if (_fault.Kind != ProbeFaultKind.Stuck || !_fault.IsActive(t))
        {
            volts += (_noise.NextDouble() - 0.5) * 2 * _noiseVolts;
        }

        volts = Math.Clamp(volts, 0, FullScaleVolts);
        return true;
    }
}
