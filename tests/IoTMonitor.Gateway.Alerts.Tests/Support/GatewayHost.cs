using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Alerts.Tests.Support;

/// <summary>
/// The real gateway in-process (embedded broker, WAL, registry, alert stage) on free loopback ports,
/// with a data dir that survives <see cref="RestartAsync"/>.
/// </summary>
public sealed class GatewayHost : InProcessGateway
{
    public const string AdminKey = "test-admin-key-0123456789";
    public const string ServiceUser = "alerts-svc";
    public const string ServicePassword = "alerts-svc-password-0123";

    private readonly Dictionary<string, string> _settings;

    public GatewayHost(string rulePackJson, Dictionary<string, string> settings, Uri? influx = null)
        : base(AdminKey, "iotmon-alerts-gw-")
    {
        var pack = Path.Combine(DataDir, "rules.json");
        File.WriteAllText(pack, rulePackJson);
        _settings = new Dictionary<string, string>
        {
            ["Mqtt:ServiceUser"] = ServiceUser,
            ["Mqtt:ServicePassword"] = ServicePassword,
            ["Storage:Url"] = influx?.ToString() ?? $"http://127.0.0.1:{FreePort.Next()}",
            ["Alerts:RulePackPath"] = pack,
            ["Alerts:TickSeconds"] = "1",
            ["Alerts:Outbox:RetryInitialMs"] = "200",
            ["Alerts:Outbox:RetryMaxMs"] = "1000",
            ["Alerts:Outbox:PollMs"] = "200",
            ["Alerts:Influx:Enabled"] = influx is null ? "false" : "true",
        };
        foreach (var (k, v) in settings)
        {
            _settings[k] = v;
        }
    }

    public AlertsService Alerts => Service<AlertsService>();

    public async Task StartAsync()
    {
        await StartGatewayAsync(_settings.Select(kv => $"--{kv.Key}={kv.Value}"));
        await WaitUntilAsync(() => Alerts.Mqtt is null || Alerts.Mqtt.IsConnected, TimeSpan.FromSeconds(10), "the alert MQTT link to connect");
    }

    public Task StopAsync() => StopGatewayAsync();

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>Creates an API key with a role (viewer, operator, admin) through the keys API, as the bootstrap admin.</summary>
    public async Task<string> CreateKeyAsync(string name, string role)
    {
        using var response = await Http.PostAsync("/api/v1/keys", new StringContent(JsonSerializer.Serialize(new { name, role }), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>Sends a request with <paramref name="key"/> instead of the admin key.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", key);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await Http.SendAsync(request);
    }

    /// <summary>Registers a device (site created if needed) and connects it as a node would.</summary>
    public async Task<VirtualNode> ConnectNodeAsync(string site, string device)
    {
        if (!Service<DeviceRegistry>().SiteExists(site))
        {
            Service<DeviceRegistry>().AddSite(site, null);
        }

        var secret = Service<DeviceRegistry>().FindDevice(device) is null ? Service<DeviceRegistry>().AddDevice(device, site, "node-secret-" + device).Secret : "node-secret-" + device;
        var node = new VirtualNode(site, device);
        await node.ConnectAsync(MqttPort, secret);
        return node;
    }

    /// <summary>An operator's MQTT consumer of the alert topics (service login).</summary>
    public async Task<IMqttClient> SubscribeAlertsAsync(List<JsonElement> received)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic.Contains("/events/", StringComparison.Ordinal))
            {
                lock (received)
                {
                    received.Add(JsonDocument.Parse(e.ApplicationMessage.Payload.ToArray()).RootElement.Clone());
                }
            }

            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", MqttPort).WithCredentials(ServiceUser, ServicePassword).WithClientId("ops-" + Guid.NewGuid().ToString("N")[..8]).Build());
        var sub = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("iotmon/alerts/events/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, sub.Items.Single().ResultCode);
        return client;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0} s waiting for {what}");
            }

            await Task.Delay(25);
        }
    }
}

/// <summary>What a node does on the wire: protocol-v1 telemetry and status over MQTT, authenticated as its device.</summary>
public sealed class VirtualNode(string site, string device) : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private long _seq;

    public string Site => site;

    public string Device => device;

    public async Task ConnectAsync(int port, string secret)
    {
        var result = await _client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithCredentials(device, secret).WithClientId(device).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
    }

    /// <summary>Publishes one batch (QoS 1; returns once the gateway's PUBACK arrived, i.e. the batch is in the WAL).</summary>
    public async Task SendAsync(string quantity, params (long T, double Value)[] readings) => await SendAsync(quantity, 3.9, readings);

    public async Task SendAsync(string quantity, double battery, params (long T, double Value)[] readings)
    {
        var first = _seq + 1;
        _seq += readings.Length;
        await PublishAsync(Batch(boot: 1, first, quantity, battery, readings));
    }

    /// <summary>
    /// A protocol-v1 batch with the given boot counter and first sequence number (docs/protocol.md §3),
    /// to publish once or, as a node does after a lost PUBACK or a restart, again.
    /// </summary>
    public static string Batch(long boot, long firstSeq, string quantity, double battery, params (long T, double Value)[] readings)
    {
        var clk = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var r = string.Join(",", readings.Select((x, i) => $"[{firstSeq + i},{x.T},\"{quantity}\",{x.Value.ToString(CultureInfo.InvariantCulture)},0]"));
        return $"{{\"v\":1,\"fw\":\"1.0.0\",\"boot\":{boot},\"clk\":{clk},\"h\":{{\"bat\":{battery.ToString(CultureInfo.InvariantCulture)},\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":1}},\"r\":[{r}]}}";
    }

    /// <summary>Publishes a telemetry payload (QoS 1; returns once the gateway's PUBACK arrived).</summary>
    public async Task PublishAsync(string payload)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"iotmon/v1/{site}/{device}/telemetry").WithPayload(Encoding.UTF8.GetBytes(payload)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(result.IsSuccess, $"telemetry refused: {result.ReasonCode}");
    }

    public async Task StatusAsync(string json)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"iotmon/v1/{site}/{device}/status").WithPayload(Encoding.UTF8.GetBytes(json)).WithRetainFlag(true).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(result.IsSuccess, $"status refused: {result.ReasonCode}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
