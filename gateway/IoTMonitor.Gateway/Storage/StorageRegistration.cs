using System.Net;
using IoTMonitor.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway.Storage;

public static class StorageRegistration
{
    /// <summary>
    /// The one InfluxDB connection (writes, queries, alert history) and the writer draining the WAL.
    /// No resilience handler in the pipeline: every caller already retries in its own way (the writer
    /// forever with back-off while records wait in the WAL, the alert outbox with its persisted
    /// back-off) and a query answers its API caller at once; a second retry layer underneath would
    /// multiply attempts and hide outages from <c>/health</c>.
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddStageOptions<StorageOptions>(builder.Configuration, StorageOptions.Section, o => o.Validate());
        s.AddSingleton<InfluxConnection>();
        s.AddHttpClient(InfluxConnection.HttpClientName)
            // connections are recycled by the pool's own lifetime, so the handler (and its pool) is kept
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.None })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(sp => new InfluxV1CompatHandler(sp.GetRequiredService<InfluxConnection>()))
            // a log line per write request would be thousands a minute at full rate
            .RemoveAllLoggers();
        s.AddSingleton<InfluxWriter>();
        s.AddStageHealthCheck<InfluxHealthCheck>("influx");
        s.AddStageMetrics<StorageMetrics>();
        return builder;
    }
}
