using System.Text;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Node;
using IoTMonitor.Firmware.Host.Sensors;
using IoTMonitor.Firmware.Host.Signals;
using IoTMonitor.Firmware.RuntimeModel.LittleFs;

namespace IoTMonitor.Firmware.Host.Tests.Node;

/// <summary>A virtual node's parts with a link that never connects, so the readings stay in its queue for inspection.</summary>
public sealed class OfflineNode
{
    public OfflineNode(string type, IReadOnlyDictionary<string, ProbeFault>? faults = null, long startUtcMs = 1_750_000_000_000, string? config = null)
    {
        Sim = new SimulationClock(startUtcMs, 1);
        Clock = new VirtualClock(Sim);
        Env = new SiteEnvironment("test-site", 36, 104, 1500);
        Battery = new BatteryModel(t => Env.Sun(t));
        Power = new VirtualPower(Battery);
        faults ??= new Dictionary<string, ProbeFault>();
        Board = new NodeBoard(type, Env, () => Clock.TrueUtcMs / 1000, () => Battery.Volts, id => faults.GetValueOrDefault(id) ?? ProbeFault.None, 7);
        Sensors = new SimulatedSensorFactory(Board, Clock);
        Config = Encoding.UTF8.GetBytes(config ?? DeviceConfigDocument.Build(new DeviceConfigRequest("test-site", "node-1", type, "127.0.0.1", 1, "secret")));
        Flash = FlashVolumes.Esp32With(Config);
        Files = new ModelFileStore(Flash);
    }

    public SimulationClock Sim { get; }

    public VirtualClock Clock { get; }

    public SiteEnvironment Env { get; }

    public BatteryModel Battery { get; }

    public VirtualPower Power { get; }

    public NodeBoard Board { get; }

    public SimulatedSensorFactory Sensors { get; }

    public byte[] Config { get; }

    /// <summary>The node's I: volume (LittleFS model) with the runtime's config files and this node's config.</summary>
    public LittleFsVolume Flash { get; private set; } = null!;

    public ModelFileStore Files { get; private set; } = null!;

    /// <summary>Runs one wake (power-on, synced clock) and returns the readings it queued.</summary>
    public (NodeCycleResult Result, Reading[] Readings) Wake()
    {
        Clock.PowerOn();
        Clock.Sync();
        var cycle = new NodeCycle(Clock, new NoLink(), Power, Sensors, Files, VirtualNode.QueueBudgetBytes, Config);
        var result = cycle.Run();
        Flash.Reset(); // deep sleep closes nothing
        var readings = new Reading[ProtocolLimits.MaxReadings];
        var n = cycle.Queue.BeginBatch(readings, readings.Length, out _);
        return (result, readings[..n]);
    }

    private sealed class NoLink : INodeLink
    {
        public int Rssi => 0;

        public LinkStatus Connect(LinkSettings settings, int timeoutMs) => LinkStatus.WifiFailed;

        public bool SyncTime(string server, int timeoutMs) => false;

        public LinkStatus Publish(string topic, byte[] payload, int offset, int count, bool retain, int timeoutMs) => LinkStatus.Disconnected;

        public int Receive(byte[] buffer, int timeoutMs, out string topic)
        {
            topic = null!;
            return -1;
        }

        public void Disconnect()
        {
        }
    }
}
