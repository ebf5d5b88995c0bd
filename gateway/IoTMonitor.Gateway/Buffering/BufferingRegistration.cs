using IoTMonitor.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Buffering;

public static class BufferingRegistration
{
    /// <summary>The write-ahead log (opened and replayed when first resolved, i.e. when the lifecycle is built).</summary>
    public static IHostApplicationBuilder AddBuffering(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStageOptions<BufferingOptions>(builder.Configuration, BufferingOptions.Section, o => o.Validate());
        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<BufferingOptions>();
            return WriteAheadLog.Open(o, sp.GetRequiredService<GatewayOptions>().Resolve(o.Directory), sp.GetRequiredService<ILogger<WriteAheadLog>>());
        });
        builder.Services.AddStageHealthCheck<WalHealthCheck>("wal");
        builder.Services.AddStageMetrics<WalMetrics>();
        return builder;
    }
}
