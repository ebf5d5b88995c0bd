using System.Diagnostics;
using System.Globalization;
using System.Text;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Alerts.Channels;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

// usage: EngineBench [batches=10000] [devices=2000] [pacedRate=8000] [pacedSeconds=3]
var burst = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var devices = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000;
var pacedRate = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8_000;
var pacedSeconds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
const int DevicesPerSite = 10;
var warmup = Math.Min(devices * 2, 4_000);
var paced = pacedRate * pacedSeconds;
var stopBurst = burst;
var total = warmup + burst + paced + stopBurst;

// the data directory is on disk on purpose: the store's commits fsync, and tmpfs would hide that
var dataDir = Directory.CreateTempSubdirectory("iotmon-engine-bench-").FullName;
var registryPath = Path.Combine(dataDir, "registry.db");
using var registryStore = new SqliteRegistryStore(registryPath);
var registry = new DeviceRegistry(registryStore, new RegistryOptions());
for (var s = 0; s < (devices + DevicesPerSite - 1) / DevicesPerSite; s++)
{
    registry.AddSite(SiteId(s), null);
}

var profiles = new SiteProfiles(registryStore);
for (var s = 0; s < (devices + DevicesPerSite - 1) / DevicesPerSite; s++)
{
    profiles.Set(SiteId(s), 32.05, 118.79, "Huai", SiteTypes.River);
}

var store = new IoTMonitor.Gateway.Alerts.Store.SqliteAlertStore(Path.Combine(dataDir, "alerts.db"));
var packPath = Path.Combine(AppContext.BaseDirectory, "Alerts", "RulePacks", "default.json");
foreach (var rule in RulePack.Load(packPath).Rules)
{
    store.SeedRule(rule, DateTimeOffset.UtcNow);
}

var options = new AlertsOptions { Webhook = { Urls = ["http://127.0.0.1:9/hook"] }, Influx = { Enabled = false } };
var channelServices = new ServiceCollection().AddLogging();
channelServices.AddAlertChannels(new ConfigurationBuilder().Build(), options);
var channels = channelServices.BuildServiceProvider().GetServices<IAlertChannel>().ToList(); // routing only: nothing is sent
var engine = new AlertEngine(options, store, channels, TimeProvider.System, NullLogger.Instance, profiles.Find);
var batches = Batches(total);
engine.Start();

var next = 0;
Enqueue(warmup);
await engine.FlushAsync();

var (commits0, writes0, bytes0) = (store.Commits, store.StateWrites, store.StateBytesWritten);
var (burstSeconds, burstCpu, burstBytes) = await Measure(async () =>
{
    Enqueue(burst);
    await engine.FlushAsync();
});

var (burstCommits, burstWrites, burstStateBytes) = (store.Commits - commits0, store.StateWrites - writes0, store.StateBytesWritten - bytes0);
(commits0, writes0, bytes0) = (store.Commits, store.StateWrites, store.StateBytesWritten);
var (pacedElapsed, pacedCpu, _) = await Measure(async () =>
{
    var clock = Stopwatch.StartNew();
    var start = next;
    while (next < start + paced)
    {
        var due = start + Math.Min(paced, (int)(clock.Elapsed.TotalSeconds * pacedRate));
        Enqueue(due - next);
        Thread.Sleep(1);
    }

    await engine.FlushAsync();
});

var (pacedCommits, pacedWrites, pacedStateBytes) = (store.Commits - commits0, store.StateWrites - writes0, store.StateBytesWritten - bytes0);

// a graceful stop right after a burst was queued: how much of it the default drain deadline evaluates
Enqueue(stopBurst);
var stopClock = Stopwatch.StartNew();
await engine.StopAsync(TimeSpan.FromSeconds(options.StopDrainSeconds));
var stopSeconds = stopClock.Elapsed.TotalSeconds;
var cut = engine.BatchesCutAtStop;
var evaluated = engine.BatchesEvaluated;
await engine.DisposeAsync();
var active = store.ListActive().Count;
var alerts = store.ListAlerts(new AlertQuery(Limit: 10_000)).Count;
var outbox = store.Outbox(limit: 1_000_000).Count;
store.Dispose();
Directory.Delete(dataDir, recursive: true);

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"alert engine, default rule pack, {devices} devices on river sites, 4 water readings per batch"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"burst of {burst} batches queued at once: {burst / burstSeconds:0} batches/s, CPU {burstCpu.TotalMilliseconds * 1000 / burst:0.0} ms per 1k batches, {burstBytes / (double)burst / 1024:0.0} KB allocated per batch, "
    + $"{burstCommits * 10_000.0 / burst:0} SQLite commits and {burstWrites * 10_000.0 / burst:0} rule-state writes ({burstStateBytes * 10_000.0 / burst / 1024:0} KiB) per 10k batches"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"paced {pacedRate} batches/s for {pacedSeconds} s: all evaluated after {pacedElapsed:0.0} s, CPU {pacedCpu.TotalSeconds / pacedElapsed * 100:0.0} % of one core over that time, {pacedCpu.TotalMilliseconds * 1000 / paced:0.0} ms per 1k batches, "
    + $"{pacedCommits * 10_000.0 / paced:0} SQLite commits and {pacedWrites * 10_000.0 / paced:0} rule-state writes ({pacedStateBytes * 10_000.0 / paced / 1024:0} KiB) per 10k batches"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"graceful stop with {stopBurst} batches queued: stopped after {stopSeconds:0.00} s (drain deadline {options.StopDrainSeconds} s), {cut} batches cut"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"evaluated {evaluated} of {total} batches; {alerts} alerts ({active} active), {outbox} outbox rows"));
return evaluated + cut == total ? 0 : 1;

void Enqueue(int count)
{
    for (var i = 0; i < count; i++)
    {
        engine.OnReadingsDurable(null, batches[next++]);
    }
}

static async Task<(double Seconds, TimeSpan Cpu, long Bytes)> Measure(Func<Task> run)
{
    GC.Collect();
    var process = Process.GetCurrentProcess();
    var cpu = process.TotalProcessorTime;
    var bytes = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    await run();
    var seconds = clock.Elapsed.TotalSeconds;
    process.Refresh();
    return (seconds, process.TotalProcessorTime - cpu, GC.GetTotalAllocatedBytes(precise: true) - bytes);
}

static string SiteId(int s) => "river-" + s.ToString(CultureInfo.InvariantCulture);

// Decoded as the ingest pipeline decodes them, round robin over the devices; each device's readings
// move forward 10 s per batch and end before now (live, not late). Every 10th batch of a device has
// a turbidity spike: the turbidity jump rule opens an alert and the next batch resolves it (the
// level only wobbles by 5 cm, under the flash-flood rise).
ReadingsDurableEventArgs[] Batches(int count)
{
    var now = DateTimeOffset.UtcNow;
    var perDevice = (count + devices - 1) / devices;
    var t0 = now.ToUnixTimeSeconds() - 60 - (perDevice * 10L);
    var decoder = new TelemetryDecoder();
    var result = new DecodeResult();
    var random = new Random(42);
    var list = new ReadingsDurableEventArgs[count];
    var json = new StringBuilder();
    for (var i = 0; i < count; i++)
    {
        var d = i % devices;
        var k = i / devices;
        var t = t0 + (k * 10L);
        var turbidity = k % 10 == 9 ? 90 : 5 + random.NextDouble();
        json.Clear().Append(CultureInfo.InvariantCulture,
            $$"""{"v":1,"fw":"1.0.0","boot":1,"clk":{{t}},"h":{"bat":{{3.9 - (k * 0.0001):0.0000}},"rssi":-70,"qd":0,"drop":0,"rst":1},"r":[""");
        var n = k * 4L;
        json.Append(CultureInfo.InvariantCulture, $"[{n + 1},{t},\"water.level\",{2 + (random.NextDouble() * 0.05):0.000},0],");
        json.Append(CultureInfo.InvariantCulture, $"[{n + 2},{t},\"water.ph\",{7 + random.NextDouble():0.000},0],");
        json.Append(CultureInfo.InvariantCulture, $"[{n + 3},{t},\"water.do\",{7 + random.NextDouble():0.000},0],");
        json.Append(CultureInfo.InvariantCulture, $"[{n + 4},{t},\"water.turbidity\",{turbidity:0.000},0]]}}");
        var topic = $"iotmon/v1/{SiteId(d / DevicesPerSite)}/wq-{d.ToString(CultureInfo.InvariantCulture)}/telemetry";
        decoder.Decode(topic, Encoding.UTF8.GetBytes(json.ToString()), now.ToUnixTimeSeconds(), result);
        if (!result.IsValid || result.Rejected.Count > 0)
        {
            throw new InvalidOperationException($"bench payload refused: {result.Error ?? result.Rejected[0].Reason}");
        }

        list[i] = new ReadingsDurableEventArgs(result, now);
    }

    return list;
}
