using IoTMonitor.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway.Metering;

public static class MeteringRegistration
{
    /// <summary>Water metering: the rating records of the metered sites (<c>Metering</c>), checked at start.</summary>
    public static IHostApplicationBuilder AddMetering(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStageOptions<MeteringOptions>(builder.Configuration, MeteringOptions.Section, o => o.Validate());
        return builder;
    }
}
