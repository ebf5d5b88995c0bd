using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using Microsoft.Extensions.DependencyInjection;

// usage: AlertsBench [crossings=200]
var crossings = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var dataDir = Directory.CreateTempSubdirectory("iotmon-alerts-bench-").FullName;
var mqttPort = FreePort.Next();
var hookPort = FreePort.Next();
var pack = Path.Combine(dataDir, "rules.json");
File.WriteAllText(pack, """{"name":"bench","rules":[{"id":"level.high","name":"Level high","kind":"threshold","quantity":"water.level","severity":"critical","above":3.5,"hysteresis":0.1,"source":"bench"}]}""");

// webhook receiver: records the arrival time of each "opened" event by alert id
var arrivals = new ConcurrentDictionary<string, long>();
var opened = new SemaphoreSlim(0);
using var listener = new HttpListener();
listener.Prefixes.Add($"http://127.0.0.1:{hookPort}/hook/");
listener.Start();
_ = Task.Run(async () =>
{
    while (listener.IsListening)
    {
        HttpListenerContext ctx;
        try
        {
            ctx = await listener.GetContextAsync();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        using var doc = await JsonDocument.ParseAsync(ctx.Request.InputStream);
        if (doc.RootElement.GetProperty("type").GetString() == "opened")
        {
            arrivals[doc.RootElement.GetProperty("alert").GetProperty("device").GetString()!] = now;
            opened.Release();
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.Close();
    }
});

var settings = new Dictionary<string, string>
{
    ["Urls"] = $"http://127.0.0.1:{FreePort.Next()}",
    ["Logging:LogLevel:Default"] = "Error",
    ["Gateway:DataDir"] = dataDir,
    ["Mqtt:BindAddress"] = "127.0.0.1",
    ["Mqtt:Port"] = mqttPort.ToString(CultureInfo.InvariantCulture),
    ["Mqtt:ServiceUser"] = "alerts-svc",
    ["Mqtt:ServicePassword"] = "alerts-svc-password-0123",
    ["Registry:Pbkdf2Iterations"] = "1000",
    ["Storage:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
    ["Alerts:RulePackPath"] = pack,
    ["Alerts:FlapWindowSeconds"] = "0",
    ["Alerts:Influx:Enabled"] = "false",
    ["Alerts:Webhook:Urls:0"] = $"http://127.0.0.1:{hookPort}/hook/",
    ["Alerts:Webhook:Secret"] = "bench-secret-0123456789",
};
var app = GatewayApp.Build(settings.Select(kv => $"--{kv.Key}={kv.Value}").ToArray());
await app.StartAsync();
var registry = app.Services.GetRequiredService<DeviceRegistry>();
registry.AddSite("bench", null);

// one device per crossing, so every crossing is a fresh alert (no flap suppression involved)
var client = new MqttClientFactory().CreateMqttClient();
var latencies = new List<double>(crossings);
var seq = 0L;
for (var i = 0; i < crossings; i++)
{
    var device = "wl-" + i.ToString(CultureInfo.InvariantCulture);
    registry.AddDevice(device, "bench", "secret-" + device);
    if (client.IsConnected)
    {
        await client.DisconnectAsync();
    }

    await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mqttPort).WithCredentials(device, "secret-" + device).WithClientId(device).Build());
    var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    await Publish(device, t - 1, 3.0); // below, to establish the trend
    var start = Stopwatch.GetTimestamp();
    await Publish(device, t, 3.9);      // the crossing
    if (!await opened.WaitAsync(TimeSpan.FromSeconds(10)))
    {
        throw new TimeoutException($"no webhook for crossing {i}");
    }

    latencies.Add(Stopwatch.GetElapsedTime(start, arrivals[device]).TotalMilliseconds);
}

await client.DisconnectAsync();
await app.StopAsync();
listener.Stop();
latencies.Sort();
double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"threshold crossing (MQTT QoS1 publish) -> webhook received, {crossings} crossings: p50 {P(0.50):0.0} ms, p90 {P(0.90):0.0} ms, p99 {P(0.99):0.0} ms, max {latencies[^1]:0.0} ms"));
Directory.Delete(dataDir, recursive: true);
return 0;

async Task Publish(string device, long t, double value)
{
    var payload = $"{{\"v\":1,\"fw\":\"1.0.0\",\"boot\":1,\"clk\":{t},\"h\":{{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":1}},\"r\":[[{++seq},{t},\"water.level\",{value.ToString(CultureInfo.InvariantCulture)},0]]}}";
    var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"iotmon/v1/bench/{device}/telemetry").WithPayload(Encoding.UTF8.GetBytes(payload)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
    if (!result.IsSuccess)
    {
        throw new InvalidOperationException($"publish refused: {result.ReasonCode}");
    }
}
