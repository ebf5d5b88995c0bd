using IoTMonitor.Gateway.Configuration;
using IoTMonitor.Gateway.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway.Registry;

public static class RegistryRegistration
{
    /// <summary>
    /// Sites, devices and their secrets, and the site profiles: in the SQLite file <c>Registry:Path</c>,
    /// or with <c>State:Provider = postgres</c> in the shared database.
    /// </summary>
    public static IHostApplicationBuilder AddRegistry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStageOptions<RegistryOptions>(builder.Configuration, RegistryOptions.Section, o => o.Validate());
        builder.Services.AddSingleton<IRegistryStore>(sp => sp.GetRequiredService<StateOptions>().IsPostgres
            ? new PostgresRegistryStore(sp.GetRequiredService<PostgresState>())
            : new SqliteRegistryStore(sp.GetRequiredService<GatewayOptions>().Resolve(sp.GetRequiredService<RegistryOptions>().Path)));
        builder.Services.AddSingleton(sp => new DeviceRegistry(sp.GetRequiredService<IRegistryStore>(), sp.GetRequiredService<RegistryOptions>()));
        builder.Services.AddSingleton(sp => new SiteProfiles(sp.GetRequiredService<IRegistryStore>()));
        return builder;
    }
}
