using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Host.Sensors;

namespace IoTMonitor.Firmware.Emulator.Tests.Wake;

/// <summary>
/// The host's SCD41 model (Host/Sensors/SimulatedScd41: Sensirion SCD4x datasheet v1.3 — 1000 ms from
/// power-up to idle §3.1, measure_single_shot 0x219D busy for 5000 ms §3.10.1, read_measurement 0xEC05
/// NACKs on an empty buffer and empties it §3.5.2, CRC-8 0x31 init 0xFF per word §3.11, the first
/// shot after a power cycle off by <see cref="SimulatedScd41.FirstShotErrorPpm"/> §3.10) as a chip on
/// the runtime model's I2C bus, powered by the air board's 3V3_SENS: its rail follows GPIO25
/// (hardware/air/pinmap.csv, sensor_power_en), which deep sleep and every reset drive low.
/// </summary>
internal sealed class Scd41Target : IModelI2cTarget
{
    /// <summary>The air board's sensor_power_en (hardware/air/pinmap.csv).</summary>
    public const int RailGpio = 25;

    private readonly SimulatedScd41 _chip;

    public Scd41Target(Esp32Device node, Func<double> co2Ppm, double firstShotErrorPpm = 150)
    {
        Rail = new SimulatedRail(() => node.TrueMs);
        _chip = new SimulatedScd41(Rail, co2Ppm, firstShotErrorPpm);
        node.OutputChanged += (pin, high) =>
        {
            if (pin == RailGpio)
            {
                Rail.Set(high);
            }
        };
    }

    public SimulatedRail Rail { get; }

    public SimulatedScd41 Chip => _chip;

    public bool Acknowledges => Rail.IsOn && _chip.Acknowledges;

    public void Write(byte[] data, int count) => _chip.Write(data, count);

    public void Read(byte[] into, int count) => _chip.Read(into, count);
}
