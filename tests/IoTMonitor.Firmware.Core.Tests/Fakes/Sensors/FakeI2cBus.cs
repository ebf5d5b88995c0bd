using IoTMonitor.Firmware.Core.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

/// <summary>
/// An I2C device simulated on the host, in one of two shapes. Register devices (BME280): a 256-byte
/// register array with an auto-incrementing pointer set by the first written byte. Command devices
/// (Sensirion): a 16-bit command selects the bytes the next read returns. Allocates nothing per
/// transfer, so allocation tests can run drivers over it.
/// </summary>
public sealed class FakeI2cBus : II2cBus
{
    private readonly Dictionary<int, byte[]> _responses = new();
    private byte[]? _pending;

    public FakeI2cBus(int address, bool commandDevice = false)
    {
        Address = address;
        CommandDevice = commandDevice;
    }

    public int Address { get; }

    public bool CommandDevice { get; }

    public byte[] Registers { get; } = new byte[256];

    /// <summary>Result every transfer returns while not Ok (NACK, bus error).</summary>
    public ReadResult ForcedResult { get; set; } = ReadResult.Ok;

    public int Transfers { get; private set; }

    /// <summary>Commands written to a command device, in order (first 64 kept).</summary>
    public int[] CommandLog { get; } = new int[64];

    public int CommandCount { get; private set; }

    /// <summary>Argument words written after the last command (the bytes after the command word).</summary>
    public byte[] LastArguments { get; } = new byte[16];

    public int LastArgumentCount { get; private set; }

    public void SetRegisters(int start, params byte[] values) => values.CopyTo(Registers, start);

    /// <summary>Command device: bytes the read after <paramref name="command"/> returns (null: NACK).</summary>
    public void Respond(int command, byte[]? bytes)
    {
        if (bytes == null)
        {
            _responses.Remove(command);
        }
        else
        {
            _responses[command] = bytes;
        }
    }

    public ReadResult WriteRead(int address, byte[] write, int writeCount, byte[] read, int readCount)
    {
        Transfers++;
        if (ForcedResult != ReadResult.Ok)
        {
            return ForcedResult;
        }

        if (address != Address)
        {
            return ReadResult.NoResponse;
        }

        return CommandDevice
            ? CommandTransfer(write, writeCount, read, readCount)
            : RegisterTransfer(write, writeCount, read, readCount);
    }

    private ReadResult RegisterTransfer(byte[] write, int writeCount, byte[] read, int readCount)
    {
        int pointer = 0;
        if (writeCount > 0)
        {
            pointer = write[0];
            for (int i = 1; i < writeCount; i++)
            {
                Registers[(pointer + i - 1) & 0xFF] = write[i];
            }
        }

        for (int i = 0; i < readCount; i++)
        {
            read[i] = Registers[(pointer + i) & 0xFF];
        }

        return ReadResult.Ok;
    }

    private ReadResult CommandTransfer(byte[] write, int writeCount, byte[] read, int readCount)
    {
        if (writeCount >= 2)
        {
            int command = (write[0] << 8) | write[1];
            if (CommandCount < CommandLog.Length)
            {
                CommandLog[CommandCount] = command;
            }

            CommandCount++;
            LastArgumentCount = writeCount - 2;
            Array.Copy(write, 2, LastArguments, 0, Math.Min(LastArgumentCount, LastArguments.Length));
            _pending = _responses.TryGetValue(command, out byte[]? r) ? r : null;
        }

        if (readCount == 0)
        {
            return ReadResult.Ok;
        }

        if (_pending == null || _pending.Length < readCount)
        {
            return ReadResult.NoResponse;
        }

        Array.Copy(_pending, read, readCount);
        return ReadResult.Ok;
    }

    public bool Sent(int command)
    {
        for (int i = 0; i < Math.Min(CommandCount, CommandLog.Length); i++)
        {
            if (CommandLog[i] == command)
            {
                return true;
            }
        }

        return false;
    }
}
