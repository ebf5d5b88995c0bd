using System.Net.Http.Json;
using System.Text.Json;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Api.Tests.Support;

/// <summary>
/// The whole gateway in-process (embedded broker, WAL, writer, API, dashboard) on free loopback ports,
/// writing to its own database of a shared real influxd, with a temp data dir. Admin key:
/// <see cref="AdminKey"/> (the bootstrap <c>Api:AdminKey</c>).
/// </summary>
public sealed class GatewayHost : InProcessGateway
{
    public const string AdminKey = "test-bootstrap-admin-key-0123456789";

    private GatewayHost(InfluxDbServer influx)
        : base(AdminKey, "iotmon-api-test-", adminKeyOnHttp: false)
    {
        Influx = influx;
        Http.Timeout = TimeSpan.FromSeconds(60);
    }

    public string Database { get; } = "iotmon_" + Guid.NewGuid().ToString("N")[..10];

    public InfluxDbServer Influx { get; }

    public static async Task<GatewayHost> StartAsync(InfluxDbServer influx, params string[] extra)
    {
        var host = new GatewayHost(influx);
        await influx.CreateDatabaseAsync(host.Database);
        await host.StartGatewayAsync([$"--Storage:Url={influx.Url}", $"--Storage:Database={host.Database}", .. extra]);
        return host;
    }

    /// <summary>Creates an API key through the API (as the bootstrap admin) and returns it.</summary>
    public async Task<string> CreateKeyAsync(string name, string role)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/keys") { Content = JsonContent.Create(new { name, role }) };
        request.Headers.Add("X-Api-Key", AdminKey);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("key").GetString()!;
    }

    public async Task AdminAsync(HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", AdminKey);
        using var response = await Http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Adds a site with a profile and devices; returns each device's secret.</summary>
    public async Task<Dictionary<string, string>> AddSiteAsync(string site, double lat, double lon, string basin, string type, params string[] devices)
    {
        await AdminAsync(HttpMethod.Put, $"/api/v1/sites/{site}", new { name = site.ToUpperInvariant(), lat, lon, basin, type });
        var secrets = new Dictionary<string, string>();
        foreach (var d in devices)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/devices") { Content = JsonContent.Create(new { id = d, site }) };
            request.Headers.Add("X-Api-Key", AdminKey);
            using var response = await Http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            secrets[d] = doc.RootElement.GetProperty("secret").GetString()!;
        }

        return secrets;
    }

    /// <summary>Creates a threshold rule in the alert engine through the rules API (as the bootstrap admin).</summary>
    public Task AddThresholdRuleAsync(string id, string name, string quantity, double above, string severity, params string[] sites) =>
        AdminAsync(HttpMethod.Post, "/api/v1/alert-rules", new { id, name, kind = "threshold", quantity, severity, above, scope = new { sites }, source = "site-specific (test)" });

    /// <summary>Waits until the alert engine has an active alert on the site (read through the API with <paramref name="key"/>) and returns the newest.</summary>
    public async Task<JsonElement> WaitForAlertAsync(string site, string key)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var (status, body, text) = await GetAsync($"/api/v1/alerts?site={site}&state=active", key);
            if (status == 200 && body!.RootElement.GetArrayLength() > 0)
            {
                return body.RootElement[0].Clone();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no active alert on {site}: {status} {text}");
            }

            await Task.Delay(100);
        }
    }

    public Task<(int Status, JsonDocument? Body, string Text)> GetAsync(string path, string? key) => SendAsync(HttpMethod.Get, path, key, null);

    /// <summary>Sends a request with <paramref name="key"/> and an optional JSON body; the status, the body as JSON (when it is), and its text.</summary>
    public async Task<(int Status, JsonDocument? Body, string Text)> SendAsync(HttpMethod method, string path, string? key, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true && text.Length > 0 ? JsonDocument.Parse(text) : null;
        return ((int)response.StatusCode, json, text);
    }
}
