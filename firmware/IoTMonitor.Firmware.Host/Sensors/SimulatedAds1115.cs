using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// A TI ADS1115 on a virtual node's I2C bus, behaving as SBAS444D describes it to the master: a
/// pointer register (§9.6.1) selecting the 16-bit Conversion or Config register, both MSB first;
/// reset Config 8583h (Table 8); a Config write with OS = 1 in single-shot mode starts one conversion
/// of the selected input, during which OS reads 0 (the first Config read after the start, the
/// simulation's conversion time), then 1 with the result in the Conversion register: the input
/// volts (single-ended AINn, or the difference of a pair) over the PGA's LSB, rounded, clipped to
/// 8000h…7FFFh (Table 3). Each input is a probe board's output (<see cref="IAnalogInput"/>).
/// </summary>
public sealed class SimulatedAds1115 : ISimulatedI2cDevice
{
    private static readonly double[] FullScale = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256];

    private readonly IAnalogInput?[] _inputs = new IAnalogInput?[4];
    private int _pointer;
    private int _config = 0x8583;
    private int _conversion;
    private int _busyReads;

    /// <summary>Wires a probe board's output to AIN<paramref name="channel"/> (0…3).</summary>
    public void Connect(int channel, IAnalogInput input) => _inputs[channel] = input;

    /// <summary>False while unpowered or failed: the chip does not acknowledge.</summary>
    public bool Acknowledges { get; set; } = true;

    /// <summary>Conversions started (for tests).</summary>
    public int Conversions { get; private set; }

    public void Write(byte[] data, int count)
    {
        _pointer = data[0] & 3;
        if (count >= 3 && _pointer == 1)
        {
            var word = (data[1] << 8) | data[2];
            _config = word & 0x7FFF | (_config & 0x8000);
            var singleShot = (word & 0x0100) != 0;
            if (singleShot && (word & 0x8000) != 0)
            {
                Convert();
            }
        }
    }

    public void Read(byte[] into, int count)
    {
        int value;
        if (_pointer == 1)
        {
            var os = _busyReads > 0 ? 0 : 0x8000;
            if (_busyReads > 0)
            {
                _busyReads--;
            }

            value = (_config & 0x7FFF) | os;
        }
        else
        {
            value = _pointer == 0 ? _conversion & 0xFFFF : 0;
        }

        if (count > 0)
        {
            into[0] = (byte)(value >> 8);
        }

        if (count > 1)
        {
            into[1] = (byte)value;
        }
    }

    private void Convert()
    {
        Conversions++;
        _busyReads = 1;
        var mux = (_config >> 12) & 7;
        var fs = FullScale[(_config >> 9) & 7];
        // MUX 000–011 differential pairs AIN0–1, 0–3, 1–3, 2–3; 100–111 AINn against GND (Table 8)
        var volts = mux switch
        {
            0 => In(0) - In(1),
            1 => In(0) - In(3),
            2 => In(1) - In(3),
            3 => In(2) - In(3),
            _ => In(mux - 4),
        };
        var code = (long)Math.Round(volts / (fs / 32768.0), MidpointRounding.AwayFromZero);
        _conversion = (int)Math.Clamp(code, -32768, 32767);
    }

    private double In(int channel) => _inputs[channel] is { } input && input.TryReadVolts(out var v) ? v : 0;
}
