using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Time;

namespace IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

/// <summary>
/// A board with every bus on every pin, none of them answering: enough for the catalog to build
/// any driver. Self-contained so the host and ESP32 test projects can link it. Records what the
/// catalog asked for.
/// </summary>
public sealed class StubBuses : IBusProvider, IClock
{
    public List<string> Requests { get; } = [];

    /// <summary>Pins (GPIO) that have no ADC on this board: Analog gives null.</summary>
    public HashSet<int> MissingAnalog { get; } = [];

    public bool HasI2c { get; set; } = true;

    public long Millis => 0;

    public long UtcSeconds => 0;

    public void Sleep(int ms)
    {
    }

    public IAnalogInput? Analog(int pin)
    {
        Requests.Add($"adc {pin}");
        return MissingAnalog.Contains(pin) ? null : new Pin();
    }

    public II2cBus? I2c(int bus)
    {
        Requests.Add($"i2c {bus}");
        return HasI2c ? new Silent() : null;
    }

    public IUart Uart(int tx, int rx, int baudRate)
    {
        Requests.Add($"uart {tx}/{rx} {baudRate}");
        return new Silent();
    }

    public IOneWireBus OneWire(int tx, int rx)
    {
        Requests.Add($"1-wire {tx}/{rx}");
        return new Silent();
    }

    private sealed class Pin : IAnalogInput
    {
        public bool TryReadVolts(out double volts)
        {
            volts = 1.5;
            return true;
        }
    }

    private sealed class Silent : II2cBus, IUart, IOneWireBus
    {
        public ReadResult WriteRead(int address, byte[] write, int writeCount, byte[] read, int readCount) => ReadResult.NoResponse;

        public int Read(byte[] buffer, int offset, int count) => 0;

        public void Write(byte[] buffer, int offset, int count)
        {
        }

        public void DiscardInput()
        {
        }

        public bool Reset() => false;

        public void WriteByte(byte value)
        {
        }

        public byte ReadByte() => 0xFF;
    }
}
