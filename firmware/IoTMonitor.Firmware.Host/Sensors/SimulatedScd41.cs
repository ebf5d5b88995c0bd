using IoTMonitor.Firmware.Core.Sensors.Scd4x;
using IoTMonitor.Firmware.Core.Sensors.Sensirion;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// An SCD41 on a switched rail as its datasheet describes it (Sensirion SCD4x datasheet v1.3): no
/// acknowledge until 1000 ms after power-up (§3.1); measure_single_shot 0x219D takes 5000 ms, during
/// which it acknowledges no command (§3.3, Table 28); read_measurement 0xEC05 NACKs while the buffer is
/// empty, and the buffer empties on read-out (§3.5.2); every word carries the Sensirion CRC-8 (§3.11).
/// The datasheet says only that the first single shot after a power cycle "should be discarded to
/// maximize accuracy" (§3.10), not by how much it is off: the model adds <see cref="FirstShotErrorPpm"/>
/// to it, so a test can see whether it was dropped. Temperature 25 °C and RH 50 % are fixed.
/// </summary>
public sealed class SimulatedScd41 : ISimulatedI2cDevice
{
    private readonly SimulatedRail _rail;
    private readonly Func<double> _co2Ppm;
    private readonly byte[] _reply = new byte[9];
    private long _seenOnSince = -2;
    private long _shotEndsMs = -1;
    private bool _hasData;
    private bool _readPending;
    private int _shotsSincePowerUp;

    public SimulatedScd41(SimulatedRail rail, Func<double> co2Ppm, double firstShotErrorPpm = 150)
    {
        _rail = rail;
        _co2Ppm = co2Ppm;
        FirstShotErrorPpm = firstShotErrorPpm;
    }

    public double FirstShotErrorPpm { get; }

    /// <summary>Transfers refused because the sensor had not reached its idle state after power-up.</summary>
    public int RefusedBeforeIdle { get; private set; }

    /// <summary>Transfers refused because a single shot was still running.</summary>
    public int RefusedWhileMeasuring { get; private set; }

    /// <summary>Single shots started since the last power-up.</summary>
    public int ShotsSincePowerUp => _shotsSincePowerUp;

    public bool Acknowledges
    {
        get
        {
            TrackPower();
            if (_rail.PoweredMs < SensorSettleFigures.PowerUpMs)
            {
                RefusedBeforeIdle++;
                return false;
            }

            if (_shotEndsMs >= 0 && _rail.Now < _shotEndsMs)
            {
                RefusedWhileMeasuring++;
                return false;
            }

            // read_measurement with nothing in the buffer: NACK on the read header (§3.5.2).
            return !(_readPending && !_hasData);
        }
    }

    public void Write(byte[] data, int count)
    {
        if (count < 2)
        {
            return;
        }

        int command = (data[0] << 8) | data[1];
        _readPending = false;
        if (command == Scd4xCommand.measure_single_shot)
        {
            _shotEndsMs = _rail.Now + Scd4xCommand.SingleShotMs;
            _shotsSincePowerUp++;
            double co2 = _co2Ppm() + (_shotsSincePowerUp == 1 ? FirstShotErrorPpm : 0);
            SensirionCrc8.WriteWord(_reply, 0, (int)Math.Round(co2));
            SensirionCrc8.WriteWord(_reply, 3, 26214); // 25.0 °C
            SensirionCrc8.WriteWord(_reply, 6, 32768); // 50 %RH
            _hasData = true;
        }
        else if (command == Scd4xCommand.read_measurement)
        {
            _readPending = true;
        }
    }

    public void Read(byte[] into, int count)
    {
        if (_readPending && _hasData)
        {
            Array.Copy(_reply, into, Math.Min(count, _reply.Length));
            _hasData = false;
        }

        _readPending = false;
    }

    // A power cycle clears everything (the rail went off and on since the last transfer).
    private void TrackPower()
    {
        if (_rail.OnSinceMs != _seenOnSince)
        {
            _seenOnSince = _rail.OnSinceMs;
            _shotEndsMs = -1;
            _hasData = false;
            _readPending = false;
            _shotsSincePowerUp = 0;
        }
    }

    // The model's own copy of §3.1 (not the firmware's SensorSettle, which it is there to check).
    private static class SensorSettleFigures
    {
        public const int PowerUpMs = 1000;
    }
}
