using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Api;
using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Gateway.Downlink;
using IoTMonitor.Gateway.Forwarding.Hj212;
using IoTMonitor.Gateway.Forwarding.Sl651;
using IoTMonitor.Gateway.Hosting;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Metering;
using IoTMonitor.Gateway.Query;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.State;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Validation;
using Microsoft.AspNetCore.Builder;

namespace IoTMonitor.Gateway;

/// <summary>
/// The composition root: each stage registers itself (its options bound and validated at start, its
/// parts created by the container); <see cref="GatewayLifecycle"/> keeps the start/stop order. The data path:
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
        builder.AddAccounting();
        builder.AddRegistry();
        builder.AddState();
        builder.AddValidation();
        builder.AddBuffering();
        builder.AddStorage();
        builder.AddDownlink();
        builder.AddIngest();
        builder.AddGatewayLifecycle();
        builder.AddQuery();
        builder.AddAlerts();
        builder.AddHj212Forwarding();
        builder.AddSl651Forwarding();
        builder.AddMetering();
        builder.AddApi();

        var app = builder.Build();
        app.MapApi();
        return app;
    }
}
