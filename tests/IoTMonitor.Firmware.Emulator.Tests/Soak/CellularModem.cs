using System.Text;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Time;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Host.Modem;

namespace IoTMonitor.Firmware.Emulator.Tests.Soak;

/// <summary>
/// The AT-level modem model (Host/Modem/SimulatedModem, written from the AT manuals, with a real MQTT
/// connection behind it) fitted in the runtime model's modem socket: its clock is the device's true time,
/// and the points where the app's bytes carry a publish command or the modem's bytes carry a publish's
/// outcome are model steps, so the soak's power cuts can land mid-publish and mid-ack over cellular too.
/// The socket counts the module's supplied time as radio time, and each MQTT connect command as a connect.
/// </summary>
public sealed class CellularModem : IModelModem, IDisposable
{
    private readonly Esp32Device _device;
    private readonly StringBuilder _sent = new();

    public CellularModem(Esp32Device device, ModemBehaviour behaviour, MqttRelay relay)
    {
        _device = device;
        Modem = new SimulatedModem(new DeviceClock(device), behaviour, relay);
    }

    public SimulatedModem Modem { get; }

    /// <summary>The hardware design guides' power-on and power-off pulse minima of <paramref name="kind"/> (docs/references.md, "Cellular modems"): A7670 50 ms / 2.5 s, EC800N 500 ms / 650 ms.</summary>
    public static (int On, int Off) PulseMinima(ModemKind kind) => kind == ModemKind.Quectel ? (500, 650) : (50, 2500);

    public void On()
    {
        _device.RadioOn();
        Modem.On();
    }

    public void Off()
    {
        Modem.Off();
        _device.RadioOff();
    }

    public int Read(byte[] buffer, int offset, int count)
    {
        int n = Modem.Read(buffer, offset, count);
        if (n > 0)
        {
            string text = Encoding.ASCII.GetString(buffer, offset, n);
            if (text.Contains("+CMQTTPUB: ", StringComparison.Ordinal) || text.Contains("+QMTPUB: ", StringComparison.Ordinal))
            {
                _device.Step("mqtt-puback");
            }
        }

        return n;
    }

    public void Write(byte[] buffer, int offset, int count)
    {
        _sent.Append(Encoding.ASCII.GetString(buffer, offset, count));
        int cr;
        while ((cr = _sent.ToString().IndexOf('\r', StringComparison.Ordinal)) >= 0)
        {
            string line = _sent.ToString(0, cr);
            _sent.Remove(0, cr + 1);
            // Payload bytes sent after a '>' prompt carry no CR, so they lead the next command line.
            if (line.Contains("AT+CMQTTPUB=", StringComparison.Ordinal) || line.Contains("AT+QMTPUB=", StringComparison.Ordinal))
            {
                _device.Step("mqtt-publish");
            }
            else if (line.Contains("AT+CMQTTCONNECT=", StringComparison.Ordinal) || line.Contains("AT+QMTCONN=", StringComparison.Ordinal))
            {
                _device.CountMqttConnect();
            }
        }

        if (_sent.Length > 4096)
        {
            _sent.Clear(); // payload bytes after a prompt hold no CR: keep only what a command line could be
        }

        Modem.Write(buffer, offset, count);
    }

    public void Dispose() => Modem.Dispose();

    private sealed class DeviceClock(Esp32Device device) : IClock
    {
        public long UtcSeconds => device.RtcMs / 1000;

        public long Millis => device.TrueMs;

        public void Sleep(int ms) => device.Advance(ms);
    }
}
