using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>A device on a <see cref="SimulatedI2cBus"/>: a register file the bus writes and reads.</summary>
public interface ISimulatedI2cDevice
{
    /// <summary>False when the device does not acknowledge its address (failed, unpowered).</summary>
    bool Acknowledges { get; }

    /// <summary>The master wrote <paramref name="count"/> bytes (register pointer, then data).</summary>
    void Write(byte[] data, int count);

    /// <summary>The master reads <paramref name="count"/> bytes from the current register pointer.</summary>
    void Read(byte[] into, int count);
}

/// <summary>An I2C bus of a virtual node: routes each transfer to the device at its address; NACK when none.</summary>
public sealed class SimulatedI2cBus : II2cBus
{
    private readonly Dictionary<int, ISimulatedI2cDevice> _devices = new();

    public void Attach(int address, ISimulatedI2cDevice device) => _devices[address] = device;

    public ReadResult WriteRead(int address, byte[] write, int writeCount, byte[] read, int readCount)
    {
        if (!_devices.TryGetValue(address, out var device) || !device.Acknowledges)
        {
            return ReadResult.NoResponse;
        }

        if (writeCount > 0)
        {
            device.Write(write, writeCount);
        }

        if (readCount > 0)
        {
            device.Read(read, readCount);
        }

        return ReadResult.Ok;
    }
}
