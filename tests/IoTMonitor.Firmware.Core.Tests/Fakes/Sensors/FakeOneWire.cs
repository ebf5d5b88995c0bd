using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

/// <summary>
/// One DS18B20 on a 1-Wire bus, simulated at the byte level: it answers resets (unless
/// <see cref="Present"/> is false), records the commands written, and returns
/// <see cref="Scratchpad"/> after READ SCRATCHPAD (0xBE). With no device, reads return 0xFF as the
/// pulled-up line does. No allocation per byte.
/// </summary>
public sealed class FakeOneWire : IOneWireBus
{
    private int _readIndex = int.MaxValue;
    private int _writeArgs;

    public bool Present { get; set; } = true;

    public byte[] Scratchpad { get; } = new byte[9];

    public byte[] Written { get; } = new byte[4096];

    public int WrittenCount { get; private set; }

    public int ConvertCount { get; private set; }

    /// <summary>Scratchpads the device holds after each next CONVERT T (44h), in order; empty: unchanged.</summary>
    public Queue<byte[]> Conversions { get; } = new();

    /// <summary>TH, TL, config bytes received by the last WRITE SCRATCHPAD (0x4E).</summary>
    public byte[] WrittenScratchpad { get; } = new byte[3];

    public bool Reset()
    {
        _readIndex = int.MaxValue;
        _writeArgs = 0;
        return Present;
    }

    public void WriteByte(byte value)
    {
        if (WrittenCount < Written.Length)
        {
            Written[WrittenCount++] = value;
        }

        if (_writeArgs > 0)
        {
            WrittenScratchpad[3 - _writeArgs] = value;
            _writeArgs--;
            return;
        }

        switch (value)
        {
            case 0xBE:
                _readIndex = 0;
                break;
            case 0x44:
                ConvertCount++;
                if (Conversions.Count > 0)
                {
                    Conversions.Dequeue().CopyTo(Scratchpad, 0);
                }

                break;
            case 0x4E:
                _writeArgs = 3;
                break;
        }
    }

    public byte ReadByte()
    {
        if (!Present || _readIndex >= Scratchpad.Length)
        {
            return 0xFF;
        }

        return Scratchpad[_readIndex++];
    }

    public bool WroteSequence(params byte[] seq)
    {
        for (int i = 0; i + seq.Length <= WrittenCount; i++)
        {
            if (Written.AsSpan(i, seq.Length).SequenceEqual(seq))
            {
                return true;
            }
        }

        return false;
    }
}
