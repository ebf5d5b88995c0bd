using System.Text.Json;
using System.Text.Json.Serialization;
using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Configuration;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scalar.AspNetCore;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// The HTTP side: access (keys, roles, rate limit), JSON, OpenAPI, problem answers, and every endpoint.
/// Public without a key: <c>/health</c>, the dashboard's static files, <c>/openapi/v1.json</c> and
/// the reference page <c>/scalar/v1</c> (they carry no data). Everything else needs a key.
/// </summary>
public static class ApiRegistration
{
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddStageOptions<ApiOptions>(builder.Configuration, ApiOptions.Section, o => o.Validate());
        s.AddStageOptions<AccessOptions>(builder.Configuration, AccessOptions.Section, o => o.Validate());
        s.AddSingleton<ApiRateLimiter>();
        s.AddSingleton<IApiKeyStore>(sp =>
        {
            var adminKey = sp.GetRequiredService<ApiOptions>().AdminKey;
            if (sp.GetRequiredService<StateOptions>().IsPostgres)
            {
                return new PostgresApiKeyStore(sp.GetRequiredService<PostgresState>(), adminKey);
            }

            sp.GetRequiredService<DeviceRegistry>(); // same file: the registry creates it first
            return new SqliteApiKeyStore(sp.GetRequiredService<GatewayOptions>().Resolve(sp.GetRequiredService<RegistryOptions>().Path), adminKey);
        });
        s.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        s.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "IoTMonitor gateway API";
            document.Info.Version = "v1";
            document.Info.Description = "Sites, devices, latest values, series, completeness, CSV export, alerts and API keys. Send the key in header X-Api-Key (or Authorization: Bearer). Roles: viewer < operator < admin. See docs/api.md.";
            return Task.CompletedTask;
        }));
        s.AddHostedService<FirstAnswerWarmup>();
        builder.AddApiErrors();
        // /health answers each stage's state to whoever asks; the check service would also log an
        // error per unhealthy check per request (a poller during an InfluxDB outage floods the log),
        // while the stages log their own failures once
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.None);
        return builder;
    }

    /// <summary>Every endpoint, the OpenAPI document, the reference page and the dashboard.</summary>
    public static WebApplication MapApi(this WebApplication app)
    {
        app.UseApiErrors();
        app.MapHealth();
        app.MapMetrics();
        app.MapRegistryApi();
        app.MapDownlinkApi();
        app.MapNodeStatusApi();
        app.MapQueryApi();
        app.MapAlertsApi();
        app.MapFlashFloodApi();
        app.MapMeteringApi();
        app.MapAccessApi();
        app.MapForwardingApi();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/scalar", o => o.WithTitle("IoTMonitor API"));
        app.MapGet("/docs", () => Results.Redirect("/scalar/v1")).ExcludeFromDescription();
        app.UseDashboardFiles(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        return app;
    }
}
