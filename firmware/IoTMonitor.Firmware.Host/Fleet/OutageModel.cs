using IoTMonitor.Firmware.Host.Signals;

namespace IoTMonitor.Firmware.Host.Fleet;

/// <summary>
/// WiFi outages of one node: random outages (a rate per day, durations log-uniform from
/// <see cref="OutageOptions.MinOutage"/> to <see cref="OutageOptions.MaxOutage"/>, i.e. minutes to
/// days) plus fleet-wide windows (a gateway-side network cut). Deterministic from the node id.
/// </summary>
public sealed class OutageModel
{
    private const long BlockMs = 3_600_000; // outages start on hour blocks

    private readonly long _seed;
    private readonly OutageOptions _o;

    public OutageModel(string nodeId, OutageOptions options)
    {
        _seed = Noise.Hash(nodeId) ^ 0x5EED;
        _o = options;
    }

    /// <summary>True while the node's WiFi is down at simulated UTC <paramref name="utcMs"/>.</summary>
    public bool IsDown(long utcMs)
    {
        foreach (var w in _o.Windows)
        {
            if (utcMs >= w.FromUtcMs && utcMs < w.ToUtcMs)
            {
                return true;
            }
        }

        if (_o.PerDay <= 0)
        {
            return false;
        }

        var pStart = _o.PerDay / 24.0;
        var maxBlocks = (long)Math.Ceiling(_o.MaxOutage.TotalMilliseconds / BlockMs);
        var block = utcMs / BlockMs;
        for (var k = 0; k <= maxBlocks; k++)
        {
            var b = block - k;
            if (Noise.Uniform(_seed, 30, b) >= pStart)
            {
                continue;
            }

            var lnMin = Math.Log(_o.MinOutage.TotalMilliseconds);
            var lnMax = Math.Log(_o.MaxOutage.TotalMilliseconds);
            var length = Math.Exp(lnMin + ((lnMax - lnMin) * Noise.Uniform(_seed, 31, b)));
            var start = (b * BlockMs) + (long)(Noise.Uniform(_seed, 32, b) * BlockMs);
            if (utcMs >= start && utcMs < start + length)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The fleet's outage settings.</summary>
public sealed class OutageOptions
{
    /// <summary>Random outages starting per node per day (0: none).</summary>
    public double PerDay { get; set; } = 0.05;

    public TimeSpan MinOutage { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan MaxOutage { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Outages of every node at once, simulated UTC ms [from, to).</summary>
    public List<(long FromUtcMs, long ToUtcMs)> Windows { get; } = new();
}
