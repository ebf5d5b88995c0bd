using IoTMonitor.Gateway.Configuration;
using IoTMonitor.Gateway.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Accounting;

public static class AccountingRegistration
{
    /// <summary>The process options (<c>Gateway</c>), the clock, the counters and device ledgers, and where the ledgers are kept (their file, or the shared database).</summary>
    public static IHostApplicationBuilder AddAccounting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStageOptions<GatewayOptions>(builder.Configuration, GatewayOptions.Section, o => o.Validate());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Ledger>();
        builder.Services.AddStageMetrics<AccountingMetrics>();
        builder.Services.AddSingleton<ILedgerStore>(sp =>
        {
            if (sp.GetRequiredService<StateOptions>().IsPostgres)
            {
                return new PostgresLedgerStore(sp.GetRequiredService<PostgresState>(), sp.GetRequiredService<ILogger<PostgresLedgerStore>>());
            }

            var gateway = sp.GetRequiredService<GatewayOptions>();
            return new SqliteLedgerStore(gateway.Resolve(gateway.LedgerPath), sp.GetRequiredService<ILogger<SqliteLedgerStore>>());
        });
        return builder;
    }
}
