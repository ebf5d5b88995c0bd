using IoTMonitor.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway.Metering;

public static class MeteringRegistration
{
    /// <summary>Water metering: the rating records of the metered sites and the districts (<c>Metering</c>), checked at start; volumes read from InfluxDB on request.</summary>
    public static IHostApplicationBuilder AddMetering(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStageOptions<MeteringOptions>(builder.Configuration, MeteringOptions.Section, o => o.Validate());
        builder.Services.AddSingleton<MeteringService>();
        return builder;
    }
}
