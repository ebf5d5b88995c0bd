namespace IoTMonitor.Firmware.Emulator.Device;

/// <summary>
/// The cellular variant's modem circuit on the model (hardware/common/cellular.md): a VBAT load switch
/// on <see cref="PowerEnGpio"/>, an NPN that pulls PWRKEY low while <see cref="PwrKeyGpio"/> is high,
/// the module's STATUS through the level shifter on <see cref="StatusGpio"/>, and its UART on
/// <see cref="PortName"/>. It starts the module only as the hardware design guide's power-on timing
/// allows (supply on, then a PWRKEY pulse of at least <see cref="OnPulseMinMs"/>) and stops it on a
/// power-off pulse of at least <see cref="OffPulseMinMs"/> or when the supply goes; a shorter pulse
/// does nothing. Every GPIO floats at reset and in deep sleep, where the pull-downs switch the module
/// off (<see cref="Esp32Device.EndWake"/>).
/// </summary>
public sealed class ModemSocket
{
    private readonly Esp32Device _device;
    private readonly IModelModem _modem;
    private bool _supplied;
    private bool _running;
    private long _keyDownAt = -1;

    /// <summary>Fits <paramref name="modem"/> to <paramref name="device"/> on the given pins and port.</summary>
    public ModemSocket(Esp32Device device, IModelModem modem, string portName, int powerEnGpio, int pwrKeyGpio, int statusGpio, int onPulseMinMs, int offPulseMinMs)
    {
        _device = device;
        _modem = modem;
        PortName = portName;
        PowerEnGpio = powerEnGpio;
        PwrKeyGpio = pwrKeyGpio;
        StatusGpio = statusGpio;
        OnPulseMinMs = onPulseMinMs;
        OffPulseMinMs = offPulseMinMs;
        device.Uarts[portName] = this;
        device.PinSinks[powerEnGpio] = OnPowerEn;
        device.PinSinks[pwrKeyGpio] = OnPwrKey;
        device.PinSources[statusGpio] = () => _running;
    }

    public string PortName { get; }

    public int PowerEnGpio { get; }

    public int PwrKeyGpio { get; }

    public int StatusGpio { get; }

    /// <summary>Shortest PWRKEY low that starts the module (its hardware design guide, power-on timing).</summary>
    public int OnPulseMinMs { get; }

    /// <summary>Shortest PWRKEY low that shuts a running module down (power-off timing).</summary>
    public int OffPulseMinMs { get; }

    /// <summary>Starts given by a valid power-on pulse.</summary>
    public int Starts { get; private set; }

    /// <summary>PWRKEY pulses too short for what they were meant to do, or given without supply.</summary>
    public int IgnoredPulses { get; private set; }

    /// <summary>Supply cuts while the module was running (no power-off pulse first: the guides warn it risks the module's flash).</summary>
    public int HardCuts { get; private set; }

    /// <summary>Milliseconds the module was supplied, over the model's life (its energy's time base).</summary>
    public long SuppliedMs { get; private set; }

    private long _suppliedSince = -1;

    /// <summary>Bytes from the module (none while it is unsupplied).</summary>
    public int Read(byte[] buffer, int offset, int count) => _supplied ? _modem.Read(buffer, offset, count) : 0;

    /// <summary>Bytes to the module (lost while it is unsupplied: the level shifter is high-impedance).</summary>
    public void Write(byte[] buffer, int offset, int count)
    {
        if (_supplied)
        {
            _modem.Write(buffer, offset, count);
        }
    }

    private void OnPowerEn(bool high)
    {
        if (high == _supplied)
        {
            return;
        }

        _supplied = high;
        if (high)
        {
            _suppliedSince = _device.TrueMs;
            return;
        }

        SuppliedMs += _device.TrueMs - _suppliedSince;
        _keyDownAt = -1;
        if (_running)
        {
            HardCuts++;
            _running = false;
        }

        _modem.Off();
    }

    private void OnPwrKey(bool pressed)
    {
        if (pressed)
        {
            if (_keyDownAt < 0)
            {
                _keyDownAt = _device.TrueMs;
            }

            return;
        }

        if (_keyDownAt < 0)
        {
            return;
        }

        long held = _device.TrueMs - _keyDownAt;
        _keyDownAt = -1;
        if (_supplied && !_running && held >= OnPulseMinMs)
        {
            _running = true;
            Starts++;
            _modem.On();
        }
        else if (_supplied && _running && held >= OffPulseMinMs)
        {
            _running = false;
            _modem.Off();
        }
        else
        {
            IgnoredPulses++;
        }
    }
}
