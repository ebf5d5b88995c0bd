using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// A single DS18B20 on a 1-Wire bus (Maxim DS18B20 datasheet 19-7487 Rev 6, "1-Wire ROM Commands"
/// and "DS18B20 Function Commands"): presence pulse on reset, Skip ROM 0xCC, Read ROM 0x33,
/// Convert T 0x44 (read slots then return 1: done at once), Write Scratchpad 0x4E (TH, TL, config), Read Scratchpad 0xBE (9 bytes:
/// temperature LSB/MSB in 1/16 °C, TH, TL, config 0x7F = 12 bit, reserved 0xFF 0x0C 0x10, CRC-8
/// Dallas/Maxim x^8+x^5+x^4+1). Failed, it gives no presence pulse.
/// </summary>
public sealed class SimulatedDs18b20 : IOneWireBus
{
    private static readonly byte[] Rom = [0x28, 0x1A, 0x2B, 0x3C, 0x4D, 0x5E, 0x00, 0x00];

    private readonly Func<long> _utc;
    private readonly Func<long, double> _tempC;
    private readonly ProbeFault _fault;
    private readonly byte[] _scratch = [0x50, 0x05, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x00]; // power-on 85 °C
    private readonly byte[] _rom = (byte[])Rom.Clone();
    private byte[]? _out;
    private int _writeIndex = -1;
    private int _outIndex;
    private bool _romSelected;

    public SimulatedDs18b20(Func<long> utc, Func<long, double> tempC, ProbeFault? fault = null, int serial = 0)
    {
        _utc = utc;
        _tempC = tempC;
        _fault = fault ?? ProbeFault.None;
        _rom[1] = (byte)serial;
        _rom[2] = (byte)(serial >> 8);
        _rom[7] = Crc8(_rom, 7);
        _scratch[8] = Crc8(_scratch, 8);
    }

    /// <summary>Conversions done (for tests).</summary>
    public int Conversions { get; private set; }

    public bool Reset()
    {
        _out = null;
        _romSelected = false;
        _writeIndex = -1;
        return !_fault.IsFailed(_utc());
    }

    public void WriteByte(byte value)
    {
        if (_fault.IsFailed(_utc()))
        {
            return;
        }

        if (_writeIndex >= 0)
        {
            // Write Scratchpad 0x4E: TH, TL, configuration.
            _scratch[2 + _writeIndex] = _writeIndex == 2 ? (byte)((value & 0x60) | 0x1F) : value;
            _writeIndex = _writeIndex == 2 ? -1 : _writeIndex + 1;
            _scratch[8] = Crc8(_scratch, 8);
            return;
        }

        if (!_romSelected)
        {
            if (value == 0xCC)
            {
                _romSelected = true;
            }
            else if (value == 0x33)
            {
                _romSelected = true;
                _out = _rom;
                _outIndex = 0;
            }

            return;
        }

        switch (value)
        {
            case 0x44:
                Convert();
                _out = null;
                break;
            case 0xBE:
                _out = _scratch;
                _outIndex = 0;
                break;
            case 0x4E:
                _writeIndex = 0;
                break;
        }
    }

    public byte ReadByte()
    {
        if (_fault.IsFailed(_utc()))
        {
            return 0xFF; // bus pulled up, nobody drives it
        }

        if (_out is null)
        {
            return 0xFF; // conversion complete (read slots return 1)
        }

        return _outIndex < _out.Length ? _out[_outIndex++] : (byte)0xFF;
    }

    private void Convert()
    {
        Conversions++;
        var t = _utc();
        var c = _fault.Apply(t, _tempC(t), _tempC);
        var bits = 9 + ((_scratch[4] >> 5) & 3);
        var step = 1 << (12 - bits); // undefined low bits read 0 (datasheet Table 1 note)
        var raw = (short)((int)Math.Round(Math.Clamp(c, -55, 125) * 16 / step) * step);
        _scratch[0] = (byte)raw;
        _scratch[1] = (byte)(raw >> 8);
        _scratch[8] = Crc8(_scratch, 8);
    }

    /// <summary>Dallas/Maxim CRC-8 (polynomial 0x31 reflected = 0x8C), datasheet "CRC Generation".</summary>
    public static byte Crc8(byte[] data, int count)
    {
        byte crc = 0;
        for (var i = 0; i < count; i++)
        {
            var b = data[i];
            for (var bit = 0; bit < 8; bit++)
            {
                var mix = (crc ^ b) & 1;
                crc >>= 1;
                if (mix != 0)
                {
                    crc ^= 0x8C;
                }

                b >>= 1;
            }
        }

        return crc;
    }
}
