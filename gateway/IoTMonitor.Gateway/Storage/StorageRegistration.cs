using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Gateway.Configuration;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Storage;

public static class StorageRegistration
{
    /// <summary>The InfluxDB writer draining the WAL.</summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStageOptions<StorageOptions>(builder.Configuration, StorageOptions.Section, o => o.Validate());
        builder.Services.AddSingleton(sp => new InfluxWriter(
            sp.GetRequiredService<StorageOptions>(),
            sp.GetRequiredService<WriteAheadLog>(),
            sp.GetRequiredService<Ledger>(),
            sp.GetRequiredService<DeadLetterStore>(),
            sp.GetRequiredService<ILogger<InfluxWriter>>()));
        return builder;
    }
}
