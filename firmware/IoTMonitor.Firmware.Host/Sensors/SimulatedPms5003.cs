namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// A Plantower PMS5003 on a UART (manual v2.3, "Host Protocol" and "Transport Protocol-Active
/// Mode"): answers the 7-byte host commands 0x42 0x4D CMD DATAH DATAL LRCH LRCL — 0xE1 change
/// mode, 0xE2 passive read, 0xE4 sleep/wake — and replies to a passive read with the 32-byte frame
/// 0x42 0x4D, frame length 28, 13 data words (PM1.0/2.5/10 CF=1, PM1.0/2.5/10 atmospheric, six
/// particle counts, reserved) and the 16-bit sum of all preceding bytes. Asleep or failed, it
/// stays silent.
/// </summary>
public sealed class SimulatedPms5003 : SimulatedUart
{
    private readonly byte[] _cmd = new byte[7];
    private readonly Func<long> _utc;
    private readonly Func<long, (double Pm1, double Pm25, double Pm10)> _dust;
    private readonly ProbeFault _fault;
    private int _have;
    private bool _awake = true;

    public SimulatedPms5003(Func<long> utc, Func<long, (double Pm1, double Pm25, double Pm10)> dust, ProbeFault? fault = null)
    {
        _utc = utc;
        _dust = dust;
        _fault = fault ?? ProbeFault.None;
    }

    /// <summary>Passive-mode frames sent (for tests).</summary>
    public int FramesSent { get; private set; }

    protected override void OnHostBytes(byte b)
    {
        // Resynchronise on the start characters.
        if ((_have == 0 && b != 0x42) || (_have == 1 && b != 0x4D))
        {
            _have = b == 0x42 ? 1 : 0;
            if (b == 0x42)
            {
                _cmd[0] = b;
            }

            return;
        }

        _cmd[_have++] = b;
        if (_have < 7)
        {
            return;
        }

        _have = 0;
        var sum = 0;
        for (var i = 0; i < 5; i++)
        {
            sum += _cmd[i];
        }

        if (((_cmd[5] << 8) | _cmd[6]) != sum || _fault.IsFailed(_utc()))
        {
            return;
        }

        switch (_cmd[2])
        {
            case 0xE4:
                _awake = _cmd[4] != 0;
                break;
            case 0xE2 when _awake:
                SendFrame();
                break;
        }
    }

    private void SendFrame()
    {
        var t = _utc();
        var d = _dust(t);
        var pm25 = _fault.Apply(t, d.Pm25, s => _dust(s).Pm25);
        var scale = d.Pm25 > 0 ? pm25 / d.Pm25 : 1;
        var pm1 = d.Pm1 * scale;
        var pm10 = d.Pm10 * scale;
        Span<byte> f = stackalloc byte[32];
        f[0] = 0x42;
        f[1] = 0x4D;
        f[2] = 0;
        f[3] = 28;
        Span<int> words =
        [
            (int)Math.Round(pm1 * 1.1), (int)Math.Round(pm25 * 1.1), (int)Math.Round(pm10 * 1.1),
            (int)Math.Round(pm1), (int)Math.Round(pm25), (int)Math.Round(pm10),
            (int)(pm1 * 150), (int)(pm25 * 45), (int)(pm25 * 9), (int)(pm10 * 1.2), (int)(pm10 * 0.3), (int)(pm10 * 0.1), 0,
        ];
        for (var i = 0; i < 13; i++)
        {
            var w = Math.Clamp(words[i], 0, 65535);
            f[4 + (2 * i)] = (byte)(w >> 8);
            f[5 + (2 * i)] = (byte)w;
        }

        var sum = 0;
        for (var i = 0; i < 30; i++)
        {
            sum += f[i];
        }

        f[30] = (byte)(sum >> 8);
        f[31] = (byte)sum;
        FramesSent++;
        Send(f);
    }
}
