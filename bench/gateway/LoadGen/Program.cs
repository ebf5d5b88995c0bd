// Gateway benchmark: all on loopback, one run. Prints readings/s from MQTT publish to queryable in
// InfluxDB (embedded and external mode, WAL with fsync on), the ceilings (direct InfluxDB writes in
// 5,000-line batches; Mosquitto -> mosquitto_sub at QoS 1), peak RSS and CPU seconds of the gateway
// process, and loss. Usage: dotnet run -c Release -- [messages] [clients]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

var messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
const int ReadingsPerMessage = 4;
var readings = (long)messages * ReadingsPerMessage;
var baseTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5_000_000;

byte[] Payload(int m)
{
    var t = baseTime + (m / clients);
    var seq = 1 + ((m / clients) * ReadingsPerMessage);
    return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"{{\"v\":1,\"fw\":\"1.0.0\",\"boot\":1,\"clk\":{t + 1},\"h\":{{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":2}},\"r\":[[{seq},{t},\"water.ph\",7.12,0],[{seq + 1},{t},\"water.temp\",14.5,0],[{seq + 2},{t},\"water.ec\",512,0],[{seq + 3},{t},\"water.level\",1.235,0]]}}"));
}

string Topic(int m) => $"iotmon/v1/bench/d{m % clients}/telemetry";

using var influx = await InfluxDbServer.StartNewAsync();
Console.WriteLine($"messages={messages} readings={readings} clients={clients} (QoS 1, {ReadingsPerMessage} readings/message)");

// 1. Ceiling: the same points straight to InfluxDB in 5,000-line batches.
{
    await influx.CreateDatabaseAsync("direct");
    using var http = new HttpClient { BaseAddress = influx.Url };
    var sw = Stopwatch.StartNew();
    var sb = new StringBuilder();
    var lines = 0;
    for (var m = 0; m < messages; m++)
    {
        var t = baseTime + (m / clients);
        foreach (var q in new[] { "ph", "temp", "ec", "level" })
        {
            sb.Append(CultureInfo.InvariantCulture, $"water,device=d{m % clients},quantity={q},site=bench value=7.12,flags=0i,seq={m}i,boot=1i {t}\n");
            if (++lines == 5000)
            {
                await Post(http, sb.ToString());
                sb.Clear();
                lines = 0;
            }
        }
    }

    if (sb.Length > 0)
    {
        await Post(http, sb.ToString());
    }

    var n = await influx.CountAsync("direct", "water", "seq");
    Console.WriteLine($"direct InfluxDB 5000-line batches: {readings / sw.Elapsed.TotalSeconds:F0} readings/s ({n} stored)");

    static async Task Post(HttpClient http, string body)
    {
        using var r = await http.PostAsync("/write?db=direct&precision=s", new StringContent(body));
        r.EnsureSuccessStatusCode();
    }
}

// 2. Ceiling: Mosquitto -> mosquitto_sub at QoS 1.
using var mosquitto = await MosquittoServer.StartNewAsync("max_inflight_messages 1000\nmax_queued_messages 1000000");
{
    var sub = Process.Start(new ProcessStartInfo(ServerBinary.Find("mosquitto_sub", "mosquitto-clients"), $"-h 127.0.0.1 -p {mosquitto.Port} -q 1 -t iotmon/v1/+/+/telemetry -C {messages}") { RedirectStandardOutput = true })!;
    var drain = sub.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
    await Task.Delay(500);
    var sw = Stopwatch.StartNew();
    await PublishAsync(mosquitto.Port, messages);
    await sub.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
    Console.WriteLine($"mosquitto -> mosquitto_sub QoS 1: {readings / sw.Elapsed.TotalSeconds:F0} readings/s");
}

// 3. Gateway, embedded and external, as a separate process.
foreach (var mode in new[] { "Embedded", "External" })
{
    var db = "gw" + mode.ToLowerInvariant();
    var dataDir = Directory.CreateTempSubdirectory("iotmon-bench-").FullName;
    var mqttPort = FreePort.Next();
    var dll = Path.Combine(AppContext.BaseDirectory, "IoTMonitor.Gateway.dll");
    var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { dll, $"--urls=http://127.0.0.1:{FreePort.Next()}", $"--Gateway:DataDir={dataDir}", "--Mqtt:BindAddress=127.0.0.1", $"--Mqtt:Port={mqttPort}", $"--Mqtt:Mode={mode}",
        "--Mqtt:External:Host=127.0.0.1", $"--Mqtt:External:Port={mosquitto.Port}", "--Mqtt:External:ClientId=bench-gw", $"--Storage:Url={influx.Url}", $"--Storage:Database={db}",
        "--Registry:RequireAuthentication=false", "--Logging:LogLevel:Default=Warning" })
    {
        info.ArgumentList.Add(a);
    }

    using var gw = Process.Start(info)!;
    _ = gw.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
    _ = gw.StandardError.BaseStream.CopyToAsync(Stream.Null);
    while (!FreePort.IsListening(mode == "Embedded" ? mqttPort : mosquitto.Port))
    {
        await Task.Delay(100);
    }

    await Task.Delay(1500);
    long peakRss = 0;
    using var cts = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!cts.IsCancellationRequested)
        {
            gw.Refresh();
            peakRss = Math.Max(peakRss, gw.WorkingSet64);
            await Task.Delay(100);
        }
    });
    var cpuBefore = gw.TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    await PublishAsync(mode == "Embedded" ? mqttPort : mosquitto.Port, messages);
    var published = sw.Elapsed;
    long stored = 0;
    var deadline = DateTime.UtcNow.AddMinutes(5);
    while (DateTime.UtcNow < deadline)
    {
        try
        {
            stored = await influx.CountAsync(db, "water", "seq");
        }
        catch (InvalidOperationException)
        {
        }

        if (stored >= readings)
        {
            break;
        }

        await Task.Delay(50);
    }

    var elapsed = sw.Elapsed;
    var cpu = (gw.TotalProcessorTime - cpuBefore).TotalSeconds;
    await cts.CancelAsync();
    await sampler;
    Console.WriteLine($"gateway {mode.ToLowerInvariant()} (WAL fsync on): {readings / elapsed.TotalSeconds:F0} readings/s publish->queryable " +
        $"(all acked after {published.TotalSeconds:F1} s, queryable after {elapsed.TotalSeconds:F1} s), peak RSS {peakRss / (1024 * 1024)} MiB, CPU {cpu:F1} s, loss {readings - stored}");
    gw.Kill(entireProcessTree: true);
    await gw.WaitForExitAsync();
    Directory.Delete(dataDir, recursive: true);
}

async Task PublishAsync(int port, int count)
{
    var factory = new MqttClientFactory();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
    {
        using var client = factory.CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId($"bench-node-{c}-{Guid.NewGuid():N}")
            .WithCredentials($"d{c}", "x").WithProtocolVersion(MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(30)).Build());
        var window = new List<Task<MqttClientPublishResult>>(32);
        for (var m = c; m < count; m += clients)
        {
            window.Add(client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topic(m)).WithPayload(Payload(m)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()));
            if (window.Count == 16)
            {
                foreach (var r in await Task.WhenAll(window))
                {
                    if (!r.IsSuccess)
                    {
                        throw new InvalidOperationException($"publish refused: {r.ReasonCode}");
                    }
                }

                window.Clear();
            }
        }

        await Task.WhenAll(window);
        await client.DisconnectAsync();
    }));
}
