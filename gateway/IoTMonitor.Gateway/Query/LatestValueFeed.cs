using IoTMonitor.Gateway.Validation;
using IoTMonitor.Gateway.Ingest;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Query;

/// <summary>
/// Connects the ingest stream to the <see cref="LatestValueCache"/> and the <see cref="DailyRollup"/> (late readings drop stored days) and fills the cache once from
/// InfluxDB (last values of <c>Query:CacheWarmDays</c>). The warm-up runs in the background and retries while
/// InfluxDB is unreachable, and never replaces a newer value from the stream.
/// </summary>
public sealed class LatestValueFeed(IngestPipeline pipeline, LatestValueCache cache, DailyRollup rollup, InfluxQueryClient influx, QueryOptions options, ILogger<LatestValueFeed> log) : IHostedService
{
    private readonly CancellationTokenSource _stop = new();
    private Task _warm = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        pipeline.ReadingsAccepted += cache.Observe;
        pipeline.ReadingsAccepted += rollup.Observe;
        if (options.CacheWarmDays > 0)
        {
            _warm = Task.Run(() => WarmWithRetryAsync(_stop.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        pipeline.ReadingsAccepted -= cache.Observe;
        pipeline.ReadingsAccepted -= rollup.Observe;

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _warm.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }

        _stop.Dispose();
    }

    private async Task WarmWithRetryAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await WarmAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InfluxQueryException e) when (attempt < 30)
            {
                log.LogInformation("Latest-value cache warm-up postponed: {Error}", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(attempt, 5))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal async Task WarmAsync(CancellationToken cancellationToken)
    {
        // newest point per series with its own time (several selectors in one SELECT would lose it)
        var since = $"time > now() - {options.CacheWarmDays}d";
        var warmed = 0;
        foreach (var s in await influx.QueryAsync($"SELECT value, flags, raw, cal FROM {Quantities.Measurements} WHERE {since} GROUP BY site, device, quantity ORDER BY time DESC LIMIT 1", cancellationToken).ConfigureAwait(false))
        {
            var v = Array.IndexOf(s.Columns, "value");
            var f = Array.IndexOf(s.Columns, "flags");
            var raw = Array.IndexOf(s.Columns, "raw");
            var cal = Array.IndexOf(s.Columns, "cal");
            foreach (var row in s.Rows)
            {
                cache.Warm(new LatestReading(s.Tag("site"), s.Tag("device"), s.Name + "." + s.Tag("quantity"), InfluxQueryClient.AsLong(row[0]), v < 0 ? null : InfluxQueryClient.AsDouble(row[v]), f < 0 ? 0 : InfluxQueryClient.AsLong(row[f]), raw < 0 || row[raw] is null ? null : InfluxQueryClient.AsDouble(row[raw]), cal < 0 ? null : row[cal] as string));
                warmed++;
            }
        }

        foreach (var s in await influx.QueryAsync($"SELECT bat, rssi, qd, \"drop\" FROM health WHERE {since} GROUP BY site, device ORDER BY time DESC LIMIT 1", cancellationToken).ConfigureAwait(false))
        {
            long? Long(object?[] row, string column) => Array.IndexOf(s.Columns, column) is var i and >= 0 && row[i] is not null ? InfluxQueryClient.AsLong(row[i]) : null;
            foreach (var row in s.Rows)
            {
                var bat = Array.IndexOf(s.Columns, "bat");
                cache.WarmDevice(new DeviceState(
                    s.Tag("site"),
                    s.Tag("device"),
                    DateTimeOffset.FromUnixTimeSeconds(InfluxQueryClient.AsLong(row[0])),
                    bat < 0 ? null : InfluxQueryClient.AsDouble(row[bat]),
                    Long(row, "rssi"),
                    Long(row, "qd"),
                    Long(row, "drop"),
                    null,
                    null,
                    0));
            }
        }

        log.LogInformation("Latest-value cache warmed with {Count} values from InfluxDB", warmed);
    }
}
