using System.Globalization;
using System.Text.Json;
using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests.Support;

/// <summary>
/// The built gateway as a process on free loopback ports, reached only from outside: MQTT by the
/// mosquitto clients and the LoadGen node, the API and /metrics by curl, InfluxDB by the influx CLI.
/// </summary>
public sealed class StrangerGateway : IDisposable
{
    public const string AdminKey = "stranger-admin-key-0123456789";
    private readonly GatewayProcess _process;

    public StrangerGateway(InfluxDbServer influx, params string[] settings)
    {
        Influx = influx;
        Database = "stranger_" + Guid.NewGuid().ToString("N")[..10];
        DataDir = Directory.CreateTempSubdirectory("iotmon-stranger-").FullName;
        var external = settings.Contains("--Mqtt:Mode=External");
        _process = new GatewayProcess(DataDir, external ? 0 : FreePort.Next(), FreePort.Next(),
        [
            $"--Api:AdminKey={AdminKey}",
            "--Registry:Pbkdf2Iterations=1000",
            $"--Storage:Url={influx.Url}",
            $"--Storage:Database={Database}",
            "--Storage:RetryInitialMs=50",
            "--Logging:LogLevel:Default=Warning",
            .. settings,
        ]);
    }

    public InfluxDbServer Influx { get; }

    public string Database { get; }

    public string DataDir { get; }

    public int MqttPort => _process.MqttPort;

    public int HttpPort => _process.HttpPort;

    public string Log => _process.Log;

    public Task StartAsync() => _process.StartAsync();

    /// <summary>SIGKILL, as a power cut.</summary>
    public void Kill() => _process.Kill();

    /// <summary>curl against the API; returns the HTTP status and body.</summary>
    public async Task<(int Status, string Body)> CurlAsync(string method, string path, string? json = null)
    {
        List<string> args = ["-s", "-S", "-X", method, "-H", $"X-Api-Key: {AdminKey}", "-w", "\n%{http_code}", $"http://127.0.0.1:{HttpPort}{path}"];
        if (json is not null)
        {
            args.AddRange(["-H", "Content-Type: application/json", "--data-binary", json]);
        }

        var r = await Cli.RunAsync(Cli.Curl, args, TimeSpan.FromSeconds(30));
        Assert.True(r.ExitCode == 0, $"curl {method} {path}: {r.All}");
        var cut = r.Stdout.LastIndexOf('\n');
        return (int.Parse(r.Stdout[(cut + 1)..], CultureInfo.InvariantCulture), r.Stdout[..cut]);
    }

    /// <summary>Registers the site (if new) and the device through the API; returns the device secret.</summary>
    public async Task<string> EnrolAsync(string site, string device)
    {
        var (siteStatus, siteBody) = await CurlAsync("POST", "/api/v1/sites", $$"""{"id":"{{site}}","name":"{{site}}"}""");
        Assert.True(siteStatus is 201 or 200 or 409, $"POST /sites: {siteStatus} {siteBody}");
        var (status, body) = await CurlAsync("POST", "/api/v1/devices", $$"""{"id":"{{device}}","site":"{{site}}"}""");
        Assert.True(status is 200 or 201, $"POST /devices: {status} {body}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("secret").GetString()!;
    }

    /// <summary>One counter of GET /metrics (Prometheus text), 0 when absent.</summary>
    public async Task<double> MetricAsync(string name)
    {
        var (status, body) = await CurlAsync("GET", "/metrics");
        Assert.Equal(200, status);
        foreach (var line in body.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>The gateway process's resident memory (VmRSS of /proc/PID/status, Linux), in bytes.</summary>
    public long ResidentBytes()
    {
        var pid = _process.ProcessId ?? throw new InvalidOperationException("the gateway is not running");
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS in /proc/" + pid + "/status");
    }

    /// <summary>The first line of the dead-letter file (JSON lines) with reason <paramref name="reason"/>, waited for; null if none came.</summary>
    public async Task<string?> WaitDeadLetterAsync(string reason, TimeSpan timeout)
    {
        var path = Path.Combine(DataDir, "deadletter.jsonl");
        var deadline = DateTime.UtcNow + timeout;
        do
        {
            if (File.Exists(path))
            {
                var line = File.ReadLines(path).FirstOrDefault(l => l.Contains($"\"reason\":\"{reason}\"", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line;
                }
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        return null;
    }

    /// <summary>Water readings stored for a device, counted with the influx CLI.</summary>
    public async Task<long> StoredAsync(string device)
    {
        var r = await Cli.RunAsync(Cli.Influx,
            ["-host", "127.0.0.1", "-port", Influx.HttpPort.ToString(CultureInfo.InvariantCulture), "-database", Database, "-format", "csv",
             "-execute", $"SELECT count(\"seq\") FROM \"water\" WHERE \"device\"='{device}'"],
            TimeSpan.FromSeconds(30));
        if (r.ExitCode != 0 && r.Stdout.Contains("database not found", StringComparison.Ordinal))
        {
            return 0;
        }

        Assert.True(r.ExitCode == 0, $"influx: {r.All}");
        var rows = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return rows.Length < 2 ? 0 : long.Parse(rows[1].Split(',')[^1], CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until <paramref name="device"/> has <paramref name="expected"/> readings stored (or the time is up); returns the last count.</summary>
    public async Task<long> WaitStoredAsync(string device, long expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long n;
        while ((n = await StoredAsync(device)) < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        return n;
    }

    public void Dispose()
    {
        _process.Dispose();
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
