using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Configuration;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.State;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Downlink;

public static class DownlinkRegistration
{
    /// <summary>Remote config and commands (gateway → node), their store (beside the registry, or in the shared database), and the ack intake.</summary>
    public static IHostApplicationBuilder AddDownlink(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStageOptions<DownlinkOptions>(builder.Configuration, DownlinkOptions.Section, o => o.Validate());
        builder.Services.AddSingleton<IDownlinkStore>(sp =>
        {
            if (sp.GetRequiredService<StateOptions>().IsPostgres)
            {
                return new PostgresDownlinkStore(sp.GetRequiredService<PostgresState>());
            }

            sp.GetRequiredService<IRegistryStore>(); // same file: the registry creates it first
            return new SqliteDownlinkStore(sp.GetRequiredService<GatewayOptions>().Resolve(sp.GetRequiredService<RegistryOptions>().Path));
        });
        builder.Services.AddSingleton(sp => new DownlinkService(
            sp.GetRequiredService<IDownlinkStore>(),
            sp.GetRequiredService<DeviceRegistry>(),
            sp.GetRequiredService<DownlinkOptions>(),
            sp.GetRequiredService<Ledger>().Counters,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DownlinkService>>()));
        builder.Services.AddSingleton(sp => new AckIngest(
            sp.GetRequiredService<IDownlinkStore>(),
            sp.GetRequiredService<Ledger>().Counters,
            sp.GetRequiredService<DeadLetterStore>(),
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddStageMetrics<DownlinkMetrics>();
        return builder;
    }
}
