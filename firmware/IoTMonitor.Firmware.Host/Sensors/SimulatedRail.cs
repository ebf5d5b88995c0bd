using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// A switched sensor supply (the enable GPIOs of hardware/*/pinmap.csv, e.g. 3V3_SENS on GPIO25 for the
/// air node's BME280 and SCD41): the devices on it are powered from the moment it goes on, and lose all
/// state when it goes off.
/// </summary>
public sealed class SimulatedRail(Func<long> millis)
{
    /// <summary>Clock time the rail last came on, −1 while off.</summary>
    public long OnSinceMs { get; private set; } = -1;

    /// <summary>Times the rail went from off to on.</summary>
    public int SwitchOns { get; private set; }

    public bool IsOn => OnSinceMs >= 0;

    /// <summary>Time since the rail came on, ms; −1 while off.</summary>
    public long PoweredMs => IsOn ? millis() - OnSinceMs : -1;

    public long Now => millis();

    public void Set(bool on)
    {
        if (on && OnSinceMs < 0)
        {
            OnSinceMs = millis();
            SwitchOns++;
        }
        else if (!on)
        {
            OnSinceMs = -1;
        }
    }
}

/// <summary>
/// An I2C device behind a <see cref="SimulatedRail"/>: it acknowledges nothing while the rail is off or
/// before its datasheet start-up time has passed (BME280: t_startup 2 ms, BST-BME280-DS002 Table 1),
/// and counts the transfers it refused for that reason.
/// </summary>
public sealed class RailPoweredI2cDevice(ISimulatedI2cDevice device, SimulatedRail rail, int startUpMs) : ISimulatedI2cDevice
{
    /// <summary>Transfers addressed to the device while it was unpowered or still starting up.</summary>
    public int RefusedBeforeStartUp { get; private set; }

    public bool Acknowledges
    {
        get
        {
            if (rail.PoweredMs < startUpMs)
            {
                RefusedBeforeStartUp++;
                return false;
            }

            return device.Acknowledges;
        }
    }

    public void Write(byte[] data, int count) => device.Write(data, count);

    public void Read(byte[] into, int count) => device.Read(into, count);
}
