using IoTMonitor.Firmware.Host.Link;
using IoTMonitor.Firmware.Host.Signals;

namespace IoTMonitor.Firmware.Host.Fleet;

/// <summary>How a <see cref="VirtualFleet"/> runs.</summary>
public sealed class FleetOptions
{
    /// <summary>Every Nth node added reports over a simulated cellular modem (SIMCom and Quectel alternately); 0: all Wi-Fi.</summary>
    public int CellularEvery { get; set; }

    /// <summary>Simulated seconds per real second.</summary>
    public double Speedup { get; set; } = 60;

    /// <summary>Simulated time at the start, Unix ms (default: now − <see cref="Backfill"/>).</summary>
    public long? StartUtcMs { get; set; }

    /// <summary>How far in the past the simulation starts when <see cref="StartUtcMs"/> is not set.</summary>
    public TimeSpan Backfill { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How far behind the fleet's clock a wake may start at the moment its node's timer fired
    /// (simulated time). A host busier than this starts the wake at the fleet's time instead, and
    /// the node skips what it missed, as an overloaded simulation shows. The default keeps every
    /// node's schedule through the host's ordinary delays (at 300× a wake that takes 0.5 s real is
    /// 150 s simulated) without letting a fleet the host cannot carry fall further and further behind.
    /// </summary>
    public TimeSpan MaxWakeLag { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Threads that run wakes (each wake is short and synchronous).</summary>
    public int Workers { get; set; } = Math.Clamp(System.Environment.ProcessorCount * 4, 8, 64);

    /// <summary>Spread of the first wakes over this much simulated time, so nodes do not all wake at once.</summary>
    public TimeSpan StartSpread { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Link settings shared by the nodes (broker override, stay connected, timeouts).</summary>
    public LinkOptions Link { get; set; } = new();

    public OutageOptions Outages { get; set; } = new();

    public EnvironmentOptions Environment { get; set; } = new();

    /// <summary>Share of nodes that get one faulty probe (drift, stuck or failed) some time in the run.</summary>
    public double FaultyShare { get; set; } = 0.1;

    /// <summary>Faults start at a random time this long from the simulated start.</summary>
    public TimeSpan FaultWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Keep each node's flash in files under this folder (null: in memory).</summary>
    public string? FlashDir { get; set; }
}
