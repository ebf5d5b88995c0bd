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
/// Event alarm (data sheet §7, "Alarm control register" and "Alarm registers" in event-counter mode,
/// "Interrupt output"): with control bit 2 (alarm enable) set and alarm control 08h bits 5–4 = 01
/// (event alarm), the alarm flag (control bit 1) is set when the count increments to the alarm count
/// in 09h–0Bh (BCD); it stays set until a write clears it, and once cleared is set again only by the
/// count reaching the alarm count once more. While the flag is set and 08h bit 7 (alarm interrupt
/// enable) is set, the open-drain INT output is LOW (<see cref="IntLow"/>).
/// </remarks>
public sealed class SimulatedTippingBucket(Func<long> utc, IRainSignal rain, double mmPerTip) : ISimulatedI2cDevice
{
    public const int Address = 0x51;

    private readonly byte[] _regs = new byte[16];
    private long _tipsAtZero;
    private int _pointer;
    private bool _flag;
    private long _alarmAtTips = long.MaxValue;

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
    public void PowerCut()
    {
        Array.Clear(_regs);
        _flag = false;
        _alarmAtTips = long.MaxValue;
    }

    /// <summary>True while the alarm flag is set (control bit 1).</summary>
    public bool AlarmFlag
    {
        get
        {
            Latch();
            return _flag;
        }
    }

    /// <summary>INT (open drain, active LOW) is pulled low now: the alarm flag set with the alarm interrupt enabled.</summary>
    public bool IntLow => AlarmFlag && (_regs[8] & 0x80) != 0;

    /// <summary>
    /// The first whole second in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>] at which INT
    /// is LOW (the count reaches the alarm count), or null when it stays high through it.
    /// </summary>
    public long? IntLowBetween(long fromUtc, long toUtc)
    {
        if ((_regs[8] & 0x80) == 0 || !AlarmActive)
        {
            return null;
        }

        Latch();
        if (_flag)
        {
            return fromUtc;
        }

        if (TipsAt(toUtc) < _alarmAtTips)
        {
            return null;
        }

        long lo = fromUtc, hi = toUtc; // TipsAt(lo) < alarm <= TipsAt(hi)
        while (hi - lo > 1)
        {
            long mid = lo + ((hi - lo) / 2);
            if (TipsAt(mid) >= _alarmAtTips)
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        return hi;
    }

    private bool AlarmActive => (_regs[0] & 0x30) == 0x20 && (_regs[0] & 0x04) != 0 && (_regs[8] & 0x30) == 0x10;

    // The flag is set by an increment to the alarm count: once the bucket has made that many tips.
    private void Latch()
    {
        if (!_flag && AlarmActive && Tips >= _alarmAtTips)
        {
            _flag = true;
        }
    }

    // The bucket tip at which the count next equals the alarm count (after the current one).
    private void Rearm()
    {
        if (!AlarmActive)
        {
            _alarmAtTips = long.MaxValue;
            return;
        }

        long alarm = FromBcd(1, _regs[9]) + FromBcd(2, _regs[10]) + FromBcd(3, _regs[11]);
        long now = Tips;
        long t = _tipsAtZero + alarm;
        if (t <= now)
        {
            t += ((now - t) / 1_000_000 + 1) * 1_000_000;
        }

        _alarmAtTips = t;
    }

    public void Write(byte[] data, int count)
    {
        Latch();
        bool rearm = false;
        _pointer = data[0] & 0x0F;
        for (int i = 1; i < count; i++)
        {
            int reg = _pointer & 0x0F;
            if (reg == 0)
            {
                bool starting = (_regs[0] & 0x30) != 0x20 && (data[i] & 0x30) == 0x20;
                _regs[0] = (byte)(data[i] & ~0x02);
                if (starting)
                {
                    _tipsAtZero = Tips;
                }

                if ((data[i] & 0x02) == 0)
                {
                    _flag = false; // written 0: the flag clears and INT is released
                }

                rearm = true;
            }
            else if (reg is >= 1 and <= 3)
            {
                // Writing the count sets it; the only value the driver writes is 0.
                _tipsAtZero = Tips - FromBcd(reg, data[i]);
                rearm = true;
            }
            else
            {
                _regs[reg] = data[i]; // 08h alarm control, 09h-0Bh alarm count (08h-0Fh RAM otherwise)
                rearm |= reg <= 0x0B;
            }

            _pointer++;
        }

        if (rearm)
        {
            Rearm();
        }
    }

    public void Read(byte[] into, int count)
    {
        long counted = (_regs[0] & 0x30) == 0x20 ? (Tips - _tipsAtZero) % 1_000_000 : 0;
        _regs[1] = Bcd((int)(counted % 100));
        _regs[2] = Bcd((int)(counted / 100 % 100));
        _regs[3] = Bcd((int)(counted / 10000 % 100));
        Latch();
        _regs[0] = (byte)((_regs[0] & ~0x02) | (_flag ? 0x02 : 0));
        for (int i = 0; i < count; i++)
        {
            into[i] = _regs[(_pointer + i) & 0x0F];
        }

        _pointer = (_pointer + count) & 0x0F;
    }

    private static byte Bcd(int v) => (byte)(((v / 10) << 4) | (v % 10));

    private static long FromBcd(int reg, byte b) => (((b >> 4) * 10) + (b & 0x0F)) * (reg == 1 ? 1 : reg == 2 ? 100 : 10000);
}
