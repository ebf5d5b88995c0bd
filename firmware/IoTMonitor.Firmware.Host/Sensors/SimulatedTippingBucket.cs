using IoTMonitor.Firmware.Host.Signals;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// A tipping-bucket gauge counted by a PCF8593 event counter on the node's I2C bus (address 51h), as
/// wired in hardware/water (flash-flood option): the bucket tips once per <c>mmPerTip</c> of the
/// <see cref="IRainSignal"/>, and the chip counts the tips it sees while in event-counter mode.
/// </summary>
/// <remarks>
/// Register behaviour from the NXP PCF8593 data sheet Rev. 04: control/status at 00h (00h after
/// power-on: clock mode, no events counted; 20h: event counter), the count in BCD at 01h–03h (D1 D0,
/// D3 D2, D5 D4, up to 999 999, then it wraps), an auto-incrementing register pointer set by the
/// first written byte. The chip sits on the always-on rail, so it keeps counting through the ESP32's
/// deep sleep and resets; <see cref="PowerCut"/> is a cut of that rail too.
/// </remarks>
public sealed class SimulatedTippingBucket(Func<long> utc, IRainSignal rain, double mmPerTip) : ISimulatedI2cDevice
{
    public const int Address = 0x51;

    private readonly byte[] _regs = new byte[16];
    private long _tipsAtZero;
    private int _pointer;

    /// <summary>Tips the bucket made since the rain signal's origin (what a person emptying it would count).</summary>
    public long Tips => TipsAt(utc());

    /// <summary>Tips the bucket had made by <paramref name="atUtc"/> (epoch seconds).</summary>
    public long TipsAt(long atUtc) => (long)Math.Floor((rain.CumulativeMm(atUtc) / mmPerTip) + 1e-9);

    /// <summary>Rain per tip, mm.</summary>
    public double MmPerTip => mmPerTip;

    /// <summary>
    /// The bucket's <see cref="Tips"/> when the counter's count was last set to 0 (the driver set it
    /// up after a power-on, or wrote the count): what the chip has counted is the difference.
    /// </summary>
    public long TipsWhenZeroed => _tipsAtZero;

    public bool Acknowledges => true;

    /// <summary>The counter's supply was cut: it returns in clock mode and counts nothing until set up again.</summary>
    public void PowerCut() => _regs[0] = 0x00;

    public void Write(byte[] data, int count)
    {
        _pointer = data[0] & 0x0F;
        for (int i = 1; i < count; i++)
        {
            int reg = _pointer & 0x0F;
            if (reg == 0)
            {
                bool starting = (_regs[0] & 0x30) != 0x20 && (data[i] & 0x30) == 0x20;
                _regs[0] = data[i];
                if (starting)
                {
                    _tipsAtZero = Tips;
                }
            }
            else if (reg is >= 1 and <= 3)
            {
                // Writing the count sets it; the only value the driver writes is 0.
                _tipsAtZero = Tips - FromBcd(reg, data[i]);
            }

            _pointer++;
        }
    }

    public void Read(byte[] into, int count)
    {
        long counted = (_regs[0] & 0x30) == 0x20 ? (Tips - _tipsAtZero) % 1_000_000 : 0;
        _regs[1] = Bcd((int)(counted % 100));
        _regs[2] = Bcd((int)(counted / 100 % 100));
        _regs[3] = Bcd((int)(counted / 10000 % 100));
        for (int i = 0; i < count; i++)
        {
            into[i] = _regs[(_pointer + i) & 0x0F];
        }

        _pointer = (_pointer + count) & 0x0F;
    }

    private static byte Bcd(int v) => (byte)(((v / 10) << 4) | (v % 10));

    private static long FromBcd(int reg, byte b) => (((b >> 4) * 10) + (b & 0x0F)) * (reg == 1 ? 1 : reg == 2 ? 100 : 10000);
}
