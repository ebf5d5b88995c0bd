using IoTMonitor.Firmware.Host.Node;
using IoTMonitor.Firmware.Host.Sensors;
using IoTMonitor.Firmware.Host.Signals;

namespace IoTMonitor.Firmware.Host.Fleet;

/// <summary>Which nodes get a faulty probe, which probe, what fault and from when: deterministic per device id.</summary>
public static class FaultPlan
{
    /// <summary>Sensor ids of each node type's config (<see cref="DeviceConfigDocument"/>).</summary>
    public static string[] Probes(string type) => type switch
    {
        "water" => ["temp", "ph", "ec", "turbidity", "do", "level"],
        "soil" => ["soil"],
        _ => ["bme280", "pm"],
    };

    /// <summary>
    /// Gives <paramref name="share"/> of the nodes one faulty probe (drift, stuck or failed) from a
    /// time in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>) (seconds); others unchanged.
    /// </summary>
    public static NodeSpec Apply(NodeSpec spec, double share, long fromUtc, long toUtc)
    {
        var seed = Noise.Hash(spec.Device);
        if (spec.Faults.Count > 0 || Noise.Uniform(seed, 50) >= share)
        {
            return spec;
        }

        var probes = Probes(spec.Type);
        var probe = probes[(int)(Noise.Uniform(seed, 51) * probes.Length)];
        var kind = (ProbeFaultKind)(1 + (int)(Noise.Uniform(seed, 52) * 3));
        var at = fromUtc + (long)(Noise.Uniform(seed, 53) * Math.Max(1, toUtc - fromUtc));
        var drift = probe switch
        {
            "ph" => 0.05,
            "ec" => 15,
            "turbidity" => 2,
            "do" => -0.1,
            "level" => 0.01,
            _ => 0.2,
        };
        return spec with { Faults = new Dictionary<string, ProbeFault> { [probe] = new ProbeFault(kind, at, drift) } };
    }
}
