namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// An RS485 Modbus RTU soil probe (the common 7-in-1 moisture/temperature/EC/pH/N/P/K probe, 4800 or
/// 9600 8N1, slave address 1): answers function 0x03 Read Holding Registers (Modbus Application
/// Protocol v1.1b3 §6.3) over registers 0x0000 moisture ×10 %VWC, 0x0001 temperature ×10 °C
/// (two's complement), 0x0002 EC µS/cm, 0x0003 pH ×10, 0x0004 N, 0x0005 P, 0x0006 K mg/kg;
/// frames end with CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF, low byte first, Modbus over
/// Serial Line v1.02 §6.2.2). Unknown registers answer exception 0x02; a bad CRC or another
/// address gets no answer; failed, it is silent.
/// </summary>
public sealed class SimulatedModbusSoilProbe : SimulatedUart
{
    private readonly byte[] _frame = new byte[8];
    private readonly Func<long> _utc;
    private readonly Func<long, SoilSample> _soil;
    private readonly ProbeFault _fault;
    private readonly byte _address;
    private int _have;

    public SimulatedModbusSoilProbe(Func<long> utc, Func<long, SoilSample> soil, ProbeFault? fault = null, byte address = 1)
    {
        _utc = utc;
        _soil = soil;
        _fault = fault ?? ProbeFault.None;
        _address = address;
    }

    /// <summary>Requests answered (for tests).</summary>
    public int Answers { get; private set; }

    protected override void OnHostBytes(byte b)
    {
        _frame[_have++] = b;
        if (_have < 8)
        {
            return;
        }

        _have = 0;
        if (Crc16(_frame, 6) != (_frame[6] | (_frame[7] << 8)) || _frame[0] != _address || _fault.IsFailed(_utc()))
        {
            return;
        }

        var function = _frame[1];
        var start = (_frame[2] << 8) | _frame[3];
        var count = (_frame[4] << 8) | _frame[5];
        if (function != 0x03)
        {
            Exception(function, 0x01);
            return;
        }

        if (count < 1 || start + count > 7)
        {
            Exception(function, 0x02);
            return;
        }

        var t = _utc();
        var s = _soil(t);
        var moisture = _fault.Apply(t, s.MoistureVwc, x => _soil(x).MoistureVwc);
        Span<int> regs =
        [
            (int)Math.Round(moisture * 10), (int)Math.Round(s.TempC * 10), (int)Math.Round(s.EcUsPerCm),
            (int)Math.Round(s.Ph * 10), (int)Math.Round(s.N), (int)Math.Round(s.P), (int)Math.Round(s.K),
        ];
        var reply = new byte[5 + (2 * count)];
        reply[0] = _address;
        reply[1] = 0x03;
        reply[2] = (byte)(2 * count);
        for (var i = 0; i < count; i++)
        {
            var v = regs[start + i] & 0xFFFF;
            reply[3 + (2 * i)] = (byte)(v >> 8);
            reply[4 + (2 * i)] = (byte)v;
        }

        var crc = Crc16(reply, reply.Length - 2);
        reply[^2] = (byte)crc;
        reply[^1] = (byte)(crc >> 8);
        Answers++;
        Send(reply);
    }

    private void Exception(byte function, byte code)
    {
        var reply = new byte[] { _address, (byte)(function | 0x80), code, 0, 0 };
        var crc = Crc16(reply, 3);
        reply[3] = (byte)crc;
        reply[4] = (byte)(crc >> 8);
        Send(reply);
    }

    /// <summary>CRC-16/MODBUS.</summary>
    public static int Crc16(byte[] data, int count)
    {
        var crc = 0xFFFF;
        for (var i = 0; i < count; i++)
        {
            crc ^= data[i];
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1;
            }
        }

        return crc;
    }
}

/// <summary>What a soil probe measures at one time.</summary>
public readonly record struct SoilSample(double MoistureVwc, double TempC, double EcUsPerCm, double Ph, double N, double P, double K);
