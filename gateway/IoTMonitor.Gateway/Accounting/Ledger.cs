using System.Collections.Concurrent;

namespace IoTMonitor.Gateway.Accounting;

/// <summary>The per-device ledgers and the gateway-wide counters.</summary>
public sealed class Ledger
{
    private readonly ConcurrentDictionary<(string Site, string Device), DeviceLedger> _devices = new();

    public GatewayCounters Counters { get; } = new();

    public DeviceLedger For(string site, string device) =>
        _devices.GetOrAdd((site, device), static key => new DeviceLedger(key.Site, key.Device));

    public IEnumerable<DeviceLedger> Devices => _devices.Values;

    public int DeviceCount => _devices.Count;
}
