using System.Collections.Concurrent;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Query;

/// <summary>The newest reading of one (site, device, quantity).</summary>
/// <param name="T">Sampling time, Unix seconds.</param>
/// <param name="Raw">What the driver read before calibration (volts, counts), when the node sent it: a technician calibrating on site reads it.</param>
/// <param name="Cal">The batch's calibration id (protocol §4 <c>cal</c>), when sent.</param>
public sealed record LatestReading(string Site, string Device, string Quantity, long T, double? Value, long Flags, double? Raw = null, string? Cal = null);

/// <summary>What the gateway last heard from one device.</summary>
/// <param name="LastSeen">Gateway time of the device's last message.</param>
/// <param name="ReportIntervalSeconds">Longest of the recent gaps between its messages, however short (0 until two were seen).</param>
public sealed record DeviceState(string Site, string Device, DateTimeOffset LastSeen, double? Battery, long? Rssi, long? Backlog, long? Dropped, long? Boot, string? Firmware, double ReportIntervalSeconds);

/// <summary>
/// Newest value per (site, device, quantity) and newest health per device, in memory. Fed by the
/// ingest stream (<see cref="Observe"/>, called where validated readings pass) and filled once at start
/// from InfluxDB (<see cref="Warm"/>); the API reads it without touching the database. A value only
/// replaces an older one (by sampling time), so a late backlog batch does not hide a newer value.
/// </summary>
public sealed class LatestValueCache(TimeProvider time)
{
    private const int IntervalsKept = 8;

    // two messages in the same clock tick still make a known (non-zero) interval
    private const double MinGapSeconds = 0.001;

    private readonly ConcurrentDictionary<(string Site, string Device, string Quantity), LatestReading> _values = new();
    private readonly ConcurrentDictionary<(string Site, string Device), DeviceEntry> _devices = new();

    /// <summary>Takes what it needs from one validated message. Runs on the ingest path: copies, never blocks.</summary>
    public void Observe(DecodeResult result)
    {
        if (!result.IsValid)
        {
            return;
        }

        var site = result.Site;
        var device = result.Device;
        foreach (var r in result.Readings)
        {
            Put(new LatestReading(site, device, r.Quantity.Code, r.T, r.Value, r.Flags, r.Raw, result.Cal));
        }

        var entry = _devices.GetOrAdd((site, device), static _ => new DeviceEntry());
        lock (entry)
        {
            var now = time.GetUtcNow();
            if (entry.State is { } previous)
            {
                // every gap counts, a burst's sub-second ones too: the longest is taken, so short ones
                // never shorten the estimate, and a device heard only in one quick burst is judged by
                // Query:MinReportIntervalSeconds instead of the hour-long default (SiteStatus)
                entry.Gaps.Enqueue(Math.Max((now - previous.LastSeen).TotalSeconds, MinGapSeconds));
                if (entry.Gaps.Count > IntervalsKept)
                {
                    entry.Gaps.Dequeue();
                }
            }

            entry.State = new DeviceState(site, device, now, result.Battery, result.Rssi, result.QueueDepth, result.Dropped, result.Boot, result.Fw, entry.Gaps.Count == 0 ? 0 : entry.Gaps.Max());
        }
    }

    /// <summary>Adds a value found in the database at start; kept only if nothing newer came from the stream.</summary>
    public void Warm(LatestReading reading) => Put(reading);

    /// <summary>Adds device health found in the database at start (the time of its last health point stands for last seen).</summary>
    public void WarmDevice(DeviceState state)
    {
        var entry = _devices.GetOrAdd((state.Site, state.Device), static _ => new DeviceEntry());
        lock (entry)
        {
            if (entry.State is null || entry.State.LastSeen < state.LastSeen)
            {
                entry.State = state;
            }
        }
    }

    public IEnumerable<LatestReading> Values(string? site = null, string? device = null, string? quantity = null) =>
        _values.Values.Where(v => (site is null || v.Site == site) && (device is null || v.Device == device) && (quantity is null || v.Quantity == quantity));

    public DeviceState? Device(string site, string device)
    {
        if (!_devices.TryGetValue((site, device), out var entry))
        {
            return null;
        }

        lock (entry)
        {
            return entry.State;
        }
    }

    public IEnumerable<DeviceState> Devices()
    {
        foreach (var entry in _devices.Values)
        {
            DeviceState? s;
            lock (entry)
            {
                s = entry.State;
            }

            if (s is not null)
            {
                yield return s;
            }
        }
    }

    private void Put(LatestReading reading)
    {
        // static lambdas with the reading as argument: no closure per reading on the ingest path
        _values.AddOrUpdate(
            (reading.Site, reading.Device, reading.Quantity),
            static (_, r) => r,
            static (_, old, r) => r.T >= old.T ? r : old,
            reading);
    }

    private sealed class DeviceEntry
    {
        public DeviceState? State;
        public readonly Queue<double> Gaps = new();
    }
}
