using IoTMonitor.Firmware.Core.Cellular;

namespace IoTMonitor.Firmware.Host.Modem;

/// <summary>
/// How a <see cref="SimulatedModem"/> behaves: its command family, its timings and the faults it
/// shows on demand. Timings are the manuals' where they give one; the rest are estimates (marked).
/// </summary>
public sealed class ModemBehaviour
{
    public ModemKind Kind { get; set; } = ModemKind.Simcom;

    /// <summary>
    /// Power-on to first answer, ms. A7670 hardware design guide: the UART is ready ≈ 10 s after the
    /// PWRKEY pulse (estimate: the guide gives it as typical). Tests shorten it.
    /// </summary>
    public int BootMs { get; set; } = 10_000;

    /// <summary>Answer → registered (stat 1), ms. Estimate: an LTE attach with a cached cell takes 2–5 s.</summary>
    public int RegistrationMs { get; set; } = 3_000;

    /// <summary>Delay of an ordinary command's OK, ms (estimate; the manuals list only maxima).</summary>
    public int CommandMs { get; set; } = 20;

    /// <summary>Radio round trip added to every MQTT step (CONNACK, SUBACK, PUBACK), ms. Estimate for LTE Cat-1: 50–150 ms.</summary>
    public int RoundTripMs { get; set; } = 120;

    /// <summary>Echo on at power-on (V.250: ATE1 is the factory default).</summary>
    public bool EchoAtBoot { get; set; } = true;

    /// <summary>Send line noise before the boot URCs (a UART that powers up before the modem's baud rate is set).</summary>
    public bool GarbageAtBoot { get; set; }

    /// <summary>The network's time the modem reports in AT+CCLK (NITZ), UTC; the machine's by default.</summary>
    public Func<DateTime> NetworkUtc { get; set; } = () => DateTime.UtcNow;

    /// <summary>
    /// PSM as the network answers it (3GPP TS 24.301 §5.3.11: the network may grant the requested
    /// timers, others, or none): false = it grants an active time and a periodic TAU.
    /// </summary>
    public bool PsmDenied { get; set; }

    /// <summary>The periodic TAU the network grants instead of the requested one (GPRS Timer 3 bits, e.g. "00000011" = 30 min); null = as requested.</summary>
    public string? PsmGrantedTau { get; set; }

    /// <summary>PWRKEY wake from PSM to the first answer, ms (estimate: no boot, the stack resumes).</summary>
    public int PsmResumeMs { get; set; } = 1_000;

    // Faults.
    public bool NoSim { get; set; }

    public bool RegistrationDenied { get; set; }

    /// <summary>Never registers (no coverage): +CEREG stat stays 2 (searching).</summary>
    public bool NoNetwork { get; set; }

    /// <summary>
    /// Count only publishes whose topic contains this text for the publish-numbered faults below
    /// (e.g. "telemetry", so a fault hits a batch of readings and not a status); null counts all.
    /// </summary>
    public string? FaultTopic { get; set; }

    /// <summary>The broker's PUBACK for publish number N (1-based, counted over the modem's life) never comes.</summary>
    public HashSet<int> PubAckNever { get; } = [];

    /// <summary>PUBACK of every publish delayed by this much, ms.</summary>
    public int PubAckDelayMs { get; set; }

    /// <summary>The broker closes the connection instead of acknowledging publish number N (+CMQTTCONNLOST / +QMTSTAT).</summary>
    public HashSet<int> BrokerClosesAt { get; } = [];

    /// <summary>The modem restarts (RDY / *ATREADY) at publish number N, after the broker got it but before the PUBACK reaches the node.</summary>
    public HashSet<int> ResetAt { get; } = [];

    /// <summary>Registration is lost at publish number N (signal loss mid-publish: +CMQTTNONET / +QMTSTAT 7).</summary>
    public HashSet<int> SignalLossAt { get; } = [];

    /// <summary>The modem hangs at publish number N: it answers nothing until its power is cycled.</summary>
    public HashSet<int> HangAt { get; } = [];

    /// <summary>Commands starting with any of these answer ERROR.</summary>
    public List<string> ErrorOn { get; } = [];

    /// <summary>
    /// ERROR to any command: the first time each command (by name, <see cref="SimulatedModem.CommandName"/>)
    /// is sent it answers ERROR instead of its answer, wherever it comes in a session, so every
    /// command the node uses fails once (<see cref="SimulatedModem.Errored"/>). ERROR is a final result
    /// code any command line may end with (ITU-T V.250 §5.7.1; 3GPP TS 27.007 §9.1 with +CMEE=0).
    /// </summary>
    public bool ErrorSweep { get; set; }

    /// <summary>Line noise on the UART between the OK of publish number N and its PUBACK report (EMI from the transmit burst).</summary>
    public HashSet<int> GarbageAt { get; } = [];
}
