using IoTMonitor.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway.Query;

public static class QueryRegistration
{
    /// <summary>InfluxQL queries, the latest-value cache and daily rollups fed from the ingest stream.</summary>
    public static IHostApplicationBuilder AddQuery(this IHostApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddStageOptions<QueryOptions>(builder.Configuration, QueryOptions.Section, o => o.Validate());
        s.AddSingleton<InfluxQueryClient>();
        s.AddSingleton<LatestValueCache>();
        s.AddSingleton<SiteStatus>();
        s.AddSingleton<DailyRollup>();
        s.AddSingleton<SeriesQuery>();
        s.AddSingleton<CompletenessQuery>();
        s.AddSingleton<CsvExport>();
        s.AddSingleton<LatestValueFeed>();
        s.AddHostedService(sp => sp.GetRequiredService<LatestValueFeed>());
        return builder;
    }
}
