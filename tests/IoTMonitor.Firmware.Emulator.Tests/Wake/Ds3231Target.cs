using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Host.Sensors;

namespace IoTMonitor.Firmware.Emulator.Tests.Wake;

/// <summary>The host's DS3231 register model (Host/Sensors/SimulatedDs3231) as a chip on the runtime model's I2C bus.</summary>
internal sealed class Ds3231Target(SimulatedDs3231 chip) : IModelI2cTarget
{
    public bool Acknowledges => chip.Acknowledges;

    public void Write(byte[] data, int count) => chip.Write(data, count);

    public void Read(byte[] into, int count) => chip.Read(into, count);
}
