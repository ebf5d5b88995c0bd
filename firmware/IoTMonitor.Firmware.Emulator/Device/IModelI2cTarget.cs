namespace IoTMonitor.Firmware.Emulator.Device;

/// <summary>
/// A chip on the model's I2C bus (<see cref="Esp32Device.I2cTargets"/>, by 7-bit address): what the
/// app's System.Device.I2c transfers reach. An address with no target, or one that does not
/// acknowledge, NACKs as on an empty bus.
/// </summary>
public interface IModelI2cTarget
{
    /// <summary>False when the chip does not acknowledge its address (unpowered, failed).</summary>
    bool Acknowledges { get; }

    /// <summary>The master wrote <paramref name="count"/> bytes (register pointer, then data).</summary>
    void Write(byte[] data, int count);

    /// <summary>The master reads <paramref name="count"/> bytes from the current register pointer.</summary>
    void Read(byte[] into, int count);
}
