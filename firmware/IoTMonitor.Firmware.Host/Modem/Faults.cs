namespace IoTMonitor.Firmware.Host.Modem;

/// <summary>The names <see cref="SimulatedModem.Fired"/> counts faults under (one per fault kind the model shows on demand).</summary>
public static class Faults
{
    public const string None = "";
    public const string NoSim = "no SIM";
    public const string NoRegistration = "no registration";
    public const string RegistrationDenied = "registration denied";
    public const string SignalLoss = "signal loss mid-publish";
    public const string BrokerClosed = "connection lost (+CMQTTCONNLOST / +QMTSTAT)";
    public const string Error = "ERROR to a command";
    public const string Hang = "hung modem";
    public const string HangPowerCycled = "hung modem power-cycled";
    public const string Garbage = "garbage on the line";
    public const string Reset = "modem restart mid-publish";
    public const string PubAckLost = "PUBACK lost";
}
