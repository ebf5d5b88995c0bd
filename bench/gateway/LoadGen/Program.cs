// Gateway benchmark (bench/gateway/run.sh; not a timed test). All on loopback, one run, servers started
// for the run and stopped at the end. Prints:
//   ceilings: the same points posted straight to InfluxDB in 5,000-line batches; Mosquitto -> mosquitto_sub QoS 1
//   gateway embedded and external (Mosquitto) burst: readings/s from first publish to all queryable, WAL fsync on
//   peer: Node-RED (mqtt in -> json -> function -> join 500 -> influxdb batch) on the same Mosquitto
//   paced: p50/p99 publish->queryable latency of the embedded gateway at a fixed rate
//   drain: external mode behind Mosquitto's default in-flight window (20), backlog drain rate
//   peak RSS, CPU seconds and loss of every process under test; medians of the repeats.
// Environment (all optional): BENCH_MESSAGES (100000), BENCH_CONNECTIONS (200), BENCH_WINDOW (8),
// BENCH_REPEATS (3), BENCH_PACED_RATE (10000 msg/s; 70 % of the embedded burst on a box that cannot sustain it), BENCH_PACED_SECONDS (10), BENCH_DRAIN_MESSAGES (50000),
// BENCH_WARMUP (20000 untimed messages into each system under test before its timed runs; 0 = none),
// BENCH_SKIP (comma list of: direct,mosquitto,embedded,external,nodered,paced,drain).
// `LoadGen resend --port P --user U --password S …` is instead one re-sending node (Resender.cs).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

// `LoadGen resend …`: a single node that re-sends unacknowledged batches (Resender.cs); the stranger tests drive the gateway with it.
if (args is ["resend", ..])
{
    return await Resender.RunAsync(args[1..]);
}

var inv = CultureInfo.InvariantCulture;
int Env(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, inv, out var v) && v > 0 ? v : fallback;
var messages = Env("BENCH_MESSAGES", 100_000);
var connections = Env("BENCH_CONNECTIONS", 200);
var window = Env("BENCH_WINDOW", 8);
var repeats = Env("BENCH_REPEATS", 3);
var pacedRate = Env("BENCH_PACED_RATE", 10_000);
var pacedSeconds = Env("BENCH_PACED_SECONDS", 10);
var drainMessages = Env("BENCH_DRAIN_MESSAGES", 50_000);
var warmUp = Environment.GetEnvironmentVariable("BENCH_WARMUP") == "0" ? 0 : Env("BENCH_WARMUP", 20_000);
var skip = (Environment.GetEnvironmentVariable("BENCH_SKIP") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
var nodeRedDir = Environment.GetEnvironmentVariable("BENCH_NODE_RED_DIR") ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../node-red"));
const int ReadingsPerMessage = 4;
var deadlineAll = TimeSpan.FromMinutes(5); // per measurement: give up (and report loss) after this
var results = new List<(string Name, string Figure)>();
// Every burst gets its own stretch of device time (a device sends one message a second), all in
// the past: the gateway refuses readings further ahead than its clock skew allows.
var runSpan = (Math.Max(Math.Max(messages, warmUp), Math.Max(pacedRate * pacedSeconds, drainMessages)) / connections) + 3600L;
const int MostRuns = 200;
var epoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - (MostRuns * runSpan);
var runNo = 0;
var countFrom = 0L;
(string Quantity, string Value)[] Quantities = [("ph", "7.12"), ("temp", "14.5"), ("ec", "512"), ("level", "1.235")];

string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

Console.WriteLine($"gateway benchmark: {messages} QoS 1 messages x {ReadingsPerMessage} readings per burst, {connections} publisher connections with up to {window} QoS 1 publishes in flight each, medians of {repeats}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average at start {File.ReadAllText("/proc/loadavg").Trim()}");

using var influx = await InfluxDbServer.StartNewAsync();
using var mosquitto = await MosquittoServer.StartNewAsync("max_inflight_messages 1000\nmax_queued_messages 1000000");
Started.Track(influx.Pid);
Started.Track(mosquitto.Pid);
using var http = new HttpClient { BaseAddress = influx.Url, Timeout = TimeSpan.FromSeconds(60) };

// ---------------------------------------------------------------- ceilings
if (!skip.Contains("direct"))
{
    var rates = new List<double>();
    for (var r = 0; r < repeats; r++)
    {
        var db = $"direct{r}";
        await influx.CreateDatabaseAsync(db);
        var bodies = new List<string>();
        var sb = new StringBuilder();
        var lines = 0;
        var baseTime = NextBase();
        for (var m = 0; m < messages; m++)
        {
            var (device, t, seq) = Coordinates(m, baseTime);
            foreach (var (q, v) in Quantities)
            {
                sb.Append(inv, $"water,device=d{device},quantity={q},site=bench value={v},flags=0i,seq={seq++}i,boot=1i {t}\n");
                if (++lines == 5000)
                {
                    bodies.Add(sb.ToString());
                    sb.Clear();
                    lines = 0;
                }
            }
        }

        if (sb.Length > 0)
        {
            bodies.Add(sb.ToString());
        }

        var load = Load();
        var sw = Stopwatch.StartNew();
        foreach (var body in bodies)
        {
            using var response = await http.PostAsync($"/write?db={db}&precision=s", new StringContent(body));
            response.EnsureSuccessStatusCode();
        }

        var elapsed = sw.Elapsed.TotalSeconds;
        var stored = await influx.CountAsync(db, "water", "seq");
        var rate = Readings(messages) / elapsed;
        rates.Add(rate);
        Console.WriteLine($"  direct InfluxDB run {r + 1}: {rate:F0} readings/s, {stored} stored, load {load}");
        await influx.QueryAsync($"DROP DATABASE {db}", null, post: true);
    }

    Report("ceiling: direct InfluxDB, 5,000-line batches", $"{Median(rates):F0} readings/s");
}

if (!skip.Contains("mosquitto"))
{
    var rates = new List<double>();
    for (var r = 0; r < repeats; r++)
    {
        var sub = Process.Start(new ProcessStartInfo(ServerBinary.Find("mosquitto_sub", "mosquitto-clients"), $"-h 127.0.0.1 -p {mosquitto.Port} -q 1 -i bench-sub -t iotmon/v1/+/+/telemetry -C {messages}") { RedirectStandardOutput = true })!;
        var drain = sub.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        await Task.Delay(500);
        var burst = await PrepareBurstAsync(mosquitto.Port, messages, NextBase());
        var load = Load();
        var shared = SharedCpu();
        var sw = Stopwatch.StartNew();
        await burst();
        var done = await WaitExitAsync(sub, deadlineAll);
        var elapsed = sw.Elapsed.TotalSeconds;
        var sharedCpu = SharedCpuSince(shared);
        if (!done)
        {
            sub.Kill();
        }

        var rate = Readings(messages) / elapsed;
        rates.Add(rate);
        Console.WriteLine($"  mosquitto -> mosquitto_sub run {r + 1}: {rate:F0} readings/s ({messages / elapsed:F0} msg/s){(done ? string.Empty : " (did not receive all)")}, load {load}; CPU: {sharedCpu}");
    }

    Report("ceiling: Mosquitto -> mosquitto_sub, QoS 1", $"{Median(rates):F0} readings/s ({Median(rates) / ReadingsPerMessage:F0} msg/s)");
}

// ---------------------------------------------------------------- gateway bursts
foreach (var mode in new[] { "Embedded", "External" })
{
    if (skip.Contains(mode.ToLowerInvariant()))
    {
        continue;
    }

    var runs = new List<Measured>();
    await using var gw = await Gateway.StartAsync(mode, mosquitto.Port, influx, $"gw{mode.ToLowerInvariant()}");
    var brokerPort = mode == "Embedded" ? gw.MqttPort : mosquitto.Port;
    await WarmUpAsync(gw.Process, brokerPort, gw.Database);
    for (var r = 0; r < repeats; r++)
    {
        var burst = await PrepareBurstAsync(brokerPort, messages, NextBase());
        var before = await CountOrZeroAsync(gw.Database);
        var load = Load();
        var measured = await MeasureAsync(gw.Process, burst, gw.Database, Readings(messages), before);
        runs.Add(measured);
        Console.WriteLine($"  gateway {mode.ToLowerInvariant()} run {r + 1}: {measured}, load {load}");
        if (measured.Loss != 0)
        {
            Console.WriteLine(await gw.DiagnoseAsync());
        }
    }

    Report($"gateway {mode.ToLowerInvariant()} burst (WAL fsync on)", Summary(runs));
    if (mode == "Embedded" && Environment.GetEnvironmentVariable("BENCH_PACED_RATE") is null)
    {
        // pace at 10,000 msg/s; on a box that cannot sustain that in a burst, at 70 % of what it did
        var sustained = Median(runs.Select(x => x.Rate / ReadingsPerMessage).ToList());
        if (sustained < pacedRate)
        {
            pacedRate = (int)(Math.Round(sustained * 0.7 / 100) * 100);
        }

        Console.WriteLine($"  paced rate for the latency run: {pacedRate} msg/s (10,000, or 70 % of the embedded burst's {sustained:F0} msg/s when the burst was slower)");
    }
}

// ---------------------------------------------------------------- Node-RED peer
if (!skip.Contains("nodered"))
{
    var runs = new List<Measured>();
    await using var red = await NodeRed.StartAsync(nodeRedDir, mosquitto.Port, influx);
    await WarmUpAsync(red.Process, mosquitto.Port, red.Database);
    for (var r = 0; r < repeats; r++)
    {
        var burst = await PrepareBurstAsync(mosquitto.Port, messages, NextBase());
        var before = await CountOrZeroAsync(red.Database);
        var load = Load();
        var measured = await MeasureAsync(red.Process, burst, red.Database, Readings(messages), before);
        runs.Add(measured);
        Console.WriteLine($"  Node-RED run {r + 1}: {measured}, load {load}");
    }

    Report("peer: Node-RED mqtt in -> json -> function -> join 500 -> influxdb batch", Summary(runs));
}

// ---------------------------------------------------------------- paced latency (embedded)
if (!skip.Contains("paced"))
{
    await using var gw = await Gateway.StartAsync("Embedded", mosquitto.Port, influx, "gwpaced");
    await WarmUpAsync(gw.Process, gw.MqttPort, gw.Database);
    var load = Load();
    var count = pacedRate * pacedSeconds;
    var baseTime = NextBase();
    var sent = new long[count];
    var cpu0 = gw.Process.TotalProcessorTime;
    using var stop = new CancellationTokenSource();
    var peak = PeakRss(gw.Process, stop.Token);
    var clock = Stopwatch.StartNew();
    var publishing = PublishPacedAsync(gw.MqttPort, count, baseTime, pacedRate, sent, clock);

    // Poll InfluxDB for the per-device counts; a device's messages are written in order, so when a
    // device has c points its first c / 4 messages are queryable.
    var perDevice = new int[connections];
    var visible = new long[count];
    Array.Fill(visible, -1);
    var seen = 0L;
    var limit = DateTime.UtcNow + TimeSpan.FromSeconds(pacedSeconds) + deadlineAll;
    while (seen < count && DateTime.UtcNow < limit)
    {
        await Task.Delay(100);
        var now = clock.ElapsedTicks;
        var rows = await DeviceCountsAsync(gw.Database);
        foreach (var (device, points) in rows)
        {
            var messagesVisible = (int)(points / ReadingsPerMessage);
            for (var j = perDevice[device]; j < messagesVisible; j++)
            {
                var m = (j * connections) + device;
                if (m < count)
                {
                    visible[m] = now;
                    seen++;
                }
            }

            perDevice[device] = Math.Max(perDevice[device], messagesVisible);
        }
    }

    var (achieved, ackP99) = await publishing;
    await stop.CancelAsync();
    var cpu = (gw.Process.TotalProcessorTime - cpu0).TotalSeconds;
    var latencies = new List<double>(count);
    for (var m = 0; m < count; m++)
    {
        if (visible[m] >= 0 && sent[m] > 0)
        {
            latencies.Add((visible[m] - sent[m]) * 1000.0 / Stopwatch.Frequency);
        }
    }

    latencies.Sort();
    var loss = Readings(count) - await CountOrZeroAsync(gw.Database);
    var p50 = latencies.Count > 0 ? latencies[(int)(latencies.Count * 0.50)] : double.NaN;
    var p99 = latencies.Count > 0 ? latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.99))] : double.NaN;
    Console.WriteLine($"  paced: asked {pacedRate} msg/s for {pacedSeconds} s, achieved {achieved:F0} msg/s; PUBACK p99 {ackP99:F0} ms; publish->queryable p50 {p50:F0} ms p99 {p99:F0} ms (100 ms poll); peak RSS {await peak / (1024 * 1024)} MiB, CPU {cpu:F1} s, loss {loss}, load {load}");
    Report($"gateway embedded paced {pacedRate} msg/s ({achieved:F0} achieved)", $"p50 {p50:F0} ms, p99 {p99:F0} ms publish->queryable, loss {loss}");
}

// ---------------------------------------------------------------- external drain behind Mosquitto's default window
if (!skip.Contains("drain"))
{
    // Mosquitto defaults (max_inflight_messages 20) except the queue bound, which must hold the backlog.
    using var plain = await MosquittoServer.StartNewAsync("max_queued_messages 1000000");
    Started.Track(plain.Pid);
    await using var gw = await Gateway.StartAsync("External", plain.Port, influx, "gwdrain");
    await Task.Delay(1000);
    var load = Load();
    var backlog = await PrepareBurstAsync(plain.Port, drainMessages, NextBase());
    gw.Suspend();
    await backlog();
    var sw = Stopwatch.StartNew();
    gw.Resume();
    var (stored, lastGrowth) = await WaitForCountAsync(gw.Database, Readings(drainMessages), 0, sw);
    var elapsed = lastGrowth.TotalSeconds;
    var rate = stored / ReadingsPerMessage / elapsed;
    Console.WriteLine($"  external drain: {drainMessages} messages queued at Mosquitto (default max_inflight_messages 20), drained into InfluxDB in {elapsed:F1} s = {rate:F0} msg/s, loss {Readings(drainMessages) - stored}, load {load}");
    Report("gateway external drain, Mosquitto default in-flight window 20", $"{rate:F0} msg/s ({rate * ReadingsPerMessage:F0} readings/s), loss {Readings(drainMessages) - stored}");
}

Console.WriteLine();
Console.WriteLine($"== results (medians of {repeats}; {connections} publisher connections x {window} in flight; load average at end {File.ReadAllText("/proc/loadavg").Trim()}) ==");
foreach (var (name, figure) in results)
{
    Console.WriteLine($"{name,-78} {figure}");
}

return 0;

// ---------------------------------------------------------------- helpers
void Report(string name, string figure)
{
    results.Add((name, figure));
    Console.WriteLine($"{name}: {figure}");
}

// A burst's points are counted in its own stretch of time only: a count over the whole database
// grows with every run and, polled ten times a second, became a large share of influxd's CPU.
long NextBase()
{
    if (runNo >= MostRuns)
    {
        throw new InvalidOperationException($"more than {MostRuns} bursts in one run: device times would reach the present");
    }

    countFrom = epoch + (runNo++ * runSpan);
    return countFrom;
}

string InWindow() => string.Create(inv, $"time >= {countFrom}s AND time < {countFrom + runSpan}s");

// A server in service has run for a while: its JIT has compiled the hot path (.NET tiers hot
// methods up in a background thread; V8 likewise optimises hot functions) and its pools are grown.
// Every system under test (gateway and Node-RED alike) first takes two untimed bursts of
// BENCH_WARMUP messages, each written completely and followed by a pause until the process is
// idle (under 5 % of a core for a second, at most 30 s), before the timed runs start.
async Task WarmUpAsync(Process process, int port, string database)
{
    if (warmUp == 0)
    {
        return;
    }

    // Two rounds: .NET starts counting calls for tier-up only once no new methods were compiled for
    // 100 ms, which during the first burst keeps being postponed; the second burst then reaches
    // the call counts and the background compiler finishes while the process goes idle.
    var storedSeconds = 0.0;
    long stored = 0;
    var idle = Stopwatch.StartNew();
    for (var round = 0; round < 2; round++)
    {
        var burst = await PrepareBurstAsync(port, warmUp, NextBase());
        var before = await CountOrZeroAsync(database);
        var sw = Stopwatch.StartNew();
        await burst();
        (stored, _) = await WaitForCountAsync(database, Readings(warmUp), before, sw);
        storedSeconds = sw.Elapsed.TotalSeconds;
        idle.Restart();
        var cpu = process.TotalProcessorTime;
        while (idle.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(1000);
            process.Refresh();
            var now = process.TotalProcessorTime;
            var busy = (now - cpu).TotalSeconds;
            cpu = now;
            if (busy < 0.05)
            {
                break;
            }
        }
    }

    Console.WriteLine($"  warm-up: 2 x {warmUp} messages, the second {stored} of {Readings(warmUp)} readings stored in {storedSeconds:F1} s, idle after {idle.Elapsed.TotalSeconds:F0} s more (not timed)");
}

long Readings(int count) => (long)count * ReadingsPerMessage;

// CPU seconds so far of the parts every run shares: this load generator, the bench Mosquitto, influxd.
// Their share shows how much of the 2 cores is left to the system under test.
(double Generator, double Mosquitto, double Influx) SharedCpu() =>
    (Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, CpuOf(mosquitto.Pid), CpuOf(influx.Pid));

static double CpuOf(int? pid)
{
    try
    {
        return pid is { } id ? Process.GetProcessById(id).TotalProcessorTime.TotalSeconds : 0;
    }
    catch (Exception e) when (e is ArgumentException or InvalidOperationException)
    {
        return 0;
    }
}

string SharedCpuSince((double Generator, double Mosquitto, double Influx) start)
{
    var now = SharedCpu();
    return string.Create(inv, $"load generator {now.Generator - start.Generator:F1} s, mosquitto {now.Mosquitto - start.Mosquitto:F1} s, influxd {now.Influx - start.Influx:F1} s");
}

// message m: device m % connections, its (m / connections)-th message, one second apart per device
(int Device, long Time, long Seq) Coordinates(int m, long baseTime) =>
    (m % connections, baseTime + (m / connections), 1 + ((long)(m / connections) * ReadingsPerMessage));

byte[] Payload(int m, long baseTime)
{
    var (_, t, seq) = Coordinates(m, baseTime);
    return Encoding.UTF8.GetBytes(string.Create(inv,
        $"{{\"v\":1,\"fw\":\"1.0.0\",\"boot\":1,\"clk\":{t + 1},\"h\":{{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":2}},\"r\":[[{seq},{t},\"water.ph\",7.12,0],[{seq + 1},{t},\"water.temp\",14.5,0],[{seq + 2},{t},\"water.ec\",512,0],[{seq + 3},{t},\"water.level\",1.235,0]]}}"));
}

string Topic(int device) => $"iotmon/v1/bench/d{device}/telemetry";

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
}

string Summary(List<Measured> runs)
{
    var rate = Median(runs.Select(x => x.Rate).ToList());
    return $"{rate:F0} readings/s ({rate / ReadingsPerMessage:F0} msg/s), peak RSS {Median(runs.Select(x => (double)x.PeakRssMiB).ToList()):F0} MiB, CPU {Median(runs.Select(x => x.CpuSeconds).ToList()):F1} s, loss {string.Join("/", runs.Select(x => x.Loss))}";
}

async Task<long> CountOrZeroAsync(string db)
{
    try
    {
        using var doc = await influx.QueryAsync($"SELECT count(seq) FROM water WHERE {InWindow()}", db);
        var result = doc.RootElement.GetProperty("results")[0];
        return result.TryGetProperty("series", out var series) ? series[0].GetProperty("values")[0][1].GetInt64() : 0;
    }
    catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TaskCanceledException)
    {
        return 0; // no database yet, or InfluxDB busy: the caller polls again
    }
}

async Task<List<(int Device, long Points)>> DeviceCountsAsync(string db)
{
    var list = new List<(int, long)>();
    try
    {
        using var doc = await influx.QueryAsync($"SELECT count(seq) FROM water WHERE {InWindow()} GROUP BY device", db);
        var result = doc.RootElement.GetProperty("results")[0];
        if (!result.TryGetProperty("series", out var series))
        {
            return list;
        }

        foreach (var s in series.EnumerateArray())
        {
            var device = int.Parse(s.GetProperty("tags").GetProperty("device").GetString()![1..], inv);
            list.Add((device, s.GetProperty("values")[0][1].GetInt64()));
        }
    }
    catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TaskCanceledException)
    {
    }

    return list;
}

// Waits until `expected` points are stored, or until nothing new arrived for 60 s (loss), or the deadline.
// Returns the count and when it last grew (a lossy run's rate is counted to its last point, not to the wait's end).
async Task<(long Stored, TimeSpan LastGrowth)> WaitForCountAsync(string db, long expected, long before, Stopwatch clock)
{
    var limit = DateTime.UtcNow + deadlineAll;
    long stored = 0;
    var lastGrowth = clock.Elapsed;
    while (DateTime.UtcNow < limit && clock.Elapsed - lastGrowth < TimeSpan.FromSeconds(60))
    {
        var now = await CountOrZeroAsync(db) - before;
        if (now > stored)
        {
            stored = now;
            lastGrowth = clock.Elapsed;
        }

        if (stored >= expected)
        {
            break;
        }

        await Task.Delay(100);
    }

    return (stored, lastGrowth);
}

async Task<Measured> MeasureAsync(Process process, Func<Task> publish, string db, long expected, long before = 0)
{
    using var stop = new CancellationTokenSource();
    var peak = PeakRss(process, stop.Token);
    var cpu0 = process.TotalProcessorTime;
    var shared = SharedCpu();
    var sw = Stopwatch.StartNew();
    await publish();
    var acked = sw.Elapsed.TotalSeconds;
    var (stored, lastGrowth) = await WaitForCountAsync(db, expected, before, sw);
    var elapsed = lastGrowth.TotalSeconds;
    process.Refresh();
    var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
    var sharedCpu = SharedCpuSince(shared);
    await stop.CancelAsync();
    return new Measured(stored / elapsed, acked, elapsed, await peak / (1024 * 1024), cpu, expected - stored) { SharedCpu = sharedCpu };
}

static async Task<long> PeakRss(Process process, CancellationToken token)
{
    long peak = 0;
    while (!token.IsCancellationRequested && !process.HasExited)
    {
        process.Refresh();
        peak = Math.Max(peak, process.WorkingSet64);
        try
        {
            await Task.Delay(100, token);
        }
        catch (OperationCanceledException)
        {
            break;
        }
    }

    return peak;
}

static async Task<bool> WaitExitAsync(Process p, TimeSpan timeout)
{
    try
    {
        await p.WaitForExitAsync().WaitAsync(timeout);
        return true;
    }
    catch (TimeoutException)
    {
        return false;
    }
}

async Task<List<IMqttClient>> ConnectAllAsync(int port)
{
    var factory = new MqttClientFactory();
    var clients = new IMqttClient[connections];
    var gate = new SemaphoreSlim(32);
    await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
    {
        await gate.WaitAsync();
        try
        {
            var client = factory.CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId($"bench-d{c}-{Guid.NewGuid():N}")
                .WithCredentials($"d{c}", "x").WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart().WithTimeout(TimeSpan.FromSeconds(60)).Build());
            clients[c] = client;
        }
        finally
        {
            gate.Release();
        }
    }));
    return clients.ToList();
}

static async Task DisconnectAllAsync(List<IMqttClient> clients)
{
    foreach (var c in clients)
    {
        try
        {
            await c.DisconnectAsync();
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
        }

        c.Dispose();
    }
}

static MqttApplicationMessage Message(string topic, byte[] payload) =>
    new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

// Burst: every connection publishes its share as fast as the acks allow, up to `window` in flight.
// Connecting and building the messages happen before the returned function is called (and timed).
async Task<Func<Task>> PrepareBurstAsync(int port, int count, long baseTime)
{
    var clients = await ConnectAllAsync(port);
    var prepared = new MqttApplicationMessage[count];
    for (var m = 0; m < count; m++)
    {
        prepared[m] = Message(Topic(m % connections), Payload(m, baseTime));
    }

    return async () =>
    {
        await Task.WhenAll(clients.Select(async (client, c) =>
        {
            var inFlight = new Queue<Task<MqttClientPublishResult>>(window);
            for (var m = c; m < count; m += connections)
            {
                if (inFlight.Count == window)
                {
                    Check(await inFlight.Dequeue());
                }

                inFlight.Enqueue(client.PublishAsync(prepared[m]));
            }

            while (inFlight.Count > 0)
            {
                Check(await inFlight.Dequeue());
            }
        }));
        _ = DisconnectAllAsync(clients);
    };

    static void Check(MqttClientPublishResult r)
    {
        if (!r.IsSuccess)
        {
            throw new InvalidOperationException($"publish refused: {r.ReasonCode}");
        }
    }
}

// Paced: message m is due at m / rate seconds; each connection sends its own messages when due.
async Task<(double Achieved, double AckP99)> PublishPacedAsync(int port, int count, long baseTime, int rate, long[] sentAt, Stopwatch clock)
{
    var clients = await ConnectAllAsync(port);
    var prepared = new MqttApplicationMessage[count];
    for (var m = 0; m < count; m++)
    {
        prepared[m] = Message(Topic(m % connections), Payload(m, baseTime));
    }

    var ackMs = new double[count];
    var start = clock.ElapsedTicks;
    await Task.WhenAll(clients.Select(async (client, c) =>
    {
        var inFlight = new Queue<Task>();
        for (var m = c; m < count; m += connections)
        {
            var due = start + (long)(m * (double)Stopwatch.Frequency / rate);
            var wait = due - clock.ElapsedTicks;
            if (wait > Stopwatch.Frequency / 1000)
            {
                await Task.Delay(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            }

            while (inFlight.Count >= window)
            {
                await inFlight.Dequeue();
            }

            var index = m;
            sentAt[index] = clock.ElapsedTicks;
            inFlight.Enqueue(client.PublishAsync(prepared[index]).ContinueWith(t => ackMs[index] = (clock.ElapsedTicks - sentAt[index]) * 1000.0 / Stopwatch.Frequency, TaskScheduler.Default));
        }

        while (inFlight.Count > 0)
        {
            await inFlight.Dequeue();
        }
    }));
    var elapsed = (clock.ElapsedTicks - start) / (double)Stopwatch.Frequency;
    await DisconnectAllAsync(clients);
    var acks = ackMs.Order().ToArray();
    return (count / elapsed, acks[Math.Min(acks.Length - 1, (int)(acks.Length * 0.99))]);
}


/// <summary>Processes this driver started: killed if the driver is stopped early (Ctrl-C, SIGTERM).</summary>
internal static class Started
{
    private static readonly List<Process> All = [];

    private static readonly List<System.Runtime.InteropServices.PosixSignalRegistration> Signals = [];

    static Started()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        foreach (var signal in new[] { System.Runtime.InteropServices.PosixSignal.SIGTERM, System.Runtime.InteropServices.PosixSignal.SIGINT })
        {
            Signals.Add(System.Runtime.InteropServices.PosixSignalRegistration.Create(signal, _ =>
            {
                KillAll();
                Environment.Exit(130);
            }));
        }
    }

    public static void Track(int? pid)
    {
        if (pid is int id)
        {
            Track(Process.GetProcessById(id));
        }
    }

    public static Process Track(Process p)
    {
        lock (All)
        {
            All.Add(p);
        }

        return p;
    }

    private static void KillAll()
    {
        lock (All)
        {
            foreach (var p in All)
            {
                try
                {
                    if (!p.HasExited)
                    {
                        p.Kill(entireProcessTree: true);
                    }
                }
                catch (InvalidOperationException)
                {
                }
            }
        }
    }
}

internal sealed record Measured(double Rate, double AckedSeconds, double QueryableSeconds, long PeakRssMiB, double CpuSeconds, long Loss)
{
    /// <summary>CPU of the shared parts during the run (load generator, Mosquitto, influxd).</summary>
    public string SharedCpu { get; init; } = string.Empty;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Rate:F0} readings/s ({Rate / 4:F0} msg/s; publishes acked after {AckedSeconds:F1} s, last point queryable after {QueryableSeconds:F1} s), peak RSS {PeakRssMiB} MiB, CPU {CpuSeconds:F1} s, loss {Loss}; other CPU: {SharedCpu}");
}

/// <summary>The gateway as a separate process (Release build beside this driver), fresh data dir.</summary>
internal sealed class Gateway : IAsyncDisposable
{
    private readonly string _dataDir;

    private Gateway(Process process, string dataDir, int mqttPort, string database)
    {
        Process = process;
        _dataDir = dataDir;
        MqttPort = mqttPort;
        Database = database;
    }

    public Process Process { get; }

    public int MqttPort { get; }

    public int HttpPort { get; private init; }

    /// <summary>Admin key of the bench gateway (loopback only), for reading /metrics of a lossy run.</summary>
    private const string AdminKey = "bench-admin-key-0123456789";

    public string LogPath { get; private init; } = string.Empty;

    /// <summary>Where bench output goes (git-ignored): bench/results beside this driver's project.</summary>
    public static string ResultsDir { get; } = Directory.CreateDirectory(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../results"))).FullName;

    /// <summary>The gateway's own account of a run (its /metrics counters and /health), for a run that lost points.</summary>
    public async Task<string> DiagnoseAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey); // /metrics needs an operator key
        try
        {
            var metrics = (await http.GetStringAsync("/metrics")).Split('\n').Where(l => l.StartsWith("iotmon_", StringComparison.Ordinal) && !l.Contains("device=", StringComparison.Ordinal));
            return string.Join("\n", metrics) + "\n" + await http.GetStringAsync("/health") + $"\nlog: {LogPath}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"gateway not answering: {e.Message}; log: {LogPath}";
        }
    }

    public string Database { get; }

    public static async Task<Gateway> StartAsync(string mode, int mosquittoPort, InfluxDbServer influx, string database)
    {
        var dataDir = Directory.CreateTempSubdirectory("iotmon-bench-").FullName;
        var mqttPort = FreePort.Next();
        var httpPort = FreePort.Next();
        var dll = Path.Combine(AppContext.BaseDirectory, "IoTMonitor.Gateway.dll");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, $"--urls=http://127.0.0.1:{httpPort}", $"--Gateway:DataDir={dataDir}", "--Mqtt:BindAddress=127.0.0.1", $"--Mqtt:Port={mqttPort}", $"--Mqtt:Mode={mode}",
            "--Mqtt:External:Host=127.0.0.1", $"--Mqtt:External:Port={mosquittoPort}", $"--Mqtt:External:ClientId=bench-{database}", $"--Mqtt:External:SharedGroup=bench-{database}", $"--Storage:Url={influx.Url}", $"--Storage:Database={database}",
            "--Registry:RequireAuthentication=false", "--Logging:LogLevel:Default=Warning", $"--Api:AdminKey={AdminKey}" })
        {
            info.ArgumentList.Add(a);
        }

        // profiling knobs for the gateway only: BENCH_GW_DOTNET_X=1 becomes DOTNET_X=1 in its environment
        foreach (System.Collections.DictionaryEntry v in Environment.GetEnvironmentVariables())
        {
            if (v.Key is string key && key.StartsWith("BENCH_GW_", StringComparison.Ordinal))
            {
                info.Environment[key["BENCH_GW_".Length..]] = v.Value as string;
            }
        }

        var process = Started.Track(Process.Start(info)!);
        // the gateway's log (warnings and errors) is kept beside the results, for a run that goes wrong
        var log = Path.Combine(ResultsDir, $"gateway-{database}-{DateTime.UtcNow:yyyyMMddTHHmmss}.log");
        var logFile = File.Create(log);
        _ = process.StandardOutput.BaseStream.CopyToAsync(logFile).ContinueWith(_ => logFile.Dispose(), TaskScheduler.Default);
        _ = process.StandardError.BaseStream.CopyToAsync(Console.OpenStandardError());

        // ready when /health says the broker (embedded) or the connection to Mosquitto (external) is up
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(5) };
        var limit = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < limit && !process.HasExited)
        {
            try
            {
                var health = await http.GetStringAsync("/health");
                if (health.Contains("\"connected\":true", StringComparison.Ordinal) && health.Contains("\"reachable\":true", StringComparison.Ordinal))
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        await Task.Delay(1000); // external: the $share subscription follows the connect
        return new Gateway(process, dataDir, mqttPort, database) { HttpPort = httpPort, LogPath = log };
    }

    public void Suspend() => Signal("STOP");

    public void Resume() => Signal("CONT");

    private void Signal(string name)
    {
        using var kill = System.Diagnostics.Process.Start("kill", $"-{name} {Process.Id}")!;
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }
}

/// <summary>Node-RED headless on a loopback port, userDir in a temp dir, the flow of bench/gateway/node-red/flow.json.</summary>
internal sealed class NodeRed : IAsyncDisposable
{
    private readonly string _userDir;

    private NodeRed(Process process, string userDir)
    {
        Process = process;
        _userDir = userDir;
    }

    public Process Process { get; }

    public string Database => "nodered";

    public static async Task<NodeRed> StartAsync(string dir, int mqttPort, InfluxDbServer influx)
    {
        var red = Path.Combine(dir, "node_modules", "node-red", "red.js");
        if (!File.Exists(red))
        {
            throw new FileNotFoundException($"Node-RED not installed: run `npm ci` in {dir} (run.sh does)", red);
        }

        await influx.CreateDatabaseAsync("nodered");
        var userDir = Directory.CreateTempSubdirectory("iotmon-bench-node-red-").FullName;
        var flow = (await File.ReadAllTextAsync(Path.Combine(dir, "flow.json")))
            .Replace("__MQTT_PORT__", mqttPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("__INFLUX_PORT__", influx.Url.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(userDir, "flows.json"), flow);
        await File.WriteAllTextAsync(Path.Combine(userDir, "settings.js"),
            "module.exports = { uiHost: '127.0.0.1', flowFile: 'flows.json', credentialSecret: false, httpAdminRoot: false, httpNodeRoot: false, logging: { console: { level: 'info' } }, externalModules: { autoInstall: false } };\n");
        var httpPort = FreePort.Next();
        var info = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in new[] { red, "--userDir", userDir, "--settings", Path.Combine(userDir, "settings.js"), "--port", httpPort.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["NODE_PATH"] = Path.Combine(dir, "node_modules");
        var process = Started.Track(Process.Start(info)!);
        var output = new StringBuilder();
        var connected = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("node-red: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // ready when its MQTT client is subscribed: Mosquitto then has a subscriber; give it time to start
        var limit = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < limit && !process.HasExited)
        {
            lock (output)
            {
                if (output.ToString().Contains("Started flows", StringComparison.Ordinal))
                {
                    break;
                }
            }

            await Task.Delay(200);
        }

        if (process.HasExited)
        {
            throw new InvalidOperationException("Node-RED exited: " + output);
        }

        await Task.Delay(2000);
        return new NodeRed(process, userDir);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
        Directory.Delete(_userDir, recursive: true);
    }
}
