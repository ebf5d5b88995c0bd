using System.Net.Http.Json;
using IoTMonitor.Gateway;
using IoTMonitor.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.EndToEnd.Tests.Support;

/// <summary>The gateway in-process (GatewayApp.Build, as its own tests do) on free loopback ports with a temporary data dir.</summary>
public sealed class GatewayUnderTest : IAsyncDisposable
{
    public const string AdminKey = "e2e-admin-key-0123456789";

    private readonly WebApplication _app;

    private GatewayUnderTest(WebApplication app, string dataDir, int mqttPort, int httpPort, string database)
    {
        _app = app;
        DataDir = dataDir;
        MqttPort = mqttPort;
        HttpPort = httpPort;
        Database = database;
        Runtime = app.Services.GetRequiredService<GatewayRuntime>();
        Http = new HttpClient { BaseAddress = new Uri(Url) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    public GatewayRuntime Runtime { get; }

    public string DataDir { get; }

    public int MqttPort { get; }

    public int HttpPort { get; }

    public string Url => $"http://127.0.0.1:{HttpPort}";

    public string Database { get; }

    public HttpClient Http { get; }

    public static async Task<GatewayUnderTest> StartAsync(InfluxDbServer influx, params string[] extra)
    {
        var dataDir = Directory.CreateTempSubdirectory("iotmon-e2e-gw-").FullName;
        var database = "e2e" + Guid.NewGuid().ToString("N")[..10];
        var mqttPort = FreePort.Next();
        var httpPort = FreePort.Next();
        string[] args =
        [
            $"--urls=http://127.0.0.1:{httpPort}",
            $"--Gateway:DataDir={dataDir}",
            "--Mqtt:BindAddress=127.0.0.1",
            $"--Mqtt:Port={mqttPort}",
            $"--Storage:Url={influx.Url}",
            $"--Storage:Database={database}",
            "--Storage:RetryInitialMs=50",
            "--Storage:RetryMaxMs=500",
            "--Registry:Pbkdf2Iterations=1000",
            $"--Api:AdminKey={AdminKey}",
            "--Logging:LogLevel:Default=Warning",
            .. extra,
        ];
        var app = GatewayApp.Build(args);
        await app.StartAsync();
        return new GatewayUnderTest(app, dataDir, mqttPort, httpPort, database);
    }

    /// <summary>Registers a site and a device through the API; returns the secret.</summary>
    public async Task<string> EnrolAsync(string site, string device)
    {
        (await Http.PostAsJsonAsync("/api/v1/sites", new { id = site, name = site })).EnsureSuccessStatusCode();
        var response = await Http.PostAsJsonAsync("/api/v1/devices", new { id = device, site });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        return body!["secret"];
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // a closing handle still holds a file; the OS cleans temp
        }
    }
}
