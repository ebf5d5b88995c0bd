using System.Net.Http.Json;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Tests.Support;

/// <summary>The whole gateway in-process on free loopback ports with a temporary data dir.</summary>
public sealed class GatewayHarness : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789";

    private readonly WebApplication _app;
    private readonly bool _ownsDataDir;

    private GatewayHarness(WebApplication app, string dataDir, int mqttPort, int httpPort, string database, bool ownsDataDir)
    {
        _app = app;
        DataDir = dataDir;
        MqttPort = mqttPort;
        HttpPort = httpPort;
        Database = database;
        _ownsDataDir = ownsDataDir;
        Runtime = app.Services.GetRequiredService<GatewayRuntime>();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        Http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    public GatewayRuntime Runtime { get; }

    public string DataDir { get; }

    public int MqttPort { get; }

    public int HttpPort { get; }

    public string Database { get; }

    public HttpClient Http { get; }

    public static string NewDatabase() => "t" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<GatewayHarness> StartAsync(InfluxDbServer influx, string? database = null, string? dataDir = null, params string[] extra)
    {
        var ownsDir = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("iotmon-gw-test-").FullName;
        database ??= NewDatabase();
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
        return new GatewayHarness(app, dataDir, mqttPort, httpPort, database, ownsDir);
    }

    /// <summary>Registers a site and a device through the HTTP API; returns the device secret.</summary>
    public async Task<string> EnrolAsync(string site, string device)
    {
        (await Http.PostAsJsonAsync("/api/v1/sites", new { id = site, name = site })).EnsureSuccessStatusCode();
        var response = await Http.PostAsJsonAsync("/api/v1/devices", new { id = device, site });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        return body!["secret"];
    }

    public static async Task<IMqttClient> ConnectDeviceAsync(int port, string device, string secret, string? clientId = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId ?? device + "-" + Guid.NewGuid().ToString("N")[..6])
            .WithCredentials(device, secret)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        var result = await client.ConnectAsync(options);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"connect refused: {result.ResultCode}");
        }

        return client;
    }

    public static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, byte[] payload) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    /// <summary>Waits until InfluxDB holds <paramref name="expected"/> points with field seq in <paramref name="measurement"/>.</summary>
    public static async Task<long> WaitForCountAsync(InfluxDbServer influx, string database, long expected, TimeSpan timeout, string measurement = "water")
    {
        var deadline = DateTime.UtcNow + timeout;
        long count = 0;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                count = await influx.CountAsync(database, measurement, "seq");
            }
            catch (InvalidOperationException)
            {
                count = 0; // database not created yet
            }

            if (count >= expected)
            {
                // settle: a late duplicate would show as a count above expected
                await Task.Delay(300);
                return await influx.CountAsync(database, measurement, "seq");
            }

            await Task.Delay(100);
        }

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDataDir)
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
                // still held by a closing handle; the temp folder is cleaned by the OS
            }
        }
    }
}
