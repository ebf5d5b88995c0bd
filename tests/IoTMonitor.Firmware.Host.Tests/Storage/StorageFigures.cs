using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Tests;
using IoTMonitor.Firmware.Core.Time;
using IoTMonitor.Firmware.Host.Node;
using IoTMonitor.Firmware.Host.Sensors;
using IoTMonitor.Firmware.Host.Signals;
using IoTMonitor.Firmware.RuntimeModel.LittleFs;

namespace IoTMonitor.Firmware.Host.Tests.Storage;

/// <summary>
/// Runs the core's NodeCycle with a shipped config (firmware/IoTMonitor.Firmware/config) on the
/// simulated sensor board and the LittleFS model, wake after wake, on a clock the test steps:
/// the source of the capacity and wear figures in firmware/README.md ("Flash storage").
/// </summary>
internal sealed class StorageFigures
{
    /// <summary>Rated program/erase cycles per sector of the module's SPI NOR flash (docs/references.md, "Flash storage").</summary>
    public const double EraseCyclesPerSector = 100_000;

    private readonly byte[] _config;
    private readonly StepClock _clock = new(1_764_316_800);
    private readonly VirtualPower _power = new();
    private readonly SimulatedSensorFactory _sensors;

    public StorageFigures(string type)
    {
        Type = type;
        _config = File.ReadAllBytes(RepoPaths.Combine("firmware", "IoTMonitor.Firmware", "config", type + ".json"));
        Flash = FlashVolumes.Esp32With(_config);
        Files = new ModelFileStore(Flash);
        var env = new SiteEnvironment("figures", 36, 104, 1500);
        var board = new NodeBoard(type, env, () => _clock.UtcSeconds, () => 3.95, _ => ProbeFault.None, 11);
        _sensors = new SimulatedSensorFactory(board, _clock);
    }

    public string Type { get; }

    public LittleFsVolume Flash { get; }

    public ModelFileStore Files { get; }

    public long Sampled { get; private set; }

    public long Wakes { get; private set; }

    public long StartUtc => 1_764_316_800;

    public long NowUtc => _clock.UtcSeconds;

    /// <summary>Runs one wake (deep-sleep wake after the first) and sleeps as asked; returns the cycle.</summary>
    public NodeCycle Wake(INodeLink link)
    {
        _clock.BeginWake();
        var cycle = new NodeCycle(_clock, link, _power, _sensors, Files, VirtualNode.QueueBudgetBytes, _config);
        var r = cycle.Run();
        Flash.Reset(); // deep sleep: a reset that closes nothing
        Sampled += r.Sampled;
        Wakes++;
        _clock.SleepSeconds(Math.Max(1, r.SleepSeconds));
        _power.NextRun();
        return cycle;
    }

    /// <summary>Blocks of the volume holding data that never moves (config files): not part of dynamic wear levelling.</summary>
    public int StaticBlocks()
    {
        var blocks = 0;
        foreach (var name in Flash.List())
        {
            if (name.StartsWith("con_", StringComparison.Ordinal) || name == FlashVolumes.ConfigFile)
            {
                var size = Flash.CommittedContent(name).Length;
                blocks += size <= Flash.Geometry.InlineMax ? 0 : (size + Flash.Geometry.BlockSize - 1) / Flash.Geometry.BlockSize;
            }
        }

        return blocks;
    }

    /// <summary>A clock the test steps: deep sleep advances it, Sleep within a wake too.</summary>
    private sealed class StepClock(long utc) : IClock
    {
        private long _utcMs = utc * 1000;
        private long _wakeStartMs;

        public long UtcSeconds => _utcMs / 1000;

        public long Millis => _utcMs - _wakeStartMs;

        public void BeginWake() => _wakeStartMs = _utcMs;

        public void Sleep(int ms) => _utcMs += Math.Max(0, ms);

        public void SleepSeconds(long s) => _utcMs += s * 1000;
    }
}

/// <summary>A network that is down (an outage): Wi-Fi never joins.</summary>
internal sealed class DownLink : INodeLink
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

/// <summary>A network that works: every publish is acknowledged, nothing arrives (no remote config).</summary>
internal sealed class AckLink : INodeLink
{
    public long Published { get; private set; }

    public int Rssi => -70;

    public LinkStatus Connect(LinkSettings settings, int timeoutMs) => LinkStatus.Ok;

    public bool SyncTime(string server, int timeoutMs) => true;

    public LinkStatus Publish(string topic, byte[] payload, int offset, int count, bool retain, int timeoutMs)
    {
        Published++;
        return LinkStatus.Ok;
    }

    public int Receive(byte[] buffer, int timeoutMs, out string topic)
    {
        topic = null!;
        return -1;
    }

    public void Disconnect()
    {
    }
}
