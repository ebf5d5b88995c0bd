using IoTMonitor.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway.Registry;

public static class RegistryRegistration
{
    /// <summary>Sites, devices and their secrets, and the site profiles (one SQLite file, <c>Registry:Path</c>).</summary>
    public static IHostApplicationBuilder AddRegistry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStageOptions<RegistryOptions>(builder.Configuration, RegistryOptions.Section, o => o.Validate());
        builder.Services.AddSingleton(sp => new DeviceRegistry(sp.GetRequiredService<GatewayOptions>().Resolve(sp.GetRequiredService<RegistryOptions>().Path), sp.GetRequiredService<RegistryOptions>()));
        builder.Services.AddSingleton(sp =>
        {
            // the registry creates the file's tables; the profiles live in the same file
            sp.GetRequiredService<DeviceRegistry>();
            return new SiteProfiles(sp.GetRequiredService<GatewayOptions>().Resolve(sp.GetRequiredService<RegistryOptions>().Path));
        });
        return builder;
    }
}
