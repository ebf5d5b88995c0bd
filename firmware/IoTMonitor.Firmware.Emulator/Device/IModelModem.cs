namespace IoTMonitor.Firmware.Emulator.Device;

/// <summary>
/// A cellular module as the board sees it: bytes on its UART and its power state. The board's
/// socket (<see cref="ModemSocket"/>) decides from the supply switch and the PWRKEY pulses when it
/// starts and stops; implemented over the AT-level modem model by the tests.
/// </summary>
public interface IModelModem
{
    /// <summary>Started by a PWRKEY pulse (the module then boots and announces itself on its own time).</summary>
    void On();

    /// <summary>Stopped: supply cut, or the power-off pulse's shutdown finished.</summary>
    void Off();

    /// <summary>Bytes the module has sent by now (0 when none).</summary>
    int Read(byte[] buffer, int offset, int count);

    /// <summary>Bytes the ESP32 sends it.</summary>
    void Write(byte[] buffer, int offset, int count);
}
