using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IoTMonitor.Gateway;

/// <summary>
/// The composition root. The data path:
/// <code>
///  MQTT (embedded broker | external $share client) -> auth + topic ACL -> decode + validate
///    -> [dead-letter store] -> write-ahead log (fsync, then PUBACK) -> InfluxWriter -> InfluxDB
///  accounting (counters per hop, ledger per device) -> /metrics, /health
/// </code>
/// Usable in-process (tests: <c>GatewayApp.Build(args)</c>, then StartAsync) and as a process.
/// </summary>
public static class GatewayApp
{
    public static WebApplication Build(string[] args)
    {
        // appsettings.json is read beside the binary (docs/gateway.md), not from the working directory
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddGatewaySettings();
        builder.AddAccounting();
        builder.AddIngest();
        builder.AddQueryApi();
        builder.AddAlerts();
        builder.AddApiErrors();

        var app = builder.Build();
        app.UseApiErrors();
        app.MapHealth();
        app.MapMetrics();
        app.MapRegistryApi();
        app.MapDownlinkApi();
        app.MapQueryApi();
        app.MapAlertsApi();
        return app;
    }

    /// <summary>Binds every stage's options and validates them (a bad key stops the start, naming the key).</summary>
    public static WebApplicationBuilder AddGatewaySettings(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(GatewaySettings.Bind(builder.Configuration));
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static WebApplicationBuilder AddAccounting(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Ledger>();
        return builder;
    }

    /// <summary>Registry, dead-letter store, WAL, InfluxDB writer and MQTT listener, started sink first.</summary>
    public static WebApplicationBuilder AddIngest(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GatewayRuntime>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewayRuntime>());
        return builder;
    }
}
