using IoTMonitor.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway.Metering;

public static class MeteringRegistration
{
    /// <summary>Water metering: the rating records of the metered sites and the districts (<c>Metering</c>), checked at start; volumes read from InfluxDB on request; the watch that feeds the allocation and no-flow alert rules.</summary>
    public static IHostApplicationBuilder AddMetering(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStageOptions<MeteringOptions>(builder.Configuration, MeteringOptions.Section, o => o.Validate());
        builder.Services.AddSingleton<MeteringService>();
        builder.Services.AddSingleton<MeteringWatch>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MeteringWatch>());
        builder.Services.AddStageMetrics<MeteringMetrics>();
        return builder;
    }
}
