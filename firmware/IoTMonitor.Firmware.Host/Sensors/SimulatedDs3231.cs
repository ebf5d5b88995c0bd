namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// A DS3231 real-time clock at I2C address 68h with a CR2032 on VBAT (hardware/common/rtc-backup.md):
/// it keeps counting while the node has no power, so a node that boots after a power cut can set its
/// clock from it.
/// </summary>
/// <remarks>
/// Behaviour from Maxim Integrated, "DS3231 Extremely Accurate I2C-Integrated RTC/TCXO/Crystal",
/// 19-5170 Rev 10:
/// <list type="bullet">
/// <item>Table 1 "Timekeeping Registers": 00h–06h BCD seconds, minutes, hours (bit 6 = 12-hour mode,
/// bit 5 = PM there), day (1–7), date, month with bit 7 the century bit, year 00–99; the power-on
/// values are 00:00:00, day 1, 01/01/00. The calendar is computed here with .NET's own
/// <see cref="DateTimeOffset"/>, independently of the firmware's conversion it checks.</item>
/// <item>"Status Register (0Fh)": OSF (bit 7) is 1 at the first application of power and whenever VCC
/// and VBAT are both too low to run the oscillator, and stays 1 until written 0 (writing 1 does not set
/// it); A1F/A2F (bits 0–1) can only be cleared; BSY (bit 2) is read-only.</item>
/// <item>"Power Control": with VCC gone the chip runs from VBAT and keeps time; the 32 kHz TCXO holds
/// ±2 ppm from 0 °C to +40 °C (Electrical Characteristics), modelled as <see cref="DriftPpm"/>.</item>
/// <item>"I2C Interface": the register pointer is set by the first written byte and auto-increments,
/// wrapping from 12h to 00h; the time is copied at the START, so a multi-byte read is consistent;
/// writing the time registers restarts the count from the written time.</item>
/// </list>
/// </remarks>
public sealed class SimulatedDs3231 : ISimulatedI2cDevice
{
    public const int Address = 0x68;

    private const int LastRegister = 0x12;
    private const int Status = 0x0F;
    private const byte Osf = 0x80;

    private readonly Func<long> _trueUtcMs;
    private readonly byte[] _regs = new byte[LastRegister + 1];
    private long _baseUtcMs;
    private long _baseTrueMs;
    private bool _twelveHour;
    private int _dayOfWeekAtBase;
    private int _pointer;
    private bool _running = true;

    /// <summary>First application of power at the moment <paramref name="trueUtcMs"/> reads: OSF set, time 2000-01-01.</summary>
    public SimulatedDs3231(Func<long> trueUtcMs, bool hasCell = true, double driftPpm = 0)
    {
        _trueUtcMs = trueUtcMs;
        HasCell = hasCell;
        DriftPpm = driftPpm;
        PowerOnReset();
    }

    /// <summary>A CR2032 is fitted on VBAT (false: the time is lost with the main supply).</summary>
    public bool HasCell { get; set; }

    /// <summary>Rate error of the chip's clock, ppm (positive: runs fast); ±2 within 0–40 °C.</summary>
    public double DriftPpm { get; set; }

    public bool Acknowledges => _running;

    /// <summary>The status register's OSF bit.</summary>
    public bool OscillatorStopped => (_regs[Status] & Osf) != 0;

    /// <summary>The chip's time right now, ms since 1970 (true time ± drift once set).</summary>
    public long ChipUtcMs
    {
        get
        {
            long elapsed = _trueUtcMs() - _baseTrueMs;
            return _baseUtcMs + elapsed + (long)Math.Round(elapsed * DriftPpm / 1e6);
        }
    }

    /// <summary>Times the time registers were written.</summary>
    public int TimeWrites { get; private set; }

    /// <summary>
    /// The node's main supply is cut: with a cell the chip keeps time on VBAT and does not answer on
    /// the bus; without one the oscillator stops and everything is lost.
    /// </summary>
    public void PowerCut()
    {
        _running = false;
        if (!HasCell)
        {
            Array.Clear(_regs);
        }
    }

    /// <summary>The main supply is back (the node powers on).</summary>
    public void PowerUp()
    {
        if (!_running && !HasCell)
        {
            PowerOnReset();
        }

        _running = true;
    }

    public void Write(byte[] data, int count)
    {
        _pointer = data[0] % (LastRegister + 1);
        bool timeWritten = false;
        var time = TimeRegisters();
        for (int i = 1; i < count; i++)
        {
            int reg = _pointer;
            if (reg <= 6)
            {
                time[reg] = data[i];
                timeWritten = true;
            }
            else if (reg == Status)
            {
                byte clearOnly = (byte)(Osf | 0x03);
                byte kept = (byte)(_regs[Status] & clearOnly & data[i]);
                _regs[Status] = (byte)(kept | (data[i] & 0x08)); // EN32kHz as written; bits 6–4 read 0; BSY stays 0
            }
            else
            {
                _regs[reg] = data[i];
            }

            _pointer = (_pointer + 1) % (LastRegister + 1);
        }

        if (timeWritten)
        {
            SetTime(time);
            TimeWrites++;
        }
    }

    public void Read(byte[] into, int count)
    {
        var time = TimeRegisters();
        for (int i = 0; i < count; i++)
        {
            into[i] = _pointer <= 6 ? time[_pointer] : _regs[_pointer];
            _pointer = (_pointer + 1) % (LastRegister + 1);
        }
    }

    private void PowerOnReset()
    {
        Array.Clear(_regs);
        _regs[Status] = Osf | 0x08; // OSF and EN32kHz set at first power-up
        _regs[0x0E] = 0x1C; // Control: INTCN, RS2, RS1 (Table 1 power-on values)
        _twelveHour = false;
        _baseUtcMs = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        _baseTrueMs = _trueUtcMs();
        _dayOfWeekAtBase = 1;
    }

    private byte[] TimeRegisters()
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(ChipUtcMs);
        var r = new byte[7];
        r[0] = Bcd(t.Second);
        r[1] = Bcd(t.Minute);
        if (_twelveHour)
        {
            int h12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
            r[2] = (byte)(0x40 | (t.Hour >= 12 ? 0x20 : 0) | Bcd(h12));
        }
        else
        {
            r[2] = Bcd(t.Hour);
        }

        long daysSinceBase = (ChipUtcMs / 86_400_000) - (_baseUtcMs / 86_400_000); // the day register steps at midnight
        r[3] = (byte)((((_dayOfWeekAtBase - 1) + daysSinceBase) % 7) + 1);
        r[4] = Bcd(t.Day);
        r[5] = (byte)(Bcd(t.Month) | (t.Year >= 2100 ? 0x80 : 0));
        r[6] = Bcd(t.Year % 100);
        return r;
    }

    private void SetTime(byte[] r)
    {
        _twelveHour = (r[2] & 0x40) != 0;
        int hour = _twelveHour
            ? (FromBcd(r[2] & 0x1F) % 12) + ((r[2] & 0x20) != 0 ? 12 : 0)
            : FromBcd(r[2] & 0x3F);
        int year = ((r[5] & 0x80) != 0 ? 2100 : 2000) + FromBcd(r[6]);
        var t = new DateTimeOffset(year, FromBcd(r[5] & 0x1F), FromBcd(r[4] & 0x3F), hour, FromBcd(r[1] & 0x7F), FromBcd(r[0] & 0x7F), TimeSpan.Zero);
        _baseUtcMs = t.ToUnixTimeMilliseconds();
        _baseTrueMs = _trueUtcMs();
        _dayOfWeekAtBase = r[3] & 0x07;
    }

    private static byte Bcd(int v) => (byte)(((v / 10) << 4) | (v % 10));

    private static int FromBcd(int b) => ((b >> 4) * 10) + (b & 0x0F);
}
