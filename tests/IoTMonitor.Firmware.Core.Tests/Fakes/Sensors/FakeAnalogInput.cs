using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

/// <summary>An ADC channel whose voltage the test sets; <see cref="Fails"/> makes reads fail.</summary>
public sealed class FakeAnalogInput : IAnalogInput
{
    public double Volts { get; set; }

    /// <summary>When set, read n gets Sequence(n) instead of <see cref="Volts"/>.</summary>
    public Func<int, double>? Sequence { get; set; }

    public bool Fails { get; set; }

    public int Reads { get; private set; }

    public bool TryReadVolts(out double volts)
    {
        volts = Sequence?.Invoke(Reads) ?? Volts;
        Reads++;
        return !Fails;
    }
}
