using System.Text;
using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Storage;
using IoTMonitor.Firmware.Core.Time;
using IoTMonitor.Firmware.Host.Link;
using IoTMonitor.Firmware.Host.Modem;
using IoTMonitor.Firmware.Host.Sensors;
using IoTMonitor.Firmware.Host.Signals;
using IoTMonitor.Firmware.Host.Storage;
using IoTMonitor.Firmware.RuntimeModel.LittleFs;

namespace IoTMonitor.Firmware.Host.Node;

/// <summary>
/// One virtual node: the firmware core's <see cref="NodeCycle"/>, unchanged, with host adapters —
/// <see cref="VirtualClock"/>, <see cref="MqttNodeLink"/>, <see cref="VirtualPower"/> with a
/// <see cref="BatteryModel"/>, flash as an <see cref="IFileStore"/> (the LittleFS model, or host
/// files) and the simulated
/// <see cref="NodeBoard"/>. <see cref="Wake"/> runs one wake, like the ESP32 app's Main after a
/// deep sleep, and returns when the node asks to sleep.
/// </summary>
/// <remarks>
/// Not thread-safe: the fleet scheduler runs one wake of a node at a time. A brown-out (battery
/// below <see cref="BrownOutVolts"/>) keeps the node dead until the sun has charged it back above
/// <see cref="RecoverVolts"/>; it then cold-starts (boot + 1, unsynced clock), keeping its flash.
/// </remarks>
public sealed class VirtualNode : IDisposable
{
    public const double BrownOutVolts = 3.3;
    public const double RecoverVolts = 3.6;

    /// <summary>The queue's byte budget: the ESP32 app's (Program.QueueBudgetBytes, 44 segments of 4 KB).</summary>
    public const int QueueBudgetBytes = 44 * 4096;

    private readonly byte[] _config;
    private readonly IFileStore _files;
    private bool _poweredOn;
    private bool _dead;
    private bool _counterWake;

    public VirtualNode(NodeSpec spec, SimulationClock sim, LinkOptions? linkOptions = null, string? flashDir = null)
    {
        Spec = spec;
        _config = Encoding.UTF8.GetBytes(spec.Cellular is { } family ? CellularConfig(spec.ConfigJson, family) : spec.ConfigJson);
        Clock = new VirtualClock(sim);
        Environment = new SiteEnvironment(spec.Site, spec.Lat, spec.Lon, spec.Alt, spec.EnvironmentOptions);
        Battery = new BatteryModel(t => Environment.Sun(t), stateOfCharge: spec.InitialCharge);
        Power = new VirtualPower(Battery);
        var options = linkOptions ?? new LinkOptions();
        Link = new MqttNodeLink(Clock, options);
        if (spec.Cellular is { } kind)
        {
            // The modem model's MQTT side goes where the Wi-Fi link would (the options' host and port
            // override the config's, as for MqttNodeLink); its clock is the node's true time.
            var clock = new TrueTimeClock(Clock);
            var behaviour = new ModemBehaviour { Kind = kind, NetworkUtc = () => DateTimeOffset.FromUnixTimeMilliseconds(Clock.TrueUtcMs).UtcDateTime };
            var relay = new MqttRelay { Route = (host, port) => (options.HostOverride ?? host, options.PortOverride ?? port) };
            ModemModel = new SimulatedModem(clock, behaviour, relay);
            Modem = new ModemLink(ModemModel, Clock, kind, null, null, ModemModel, Clock);
        }
        var seed = (int)(Noise.Hash(spec.Device) & 0x7FFFFFFF);
        Board = new NodeBoard(spec.Type, Environment, () => Clock.TrueUtcMs / 1000, () => Battery.Volts, spec.FaultOf, seed);
        Sensors = new SimulatedSensorFactory(Board, Clock);
        if (flashDir is null)
        {
            Flash = FlashVolumes.Esp32With(_config);
            _files = new ModelFileStore(Flash);
        }
        else
        {
            _files = new DirectoryFileStore(Path.Combine(flashDir, spec.Device));
        }
    }

    public NodeSpec Spec { get; }

    /// <summary>The node's I: volume (the LittleFS model); null when the flash is host files.</summary>
    public LittleFsVolume? Flash { get; }

    public string Id => Spec.Device;

    public VirtualClock Clock { get; }

    public SiteEnvironment Environment { get; }

    public BatteryModel Battery { get; }

    public VirtualPower Power { get; }

    public MqttNodeLink Link { get; }

    /// <summary>The cellular link (the modem model behind AT commands) of a node whose spec says <see cref="NodeSpec.Cellular"/>; null over Wi-Fi.</summary>
    public ModemLink? Modem { get; }

    /// <summary>The simulated modem of a cellular node (its faults: <see cref="SimulatedModem.Behaviour"/>); null over Wi-Fi.</summary>
    public SimulatedModem? ModemModel { get; }

    public NodeBoard Board { get; }

    public SimulatedSensorFactory Sensors { get; }

    /// <summary>Readings the node sampled and queued (its own count, the truth for end-to-end checks).</summary>
    public long Sampled { get; private set; }

    /// <summary>Readings the broker acknowledged.</summary>
    public long Uploaded { get; private set; }

    public long Wakes { get; private set; }

    public long ConnectAttempts { get; private set; }

    public long ConnectFailures { get; private set; }

    public long Reboots { get; private set; }

    public long BrownOuts { get; private set; }

    /// <summary>Readings waiting in flash after the last wake.</summary>
    public int Queued { get; private set; }

    /// <summary>Readings overwritten unsent in the current boot (h.drop).</summary>
    public int Dropped { get; private set; }

    public LinkStatus LastLinkError { get; private set; }

    /// <summary>Config error code the node runs with (0: none).</summary>
    public int ConfigError { get; private set; }

    /// <summary>Low-battery mode the node ended its last wake in (Core Power/PowerMode; 0 Normal).</summary>
    public int PowerMode { get; private set; }

    /// <summary>True when the node ended its last wake in event mode (Core Node/EventMode).</summary>
    public bool EventMode { get; private set; }

    /// <summary>
    /// Wakes the rain counter's INT began (EXT1, <c>Sleep.GetWakeupCause()</c> = Ext1, 3, on the
    /// ESP32) rather than the sleep timer.
    /// </summary>
    public long CounterWakes { get; private set; }

    /// <summary>True when the last wake was the rain counter's INT (EXT1).</summary>
    public bool LastWakeByCounter { get; private set; }

    /// <summary>Node time the last wake took, ms (the wake cost).</summary>
    public long LastAwakeMs { get; private set; }

    /// <summary>True while the node is dead from a flat battery.</summary>
    public bool IsDead => _dead;

    /// <summary>
    /// Raised as a wake begins, with its simulated start (Unix ms): lets a bench pair the node's
    /// time with the real clock.
    /// </summary>
    public event Action<long>? WakeBegan;

    /// <summary>
    /// Runs one wake at the fleet's current simulated time and returns the simulated UTC (ms) of
    /// the next one. Exceptions from the core propagate (a bug, not a simulated fault).
    /// </summary>
    public long Wake() => Run(null);

    /// <summary>
    /// Runs one wake that starts at simulated time <paramref name="simUtcMs"/>, the moment its
    /// sleep timer fired, though a busy host runs it later, and returns the
    /// simulated UTC (ms) of the next one.
    /// </summary>
    public long WakeAt(long simUtcMs) => Run(simUtcMs);

    private long Run(long? simUtcMs)
    {
        if (simUtcMs is { } at)
        {
            Clock.BeginWakeAt(at);
        }
        else
        {
            Clock.BeginWake();
        }

        WakeBegan?.Invoke(Clock.TrueUtcMs);
        var now = Clock.TrueUtcMs;
        Battery.AdvanceTo(now / 1000.0);
        if (!_poweredOn || _dead)
        {
            if (Battery.Volts < (_dead ? RecoverVolts : BrownOutVolts))
            {
                _dead = true;
                return now + (30 * 60 * 1000);
            }

            Clock.RtcPowerOn();
            Board.Rtc?.PowerUp();
            Power.NextRun(_dead ? ResetReason.BrownOut : ResetReason.PowerOn);
            _poweredOn = true;
            _dead = false;
        }
        else if (Battery.Volts < BrownOutVolts)
        {
            BrownOuts++;
            _dead = true;
            DropLinks();
            return now + (30 * 60 * 1000);
        }

        INodeLink link = Modem is null ? Link : Modem;
        var cycle = new NodeCycle(Clock, link, Power, Sensors, _files, QueueBudgetBytes, _config) { BackupClock = new BackupClock(Board, Clock), Network = Modem?.Report };
        Sensors.RainTally = cycle.RainTally;
        cycle.WokenByCounter = _counterWake;
        LastWakeByCounter = _counterWake;
        CounterWakes += _counterWake ? 1 : 0;
        _counterWake = false;
        var r = cycle.Run();

        // Deep sleep (or the reboot) resets the chip: whatever a wake left uncommitted is gone.
        Flash?.Reset();
        Wakes++;
        Sampled += r.Sampled;
        Uploaded += r.Uploaded;
        if (r.Connected)
        {
            ConnectAttempts++;
        }

        if (r.LinkError != LinkStatus.Ok)
        {
            ConnectFailures++;
        }

        LastLinkError = r.LinkError;
        ConfigError = r.ConfigError;
        PowerMode = r.PowerMode;
        EventMode = r.EventMode;
        Queued = cycle.Queue.Count;
        Dropped = cycle.Queue.Dropped;
        LastAwakeMs = Clock.Millis;
        Battery.SpendWake(LastAwakeMs);
        var next = Clock.TrueUtcMs + (Math.Max(1, r.SleepSeconds) * 1000L);

        // The board wires the counter's INT (open drain, active low) to an RTC GPIO and the app
        // enables EXT1 "all low" on it when the config has the gauge: INT going low ends the sleep early
        // (already low as the node sleeps: ESP-IDF wakes it at once; at least 1 s here).
        if (!r.Rebooted && Power.CounterWake && Board.TippingBucket.IntLowBetween(Clock.TrueUtcMs / 1000, next / 1000) is { } lowAt)
        {
            next = Math.Max(Clock.TrueUtcMs + 1000, lowAt * 1000);
            _counterWake = true;
        }

        if (r.Rebooted)
        {
            Reboots++;
            DropLinks();
            Clock.PowerOn();
            next = Clock.TrueUtcMs + 2000;
        }

        Power.NextRun();
        return next;
    }

    /// <summary>
    /// Power is cut: the TCP connection drops without DISCONNECT (the broker sends the will), RAM is
    /// lost, flash stays; the rain counter on the same supply loses its count; an RTC with its cell
    /// keeps time.
    /// </summary>
    public void PowerCut()
    {
        DropLinks();
        Board.TippingBucket.PowerCut();
        _counterWake = false;
        Board.Rtc?.PowerCut();
        Flash?.Reset();
        _poweredOn = false;
    }

    public void Dispose()
    {
        Link.Dispose();
        ModemModel?.Dispose();
    }

    // A reset or power cut: the Wi-Fi link's socket is gone, and the modem loses its supply.
    private void DropLinks()
    {
        Link.Drop();
        ModemModel?.Off();
    }

    /// <summary>
    /// The node type's Wi-Fi config as its cellular variant: <c>cellular</c> (the family) instead of
    /// <c>wifi</c>; TLS as the config had it (the simulator's brokers listen without TLS).
    /// </summary>
    public static string CellularConfig(string configJson, ModemKind kind)
    {
        var doc = JsonNode.Parse(configJson)!.AsObject();
        doc.Remove("wifi");
        doc["cellular"] = new JsonObject { ["modem"] = kind switch { ModemKind.Quectel => "quectel", ModemKind.SimcomSm => "sim7080", _ => "simcom" } };
        var mqtt = doc["mqtt"]!.AsObject();
        if (!mqtt.ContainsKey("tls"))
        {
            mqtt["tls"] = false;
        }

        return doc.ToJsonString();
    }

    // The modem model's time: the node's true UTC in ms, which runs on across wakes and power cuts.
    private sealed class TrueTimeClock(VirtualClock clock) : IClock
    {
        public long UtcSeconds => clock.UtcSeconds;

        public long Millis => clock.TrueUtcMs;

        public void Sleep(int ms) => clock.Sleep(ms);
    }
}

/// <summary>Everything a virtual node is built from.</summary>
public sealed record NodeSpec(string Site, string Device, string Type, string ConfigJson, double Lat = 35, double Lon = 105, double Alt = 1000)
{
    /// <summary>Probe faults by sensor id (none by default).</summary>
    public IReadOnlyDictionary<string, ProbeFault> Faults { get; init; } = new Dictionary<string, ProbeFault>();

    public EnvironmentOptions? EnvironmentOptions { get; init; }

    /// <summary>State of charge at the start, 0–1.</summary>
    public double InitialCharge { get; init; } = 0.8;

    /// <summary>The node reports over a cellular modem of this family instead of Wi-Fi (null: Wi-Fi).</summary>
    public ModemKind? Cellular { get; init; }

    public ProbeFault FaultOf(string sensorId) => Faults.GetValueOrDefault(sensorId) ?? ProbeFault.None;
}
