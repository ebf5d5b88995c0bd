using IoTMonitor.Gateway.Validation;
using System.Globalization;

namespace IoTMonitor.Gateway.Query;

/// <summary>Readings received against readings sent, for one device or window.</summary>
/// <param name="Expected">Sequence numbers the device used in the window (see <see cref="CompletenessQuery"/>).</param>
public sealed record Completeness(long Received, long Expected)
{
    /// <summary>Received / expected, 0–1; null when nothing was expected.</summary>
    public double? Ratio => Expected <= 0 ? null : Math.Min(1.0, (double)Received / Expected);
}

public sealed record CompletenessWindow(long T, Completeness Value);

public sealed record DeviceCompleteness(string Device, Completeness Total, List<CompletenessWindow> Windows);

/// <summary>
/// Data completeness per site and period from the sequence numbers (the same (boot, n) accounting as
/// the gateway's gap ledger, but over stored data, so it has a time axis and survives restarts).
/// Every reading of a boot carries the next <c>n</c>, so per device and window:
/// received = readings stored (distinct: a resend overwrites its point), expected = the sequence numbers
/// used since the previous window's highest of the same boot (or since the window's lowest after a
/// reboot). A window missing entirely is counted in the next window that has data. Readings of one
/// device are spread over the domain measurements, so the four are queried and summed.
/// </summary>
public sealed class CompletenessQuery(InfluxQueryClient influx)
{
    public async Task<List<DeviceCompleteness>> RunAsync(string site, long from, long to, long windowSeconds, CancellationToken cancellationToken)
    {
        var q = string.Create(
            CultureInfo.InvariantCulture,
            $"SELECT count(seq) AS n, min(seq) AS lo, max(seq) AS hi, min(boot) AS b0, max(boot) AS b1 FROM {Quantities.Measurements} WHERE site = {InfluxQueryClient.Literal(site)} AND time >= {from}s AND time < {to}s GROUP BY time({QueryParameters.Duration(windowSeconds)}), device fill(none)");
        var windows = new Dictionary<string, SortedDictionary<long, Acc>>(StringComparer.Ordinal);
        foreach (var s in await influx.QueryAsync(q, cancellationToken).ConfigureAwait(false))
        {
            var byTime = windows.TryGetValue(s.Tag("device"), out var d) ? d : windows[s.Tag("device")] = new SortedDictionary<long, Acc>();
            foreach (var row in s.Rows)
            {
                var n = InfluxQueryClient.AsLong(row[1]);
                if (n == 0)
                {
                    continue;
                }

                var t = InfluxQueryClient.AsLong(row[0]);
                var acc = byTime.TryGetValue(t, out var a) ? a : byTime[t] = new Acc();
                acc.Add(n, InfluxQueryClient.AsLong(row[2]), InfluxQueryClient.AsLong(row[3]), InfluxQueryClient.AsLong(row[4]), InfluxQueryClient.AsLong(row[5]));
            }
        }

        var result = new List<DeviceCompleteness>();
        foreach (var (device, byTime) in windows.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var list = new List<CompletenessWindow>();
            long received = 0, expected = 0, prevBoot = -1, prevHigh = 0;
            foreach (var (t, acc) in byTime)
            {
                long exp, lastHigh;
                if (acc.BootLow == acc.BootHigh)
                {
                    exp = acc.BootLow == prevBoot ? acc.High - prevHigh : acc.High - acc.Low + 1;
                    lastHigh = acc.High;
                }
                else
                {
                    // a reboot inside the window: ask for its readings' (boot, seq) to split it by boot
                    (exp, lastHigh) = await ExpectedAcrossBootsAsync(site, device, Math.Max(t, from), Math.Min(to, t + windowSeconds), prevBoot, prevHigh, cancellationToken).ConfigureAwait(false);
                }

                exp = Math.Max(exp, acc.Count);
                list.Add(new CompletenessWindow(Math.Max(t, from), new Completeness(acc.Count, exp)));
                received += acc.Count;
                expected += exp;
                prevBoot = acc.BootHigh;
                prevHigh = lastHigh;
            }

            result.Add(new DeviceCompleteness(device, new Completeness(received, expected), list));
        }

        return result;
    }

    private async Task<(long Expected, long HighOfLastBoot)> ExpectedAcrossBootsAsync(string site, string device, long from, long to, long prevBoot, long prevHigh, CancellationToken cancellationToken)
    {
        var q = string.Create(
            CultureInfo.InvariantCulture,
            $"SELECT seq, boot FROM {Quantities.Measurements} WHERE site = {InfluxQueryClient.Literal(site)} AND device = {InfluxQueryClient.Literal(device)} AND time >= {from}s AND time < {to}s");
        var boots = new Dictionary<long, (long Low, long High)>();
        foreach (var s in await influx.QueryAsync(q, cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in s.Rows)
            {
                var seq = InfluxQueryClient.AsLong(row[1]);
                var boot = InfluxQueryClient.AsLong(row[2]);
                boots[boot] = boots.TryGetValue(boot, out var b) ? (Math.Min(b.Low, seq), Math.Max(b.High, seq)) : (seq, seq);
            }
        }

        long expected = 0;
        foreach (var (boot, (low, high)) in boots)
        {
            expected += boot == prevBoot ? high - prevHigh : high - low + 1;
        }

        return (expected, boots.Count == 0 ? 0 : boots[boots.Keys.Max()].High);
    }

    private sealed class Acc
    {
        public long Count;
        public long Low = long.MaxValue;
        public long High = long.MinValue;
        public long BootLow = long.MaxValue;
        public long BootHigh = long.MinValue;

        public void Add(long n, long low, long high, long bootLow, long bootHigh)
        {
            Count += n;
            Low = Math.Min(Low, low);
            High = Math.Max(High, high);
            BootLow = Math.Min(BootLow, bootLow);
            BootHigh = Math.Max(BootHigh, bootHigh);
        }
    }
}
