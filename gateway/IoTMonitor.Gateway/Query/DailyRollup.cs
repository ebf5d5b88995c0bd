using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Query;

/// <summary>
/// Daily rollups kept in the gateway's memory for long views (windows that are whole days). Per
/// quantity and aggregate family (<c>sum,count</c> for mean and count; <c>min</c>; <c>max</c>; <c>last</c>)
/// it holds one value per (site, device, UTC day), filled on demand with a plain InfluxQL
/// <c>GROUP BY time(1d)</c> for all sites of the quantity (so InfluxDB 1.x, 2.x and 3.x all answer it;
/// no continuous queries or <c>SELECT … INTO</c>). Days are combined into the requested windows
/// exactly: mean = Σsum / Σcount, min of minima, max of maxima, last of the newest day, count = Σcount.
/// <para>
/// A request whose range needs more than <see cref="SyncFillDays"/> unstored settled days is answered by
/// the <c>GROUP BY time</c> query (<see cref="RunAsync"/> returns null) while those days load in the
/// background, in spans of <see cref="FillSpanDays"/> days; fewer are loaded before answering.
/// </para>
/// <para>
/// Only closed days are kept: a day is stored once it ended more than <c>Query:RollupGraceSeconds</c>
/// ago and no reading for it was accepted within that time. A reading accepted by this gateway for a
/// stored day (a late backlog batch) drops that day, which is read live again until it settles. The
/// partial days at the edges of a range, today, and unsettled days are read live on every request.
/// Data written into InfluxDB past this gateway (another gateway, an import) is not seen: disable with
/// <c>Query:RollupDays = 0</c> in such set-ups (docs/api.md).
/// </para>
/// </summary>
public sealed class DailyRollup(InfluxQueryClient influx, QueryOptions options, TimeProvider time, ILogger<DailyRollup> log) : IDisposable
{
    public const long Day = 86400;

    /// <summary>Up to this many unstored days are loaded before answering; more load in the background.</summary>
    public const int SyncFillDays = 7;

    /// <summary>Days per background load statement.</summary>
    public const int FillSpanDays = 92;

    private readonly CancellationTokenSource _stop = new();
    private CancellationToken Stopping => _stopping ??= _stop.Token;
    private CancellationToken? _stopping;

    private readonly ConcurrentDictionary<(string Quantity, string Family), Store> _stores = new();
    private readonly ConcurrentDictionary<(string Quantity, long Day), long> _touched = new();

    public bool Enabled => options.RollupDays > 0;

    /// <summary>The InfluxQL aggregates that make up the family an aggregate is combined from.</summary>
    public static string Family(string aggregate) => aggregate switch
    {
        "mean" or "count" => "sum,count",
        _ => aggregate,
    };

    /// <summary>Whether a request can be answered from daily rollups (whole-day windows).</summary>
    public bool Serves(SeriesRequest r) => Enabled && r.WindowSeconds % Day == 0 && r.To - r.From >= Day;

    /// <summary>Called for every accepted reading: a reading for a stored day drops that day.</summary>
    public void Observe(DecodeResult result)
    {
        if (!result.IsValid || !Enabled)
        {
            return;
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var r in result.Readings)
        {
            var day = FloorDiv(r.T, Day);
            _touched[(r.Quantity.Code, day)] = now;
            foreach (var family in new[] { "sum,count", "min", "max", "last" })
            {
                if (_stores.TryGetValue((r.Quantity.Code, family), out var store))
                {
                    lock (store)
                    {
                        store.Covered.Remove(day);
                    }
                }
            }
        }
    }

    /// <summary>The answer to <paramref name="r"/> (which <see cref="Serves"/>), as InfluxQL would give it; null while a long range is still loading.</summary>
    public async Task<List<SeriesResult>?> RunAsync(SeriesRequest r, CancellationToken cancellationToken)
    {
        var family = Family(r.Aggregate);
        var store = _stores.GetOrAdd((r.Quantity.Code, family), _ => new Store());
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var firstFull = CeilDiv(r.From, Day);
        var endFull = FloorDiv(r.To, Day);
        var oldest = FloorDiv(now, Day) - options.RollupDays;

        // the missing settled days of the range, loaded for all sites of the quantity
        var missing = Ranges(Math.Max(firstFull, oldest), endFull, d => Storable(r.Quantity.Code, d, now) && !Has(store, d));
        if (missing.Sum(m => m.To - m.From) > SyncFillDays)
        {
            return null;
        }

        await store.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FillAsync(r, family, store, missing, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            store.Gate.Release();
        }

        // per (site, device): day → values, from the store and from live queries for the rest
        var merged = new Dictionary<(string Site, string Device), SortedDictionary<long, double[]>>();
        lock (store)
        {
            foreach (var (key, days) in store.Series)
            {
                if ((r.Sites.Count > 0 && !r.Sites.Contains(key.Site)) || (r.Device is not null && r.Device != key.Device))
                {
                    continue;
                }

                var into = new SortedDictionary<long, double[]>();
                foreach (var (d, v) in days)
                {
                    if (d >= firstFull && d < endFull && store.Covered.Contains(d))
                    {
                        into[d] = v;
                    }
                }

                if (into.Count > 0)
                {
                    merged[key] = into;
                }
            }
        }

        var live = new List<(long From, long To)>();
        if (r.From < firstFull * Day)
        {
            live.Add((r.From, Math.Min(firstFull * Day, r.To)));
        }

        foreach (var (a, b) in Ranges(firstFull, endFull, d => !Has(store, d)))
        {
            live.Add((a * Day, b * Day));
        }

        if (endFull >= firstFull && endFull * Day < r.To)
        {
            live.Add((endFull * Day, r.To));
        }

        foreach (var (a, b) in Merge(live))
        {
            foreach (var (key, days) in await LoadAsync(r, family, a, b, allSites: false, cancellationToken).ConfigureAwait(false))
            {
                if (!merged.TryGetValue(key, out var into))
                {
                    merged[key] = into = [];
                }

                foreach (var (d, v) in days)
                {
                    into[d] = v;
                }
            }
        }

        var list = new List<SeriesResult>(merged.Count);
        foreach (var (key, days) in merged)
        {
            var points = Combine(days, r.WindowSeconds, r.Aggregate);
            if (points.Count > 0)
            {
                list.Add(new SeriesResult(key.Site, key.Device, points));
            }
        }

        return list;
    }

    /// <summary>
    /// Starts loading, in the background, the settled days of <paramref name="r"/>'s range that are not
    /// stored (after <see cref="RunAsync"/> returned null and the caller answered by other means, so the
    /// load does not compete with that answer). Does nothing while a load of the same store runs.
    /// </summary>
    public void LoadInBackground(SeriesRequest r)
    {
        var family = Family(r.Aggregate);
        var store = _stores.GetOrAdd((r.Quantity.Code, family), _ => new Store());
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var oldest = FloorDiv(now, Day) - options.RollupDays;
        var missing = Ranges(Math.Max(CeilDiv(r.From, Day), oldest), FloorDiv(r.To, Day), d => Storable(r.Quantity.Code, d, now) && !Has(store, d));
        lock (store)
        {
            if (missing.Count > 0 && store.Fill.IsCompleted)
            {
                store.Fill = Task.Run(() => FillInBackgroundAsync(r, family, store, missing), CancellationToken.None);
            }
        }
    }

    /// <summary>Completes when the background loads started so far have ended.</summary>
    internal Task FillsDone() => Task.WhenAll(_stores.Values.Select(s => s.Fill));

    private async Task FillInBackgroundAsync(SeriesRequest r, string family, Store store, List<(long From, long To)> missing)
    {
        try
        {
            await store.Gate.WaitAsync(Stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            var spans = missing.SelectMany(m => Split(m.From, m.To, FillSpanDays)).ToList();
            var started = Stopwatch.GetTimestamp();
            await FillAsync(r, family, store, spans, Stopping).ConfigureAwait(false);
            log.LogInformation("Daily rollup {Quantity} {Family}: {Days} days loaded in {Ms:0} ms", r.Quantity.Code, family, missing.Sum(m => m.To - m.From), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is InfluxQueryException or OperationCanceledException or HttpRequestException)
        {
            log.LogWarning("Daily rollup {Quantity} {Family} not loaded (answers stay live): {Error}", r.Quantity.Code, family, e.Message);
        }
        finally
        {
            store.Gate.Release();
        }
    }

    private static IEnumerable<(long From, long To)> Split(long from, long to, long span)
    {
        for (var a = from; a < to; a += span)
        {
            yield return (a, Math.Min(to, a + span));
        }
    }

    private async Task FillAsync(SeriesRequest r, string family, Store store, List<(long From, long To)> missing, CancellationToken cancellationToken)
    {
        foreach (var (a, b) in missing)
        {
            var started = time.GetUtcNow().ToUnixTimeSeconds();
            var rows = await LoadAsync(r, family, a * Day, b * Day, allSites: true, cancellationToken).ConfigureAwait(false);
            lock (store)
            {
                for (var d = a; d < b; d++)
                {
                    foreach (var series in store.Series.Values)
                    {
                        series.Remove(d);
                    }
                }

                foreach (var (key, days) in rows)
                {
                    if (!store.Series.TryGetValue(key, out var series))
                    {
                        store.Series[key] = series = [];
                    }

                    foreach (var (d, v) in days)
                    {
                        series[d] = v;
                    }
                }

                for (var d = a; d < b; d++)
                {
                    // a reading accepted while loading may be missing from the answer: leave the day live
                    if (!_touched.TryGetValue((r.Quantity.Code, d), out var at) || at < started - options.RollupGraceSeconds)
                    {
                        store.Covered.Add(d);
                    }
                }
            }
        }
    }

    public void Dispose()
    {
        _ = Stopping;
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary>Folds days (ascending) into epoch-aligned windows of <paramref name="window"/> seconds.</summary>
    internal static List<SeriesPoint> Combine(SortedDictionary<long, double[]> days, long window, string aggregate)
    {
        var points = new List<SeriesPoint>();
        long current = long.MinValue;
        double a = 0, b = 0;
        void Flush()
        {
            if (current == long.MinValue)
            {
                return;
            }

            switch (aggregate)
            {
                case "mean":
                    if (b > 0)
                    {
                        points.Add(new SeriesPoint(current, a / b));
                    }

                    break;
                case "count":
                    if (b > 0)
                    {
                        points.Add(new SeriesPoint(current, b));
                    }

                    break;
                default:
                    points.Add(new SeriesPoint(current, a));
                    break;
            }
        }

        foreach (var (d, v) in days)
        {
            var t = d * Day;
            var w = t - Mod(t, window);
            if (w != current)
            {
                Flush();
                current = w;
                a = v[0];
                b = v.Length > 1 ? v[1] : 0;
                continue;
            }

            switch (aggregate)
            {
                case "mean" or "count":
                    a += v[0];
                    b += v[1];
                    break;
                case "min":
                    a = Math.Min(a, v[0]);
                    break;
                case "max":
                    a = Math.Max(a, v[0]);
                    break;
                default:
                    a = v[0]; // last: the newest day wins
                    break;
            }
        }

        Flush();
        return points;
    }

    private async Task<Dictionary<(string Site, string Device), List<(long Day, double[] Values)>>> LoadAsync(SeriesRequest r, string family, long from, long to, bool allSites, CancellationToken cancellationToken)
    {
        var select = string.Join(", ", family.Split(',').Select(f => f + "(value)"));
        var scope = allSites ? r with { Sites = [], Device = null, From = from, To = to } : r with { From = from, To = to };
        var statement = $"SELECT {select} FROM {InfluxQueryClient.Identifier(scope.Quantity.Domain)} WHERE {SeriesQuery.Where(scope)} GROUP BY time(1d), site, device fill(none)";
        var result = new Dictionary<(string, string), List<(long, double[])>>();
        foreach (var s in await influx.QueryAsync(statement, cancellationToken).ConfigureAwait(false))
        {
            var days = new List<(long, double[])>(s.Rows.Count);
            foreach (var row in s.Rows)
            {
                var values = new double[row.Length - 1];
                var ok = true;
                for (var i = 1; i < row.Length; i++)
                {
                    if (InfluxQueryClient.AsDouble(row[i]) is { } v)
                    {
                        values[i - 1] = v;
                    }
                    else
                    {
                        ok = false;
                    }
                }

                if (ok && (family != "sum,count" || values[1] > 0))
                {
                    days.Add((FloorDiv(InfluxQueryClient.AsLong(row[0]), Day), values));
                }
            }

            result[(s.Tag("site"), s.Tag("device"))] = days;
        }

        return result;
    }

    private bool Storable(string quantity, long day, long now) =>
        (day + 1) * Day <= now - options.RollupGraceSeconds
        && (!_touched.TryGetValue((quantity, day), out var at) || at < now - options.RollupGraceSeconds);

    private static bool Has(Store store, long day)
    {
        lock (store)
        {
            return store.Covered.Contains(day);
        }
    }

    private static List<(long From, long To)> Ranges(long from, long to, Func<long, bool> wanted)
    {
        var list = new List<(long, long)>();
        for (var d = from; d < to; d++)
        {
            if (!wanted(d))
            {
                continue;
            }

            var start = d;
            while (d + 1 < to && wanted(d + 1))
            {
                d++;
            }

            list.Add((start, d + 1));
        }

        return list;
    }

    private static IEnumerable<(long From, long To)> Merge(List<(long From, long To)> ranges)
    {
        ranges.Sort();
        (long From, long To)? open = null;
        foreach (var x in ranges)
        {
            if (open is { } o && x.From <= o.To)
            {
                open = (o.From, Math.Max(o.To, x.To));
                continue;
            }

            if (open is { } done)
            {
                yield return done;
            }

            open = x;
        }

        if (open is { } last)
        {
            yield return last;
        }
    }

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

    private static long CeilDiv(long a, long b) => -FloorDiv(-a, b);

    private static long Mod(long a, long b) => ((a % b) + b) % b;

    /// <summary>Diagnostics: stored (site, device, day) values across all stores.</summary>
    public string Describe()
    {
        var values = _stores.Values.Sum(s =>
        {
            lock (s)
            {
                return s.Series.Values.Sum(x => x.Count);
            }
        });
        return string.Create(CultureInfo.InvariantCulture, $"{_stores.Count} stores, {values} day values");
    }

    private sealed class Store
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public Task Fill { get; set; } = Task.CompletedTask;

        public HashSet<long> Covered { get; } = [];

        public Dictionary<(string Site, string Device), Dictionary<long, double[]>> Series { get; } = [];
    }
}
