using System.Net.Http.Json;
using IoTMonitor.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Testing;

/// <summary>
/// The whole gateway in-process (<see cref="GatewayApp.Build"/>: embedded broker, WAL, writer, registry,
/// alerts, API, dashboard) on free loopback ports with a temporary data dir, and an <see cref="Http"/>
/// client on its API. The test harnesses derive from it and add only what is theirs (storage, keys,
/// rule packs, channels); the settings they pass come after the common ones, so they win.
/// </summary>
public abstract class InProcessGateway : IAsyncDisposable
{
    private readonly string _adminKey;
    private readonly bool _ownsDataDir;
    private bool _built;

    /// <param name="adminKey">the bootstrap <c>Api:AdminKey</c>.</param>
    /// <param name="dataDirPrefix">the temp folder's name prefix when <paramref name="dataDir"/> is null.</param>
    /// <param name="dataDir">an existing data dir to use (and leave in place), e.g. to start again on it.</param>
    /// <param name="adminKeyOnHttp">whether <see cref="Http"/> sends the admin key on every request.</param>
    protected InProcessGateway(string adminKey, string dataDirPrefix, string? dataDir = null, bool adminKeyOnHttp = true)
    {
        _adminKey = adminKey;
        _ownsDataDir = dataDir is null;
        DataDir = dataDir ?? Directory.CreateTempSubdirectory(dataDirPrefix).FullName;
        MqttPort = FreePort.Next();
        HttpPort = FreePort.Next();
        BaseUrl = new Uri($"http://127.0.0.1:{HttpPort}");
        Http = new HttpClient { BaseAddress = BaseUrl };
        if (adminKeyOnHttp)
        {
            Http.DefaultRequestHeaders.Add("X-Api-Key", adminKey);
        }
    }

    public string DataDir { get; }

    public int MqttPort { get; }

    public int HttpPort { get; }

    public Uri BaseUrl { get; }

    public HttpClient Http { get; }

    /// <summary>The running gateway (the latest one after a restart).</summary>
    public WebApplication App { get; private set; } = null!;

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Registers a site and a device through the API as the admin (the key <see cref="Http"/> sends); returns the device secret.</summary>
    public async Task<string> EnrolAsync(string site, string device)
    {
        (await Http.PostAsJsonAsync("/api/v1/sites", new { id = site, name = site })).EnsureSuccessStatusCode();
        var response = await Http.PostAsJsonAsync("/api/v1/devices", new { id = device, site });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        return body!["secret"];
    }

    /// <summary>Builds and starts the gateway with the common settings followed by <paramref name="settings"/> (<c>--Key=value</c>).</summary>
    protected async Task StartGatewayAsync(IEnumerable<string> settings)
    {
        string[] args =
        [
            $"--Urls=http://127.0.0.1:{HttpPort}",
            $"--Gateway:DataDir={DataDir}",
            "--Mqtt:BindAddress=127.0.0.1",
            $"--Mqtt:Port={MqttPort}",
            "--Registry:Pbkdf2Iterations=1000",
            $"--Api:AdminKey={_adminKey}",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ];
        App = GatewayApp.Build(args);
        _built = true;
        await App.StartAsync();
    }

    /// <summary>Stops and disposes the gateway; the data dir stays.</summary>
    protected async Task StopGatewayAsync()
    {
        _built = false;
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_built)
        {
            try
            {
                await StopGatewayAsync();
            }
            catch (ObjectDisposedException)
            {
                // already torn down by the test
            }
        }

        if (_ownsDataDir)
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
                // a closing handle still holds a file; the OS cleans temp
            }
        }

        GC.SuppressFinalize(this);
    }
}
