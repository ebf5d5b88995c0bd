namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// A BME280 as seen over I2C (Bosch BME280 datasheet BST-BME280-DS002, §5 "Global memory map and
/// register description"): chip id 0x60 at 0xD0, trimming parameters at 0x88–0xA1 and 0xE1–0xE7,
/// ctrl_hum 0xF2, status 0xF3, ctrl_meas 0xF4, config 0xF5, and the raw ADC values at 0xF7–0xFE.
/// A forced measurement completes at once (status.measuring stays 0).
/// </summary>
/// <remarks>
/// The raw ADC values are found by inverting the datasheet's compensation (§8.1, double-precision
/// formulas) by bisection, so the real driver's compensation returns the simulated temperature,
/// pressure and humidity (to the ADC's resolution). Trimming values: dig_T1..T3 and dig_P1..P9 from
/// the datasheet's worked example (§8.1 is not given there for humidity; dig_H* are values read
/// from a real part).
/// </remarks>
public sealed class SimulatedBme280 : ISimulatedI2cDevice
{
    public const byte ChipIdRegister = 0xD0;
    public const byte ChipId = 0x60;

    private const ushort DigT1 = 27504;
    private const short DigT2 = 26435;
    private const short DigT3 = -1000;
    private const ushort DigP1 = 36477;
    private const short DigP2 = -10685;
    private const short DigP3 = 3024;
    private const short DigP4 = 2855;
    private const short DigP5 = 140;
    private const short DigP6 = -7;
    private const short DigP7 = 15500;
    private const short DigP8 = -14600;
    private const short DigP9 = 6000;
    private const byte DigH1 = 75;
    private const short DigH2 = 362;
    private const byte DigH3 = 0;
    private const short DigH4 = 313;
    private const short DigH5 = 50;
    private const sbyte DigH6 = 30;

    private readonly byte[] _regs = new byte[256];
    private readonly Func<long> _utc;
    private readonly Func<long, (double TempC, double PressureHpa, double Rh)> _weather;
    private readonly ProbeFault _fault;
    private int _pointer;

    public SimulatedBme280(Func<long> utc, Func<long, (double TempC, double PressureHpa, double Rh)> weather, ProbeFault? fault = null)
    {
        _utc = utc;
        _weather = weather;
        _fault = fault ?? ProbeFault.None;
        _regs[ChipIdRegister] = ChipId;
        WriteTrimming();
    }

    public bool Acknowledges => !_fault.IsFailed(_utc());

    public void Write(byte[] data, int count)
    {
        // §6.2.1: a write is the register address, then data; further bytes are (address, data) pairs.
        _pointer = data[0];
        for (var i = 0; i + 1 < count; i += 2)
        {
            Store(data[i], data[i + 1]);
        }
    }

    public void Read(byte[] into, int count)
    {
        for (var i = 0; i < count; i++)
        {
            into[i] = _regs[(_pointer + i) & 0xFF];
        }
    }

    private void Store(int reg, byte value)
    {
        reg &= 0xFF;
        if (reg == 0xE0 && value == 0xB6)
        {
            Array.Clear(_regs, 0xF2, 0x0E);
            return;
        }

        if (reg is 0xF2 or 0xF4 or 0xF5)
        {
            _regs[reg] = value;
            if (reg == 0xF4 && (value & 0x03) != 0)
            {
                Measure();
                if ((value & 0x03) != 0x03)
                {
                    _regs[0xF4] = (byte)(value & 0xFC); // forced mode returns to sleep after the measurement
                }
            }
        }
    }

    /// <summary>Loads the data registers with the raw values for the weather now.</summary>
    private void Measure()
    {
        var t = _utc();
        var w = _weather(t);
        var temp = _fault.Apply(t, w.TempC, s => _weather(s).TempC);
        var adcT = Invert(x => CompensateT(x).T, temp, 0, (1 << 20) - 1);
        var tFine = CompensateT(adcT).TFine;
        var adcP = Invert(x => -CompensateP(x, tFine), -w.PressureHpa * 100.0, 0, (1 << 20) - 1);
        var adcH = Invert(x => CompensateH(x, tFine), w.Rh, 0, 65535);
        _regs[0xF7] = (byte)(adcP >> 12);
        _regs[0xF8] = (byte)(adcP >> 4);
        _regs[0xF9] = (byte)((adcP & 0xF) << 4);
        _regs[0xFA] = (byte)(adcT >> 12);
        _regs[0xFB] = (byte)(adcT >> 4);
        _regs[0xFC] = (byte)((adcT & 0xF) << 4);
        _regs[0xFD] = (byte)(adcH >> 8);
        _regs[0xFE] = (byte)adcH;
        _regs[0xF3] = 0;
    }

    // Smallest x in [lo, hi] with f(x) >= target, for increasing f.
    private static int Invert(Func<int, double> f, double target, int lo, int hi)
    {
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (f(mid) < target)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    // Datasheet §8.1, "Compensation formulas in double precision floating point".
    internal static (double T, double TFine) CompensateT(int adcT)
    {
        double var1 = ((adcT / 16384.0) - (DigT1 / 1024.0)) * DigT2;
        double var2 = ((adcT / 131072.0) - (DigT1 / 8192.0)) * ((adcT / 131072.0) - (DigT1 / 8192.0)) * DigT3;
        var tFine = var1 + var2;
        return (tFine / 5120.0, tFine);
    }

    internal static double CompensateP(int adcP, double tFine)
    {
        double var1 = (tFine / 2.0) - 64000.0;
        double var2 = var1 * var1 * DigP6 / 32768.0;
        var2 += var1 * DigP5 * 2.0;
        var2 = (var2 / 4.0) + (DigP4 * 65536.0);
        var1 = ((DigP3 * var1 * var1 / 524288.0) + (DigP2 * var1)) / 524288.0;
        var1 = (1.0 + (var1 / 32768.0)) * DigP1;
        if (var1 == 0.0)
        {
            return 0;
        }

        double p = 1048576.0 - adcP;
        p = (p - (var2 / 4096.0)) * 6250.0 / var1;
        var1 = DigP9 * p * p / 2147483648.0;
        var2 = p * DigP8 / 32768.0;
        return p + ((var1 + var2 + DigP7) / 16.0);
    }

    internal static double CompensateH(int adcH, double tFine)
    {
        double varH = tFine - 76800.0;
        varH = (adcH - ((DigH4 * 64.0) + (DigH5 / 16384.0 * varH)))
            * (DigH2 / 65536.0 * (1.0 + (DigH6 / 67108864.0 * varH * (1.0 + (DigH3 / 67108864.0 * varH)))));
        varH *= 1.0 - (DigH1 * varH / 524288.0);
        return Math.Clamp(varH, 0, 100);
    }

    private void WriteTrimming()
    {
        void U16(int reg, int v)
        {
            _regs[reg] = (byte)v;
            _regs[reg + 1] = (byte)(v >> 8);
        }

        U16(0x88, DigT1);
        U16(0x8A, DigT2);
        U16(0x8C, DigT3);
        U16(0x8E, DigP1);
        U16(0x90, DigP2);
        U16(0x92, DigP3);
        U16(0x94, DigP4);
        U16(0x96, DigP5);
        U16(0x98, DigP6);
        U16(0x9A, DigP7);
        U16(0x9C, DigP8);
        U16(0x9E, DigP9);
        _regs[0xA1] = DigH1;
        U16(0xE1, DigH2);
        _regs[0xE3] = DigH3;

        // dig_H4: 0xE4 [11:4], 0xE5[3:0] [3:0]; dig_H5: 0xE5[7:4] [3:0], 0xE6 [11:4]
        _regs[0xE4] = (byte)(DigH4 >> 4);
        _regs[0xE5] = (byte)((DigH4 & 0x0F) | ((DigH5 & 0x0F) << 4));
        _regs[0xE6] = (byte)(DigH5 >> 4);
        _regs[0xE7] = (byte)DigH6;
    }
}
