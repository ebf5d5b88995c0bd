using IoTMonitor.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Accounting;

public static class AccountingRegistration
{
    /// <summary>The process options (<c>Gateway</c>), the clock, the counters and device ledgers, and the ledgers' file.</summary>
    public static IHostApplicationBuilder AddAccounting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStageOptions<GatewayOptions>(builder.Configuration, GatewayOptions.Section, o => o.Validate());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Ledger>();
        builder.Services.AddStageMetrics<AccountingMetrics>();
        builder.Services.AddSingleton(sp =>
        {
            var gateway = sp.GetRequiredService<GatewayOptions>();
            return new LedgerStore(gateway.Resolve(gateway.LedgerPath), sp.GetRequiredService<ILogger<LedgerStore>>());
        });
        return builder;
    }
}
