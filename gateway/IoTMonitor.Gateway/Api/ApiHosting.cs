using System.Text.Json;
using System.Text.Json.Serialization;
using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Query;
using IoTMonitor.Gateway.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Scalar.AspNetCore;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// Issue 8 in the composition root: <see cref="AddQueryApi"/> (access, query, cache, OpenAPI) and <see cref="MapQueryApi"/> (endpoints, OpenAPI document, reference page, dashboard).
/// Public without a key: <c>/health</c>, the dashboard's static files, <c>/openapi/v1.json</c> and
/// the reference page <c>/scalar/v1</c> (they carry no data). Everything else needs a key.
/// </summary>
public static class ApiHosting
{
    public static WebApplicationBuilder AddQueryApi(this WebApplicationBuilder builder)
    {
        var access = new AccessOptions();
        builder.Configuration.GetSection(AccessOptions.Section).Bind(access);
        var query = new QueryOptions();
        builder.Configuration.GetSection(QueryOptions.Section).Bind(query);
        var errors = access.Validate().Concat(query.Validate()).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid gateway configuration:\n  " + string.Join("\n  ", errors));
        }

        var s = builder.Services;
        s.AddSingleton(access);
        s.AddSingleton(query);
        s.AddSingleton<ApiRateLimiter>();
        s.AddSingleton(sp =>
        {
            var gw = sp.GetRequiredService<GatewayRuntime>(); // the registry creates its tables first
            var settings = gw.Settings;
            return new ApiKeyStore(settings.Gateway.Resolve(settings.Registry.Path), settings.Api.AdminKey);
        });
        s.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<GatewayRuntime>().Settings;
            return new SiteProfiles(settings.Gateway.Resolve(settings.Registry.Path));
        });
        s.AddSingleton(sp => new InfluxQueryClient(sp.GetRequiredService<GatewaySettings>().Storage, query));
        s.AddSingleton<LatestValueCache>();
        s.AddSingleton<SiteStatus>();
        s.AddSingleton<DailyRollup>();
        s.AddSingleton<SeriesQuery>();
        s.AddSingleton<CompletenessQuery>();
        s.AddSingleton<CsvExport>();
        s.AddSingleton<LatestValueFeed>();
        s.AddHostedService(sp => sp.GetRequiredService<LatestValueFeed>());
        s.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        s.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "IoTMonitor gateway API";
            document.Info.Version = "v1";
            document.Info.Description = "Sites, devices, latest values, series, completeness, CSV export, alerts and API keys. Send the key in header X-Api-Key (or Authorization: Bearer). Roles: viewer < operator < admin. See docs/api.md.";
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapQueryApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/scalar", o => o.WithTitle("IoTMonitor API"));
        app.MapGet("/docs", () => Results.Redirect("/scalar/v1")).ExcludeFromDescription();
        QueryApi.MapQueryApi(app);
        app.MapAccessApi();
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(root))
        {
            var files = new PhysicalFileProvider(root);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
            });
        }

        return app;
    }
}
