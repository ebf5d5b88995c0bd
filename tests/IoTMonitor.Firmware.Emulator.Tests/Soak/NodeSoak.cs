using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.Firmware.Emulator.Device;
using IoTMonitor.Firmware.Emulator.Network;
using IoTMonitor.Firmware.Emulator.Runner;
using IoTMonitor.Firmware.Host.Sensors;
using IoTMonitor.Testing;

namespace IoTMonitor.Firmware.Emulator.Tests.Soak;

/// <summary>
/// Runs one node of a shipped type through many wakes of the ESP32 app on the runtime model, against
/// the real gateway: power cuts at random steps (mid-append, mid-state-write, mid-publish, mid-ack),
/// Wi-Fi and broker outages of hours and days, gateway restarts, RTC drift and button wakes; then a
/// fault-free drain, and the checks on what reached InfluxDB.
/// </summary>
public sealed class NodeSoak
{
    /// <summary>Model steps a cut may land on: flash writes and commits, publishes and PUBACK deliveries.</summary>
    public const string CutKinds = "file-write file-close file-open file-move file-delete mqtt-publish mqtt-puback";

    /// <summary>Kinds of power cut every soak must see at least once (each is forced if chance has not brought it).</summary>
    public static readonly string[] CutClasses = ["mid-publish", "mid-ack", "mid-append", "mid-state-write"];

    private const string Host = "gateway.test";

    /// <summary>The battery divider's pin on every shipped board, GPIO 35, is ADC1 channel 7 (reference §12).</summary>
    private const int BatteryAdcChannel = 7;

    /// <summary>
    /// A charged cell, ≈ 3.9 V: 1.95 V at the 100k/100k divider's pin, 1.95 / 3.3 × 4095 raw counts. The
    /// soak is about storage and the link; below the default 3.35 V cut-off the low-battery policy would
    /// (rightly) stop sampling and uploading.
    /// </summary>
    private const int HealthyBatteryRaw = 2420;

    private readonly InfluxDbServer _influx;
    private readonly string _nodeType;
    private readonly int _wakes;
    private readonly Random _random;

    public NodeSoak(InfluxDbServer influx, string nodeType, int wakes, int seed)
    {
        _influx = influx;
        _nodeType = nodeType;
        _wakes = wakes;
        _random = new Random(seed);
    }

    /// <summary>Chance that a wake gets a power cut at a random step.</summary>
    public double CutChance { get; init; } = 0.04;

    /// <summary>
    /// The node as it would be without the DS3231 backup RTC every shipped board carries
    /// (hardware/common/rtc-backup.md): <c>rtc</c> taken out of the config and no chip on the bus. A
    /// boot cut again before its first network sync then has no time for its readings.
    /// </summary>
    public bool WithoutRtc { get; init; }

    /// <summary>
    /// The node's cellular variant (config/{type}-cellular.json) with this module family instead of Wi-Fi:
    /// the AT-level modem model in the board's modem socket, its MQTT side on the real gateway. Coverage
    /// outages take the place of Wi-Fi outages, a broker outage makes the modem's TCP connect fail, lost
    /// PUBACKs are the modem's, and some wakes bring a modem fault (restart or hang mid-publish, signal
    /// loss, broker close, garbage on the line). Null: the Wi-Fi node.
    /// </summary>
    public IoTMonitor.Firmware.Core.Cellular.ModemKind? Modem { get; init; }

    /// <summary>Modem faults the cellular soak brought (by name), for its figures.</summary>
    public Dictionary<string, int> ModemFaults { get; } = [];

    /// <summary>Fault-free wakes at the end that let the node send what it holds.</summary>
    public const int DrainWakes = 20;

    private const long SyncedEpochMs = 1_600_000_000_000L;

    /// <summary>
    /// What a wake may run past its maxAwakeSec: the app's watchdog grace (Program.WatchdogGraceSec, 5 s)
    /// plus its one-second polling. Every network step is bounded by the cap, so only a hung call
    /// reaches the watchdog.
    /// </summary>
    private const int WatchdogMarginSec = 6;

    public async Task<SoakReport> RunAsync()
    {
        await using var gateway = await SoakGateway.StartAsync(_influx);
        string device = _nodeType + "-soak";
        string site = "soak-site";
        string secret = await gateway.EnrolAsync(site, device);

        JsonObject config = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "config", _nodeType + (Modem == null ? "" : "-cellular") + ".json")))!.AsObject();
        config["device"] = device;
        config["site"] = site;
        config["mqtt"]!["host"] = Host;
        config["mqtt"]!["user"] = device;
        config["mqtt"]!["password"] = secret;
        if (Modem != null)
        {
            config["cellular"]!["modem"] = Modem == IoTMonitor.Firmware.Core.Cellular.ModemKind.Quectel ? "quectel" : "simcom";

            // The soak gateway listens without TLS; TLS over the modem is the end-to-end Cellular tests'.
            config["mqtt"]!["tls"] = false;
        }
        if (WithoutRtc)
        {
            config.Remove("rtc");
        }

        // As shipped, the config names the DS3231 and the board carries it with its cell.
        bool rtcFitted = config["rtc"] != null;

        int sampleSec = config["sampleSec"]!.GetValue<int>();
        int maxAwakeSec = config["maxAwakeSec"]!.GetValue<int>();
        int perSample = 0;
        foreach (JsonNode? s in config["sensors"]!.AsArray())
        {
            JsonNode q = s!["quantity"]!;
            perSample += q is JsonArray a ? a.Count : 1;
        }

        // Virtual time ends near real now, so the gateway's future-skew check holds with a fast RTC.
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (((long)_wakes * sampleSec * 1000 * 3 / 2) + (10L * 86400 * 1000));
        var faults = new FaultPlan(_random, start, (long)_wakes * sampleSec * 1000);
        var radio = new RadioEnvironment
        {
            BrokerPort = gateway.MqttPort,
            WifiUp = faults.WifiUp,
            Broker = faults.Broker,
            AcksLost = faults.AcksLost,
        };
        radio.Dns[Host] = "127.0.0.1";
        var node = new Esp32Device(start, radio) { SleepDrift = 0.03, AdcRaw = ch => ch == BatteryAdcChannel ? HealthyBatteryRaw : 1800 };
        if (rtcFitted)
        {
            node.I2cTargets[SimulatedDs3231.Address] = new Wake.Ds3231Target(new SimulatedDs3231(() => node.TrueMs, driftPpm: 2));
        }

        using CellularModem? modem = Modem == null ? null : FitModem(node, config, gateway.MqttPort, faults);
        node.Flash.WriteAllBytes("config.json", JsonSerializer.SerializeToUtf8Bytes(config));
        var runner = new WakeRunner(Path.Combine(AppContext.BaseDirectory, "IoTMonitor.Firmware.Emulator.App.dll"));
        var report = new SoakReport { NodeType = _nodeType, RtcFitted = rtcFitted, ReadingsPerSample = perSample, MaxAwakeAllowedMs = (maxAwakeSec + WatchdogMarginSec) * 1000L };

        report.LongestWifiOutageHours = faults.LongestWifiOutageHours;
        WakeCause cause = WakeCause.Undefined;
        int restarts = 0;
        int lastCut = 0;
        for (int w = 0; w < _wakes + DrainWakes; w++)
        {
            bool drain = w >= _wakes;
            if (drain)
            {
                faults.Clear();
            }

            if (!drain && ((restarts < 3 && _random.NextDouble() < 3.0 / _wakes) || (restarts == 0 && w == _wakes / 2)))
            {
                await gateway.RestartAsync();
                restarts++;
            }

            if (!drain && !faults.WifiUp(node.TrueMs))
            {
                report.WakesInWifiOutage++;
            }

            if (node.RtcMs >= SyncedEpochMs)
            {
                report.MaxRtcErrorSec = Math.Max(report.MaxRtcErrorSec, Math.Abs(node.RtcMs - node.TrueMs) / 1000.0);
            }

            // A cut kind chance has not brought yet is forced, two clean wakes after the last cut (so
            // a boot can sync and send between cuts): the wake's first steps of that kind may be cut.
            string? forced = Forced(drain, w, lastCut, report);
            long cutAt;
            if (forced != null)
            {
                node.CutFilter = (kind, detail) => ClassOf(kind, detail) == forced;
                cutAt = _random.Next(0, 2);
            }
            else
            {
                node.CutFilter = null;
                cutAt = !drain && _random.NextDouble() < CutChance ? _random.Next(0, 30) : -1;
            }

            if (w == _wakes + DrainWakes - 1)
            {
                // The last wake is a power-on (a cold start samples and uploads at once), so readings
                // sampled after the last scheduled upload are not left in the queue at the end.
                node.PowerOffFor(60000);
                cause = WakeCause.Undefined;
            }

            if (modem != null)
            {
                ModemFaultsFor(modem, drain, faults.WifiUp(node.TrueMs), faults.AcksLost(node.TrueMs));
            }

            bool fair = !drain ? faults.WifiUp(node.TrueMs) && faults.Broker(node.TrueMs) == BrokerMode.Up && !faults.AcksLost(node.TrueMs) : true;
            WakeOutcome o = runner.Run(node, cause, cutAt, CutKinds);
            if (fair && o.Kind == ResetKind.DeepSleep && cause == WakeCause.Timer)
            {
                // Wakes with nothing in the way: what a node on a working network spends (the energy model's inputs).
                if (o.Sampled && o.MqttConnects == 0 && o.RadioOnMs == 0)
                {
                    report.SampleOnlyAwakeMs.Add(o.AwakeMs);
                }
                else if (o.MqttConnects == 1)
                {
                    report.UploadAwakeMs.Add(o.AwakeMs);
                    report.UploadRadioMs.Add(o.RadioOnMs);
                    if (o.Sampled)
                    {
                        report.UploadRailsMs.Add(o.RailsOnMs);
                    }
                }
            }

            report.Wakes++;
            report.AwakeMs.Add(o.AwakeMs);
            report.RadioOnMs.Add(o.RadioOnMs);
            if (o.RadioOnMs > 0 && o.MqttConnects == 0)
            {
                report.RadioOnNotUploading++;
            }

            switch (o.Kind)
            {
                case ResetKind.DeepSleep:
                    if (o.Sampled)
                    {
                        report.SamplingWakesClean++;
                    }

                    if (o.TimerWakeMs <= 0)
                    {
                        report.Other.Add($"wake {w}: deep sleep without a timer wake (sleeps forever)");
                        node.PowerOffFor(60000);
                        cause = WakeCause.Undefined;
                        break;
                    }

                    long button = !drain && _random.NextDouble() < 0.01 ? node.TrueMs + _random.Next(1000, (int)Math.Max(2000, o.TimerWakeMs)) : long.MaxValue;
                    if (Forced(drain, w + 1, lastCut, report) is "mid-publish" or "mid-ack")
                    {
                        button = node.TrueMs + 1000; // a button (EXT0) wake uploads at once: a publish to cut
                    }

                    cause = node.SleepFor(o.TimerWakeMs, button);
                    break;
                case ResetKind.PowerCut:
                    report.Cuts++;
                    lastCut = w;
                    if (ClassOfCut(o.CutAt) is { } cut)
                    {
                        report.CutClassesSeen.Add(cut);
                    }

                    node.PowerOffFor(_random.Next(1000, 3600 * 1000));
                    cause = WakeCause.Undefined;
                    break;
                case ResetKind.Reboot:
                    cause = WakeCause.Undefined;
                    break;
                default:
                    report.Hangs.Add($"wake {w}: {o.HangReason}");
                    node.PowerOffFor(3600 * 1000); // found by a technician, power-cycled
                    cause = WakeCause.Undefined;
                    break;
            }
        }

        report.GatewayRestarts = restarts;
        report.Erases = node.Flash.Counters.Erases;
        report.FlashBytes = node.Flash.Counters.BytesProgrammed;
        await Task.Delay(1000);
        var unsynced = new HashSet<(long Boot, long N)>();
        string deadLetters = Path.Combine(gateway.DataDir, "deadletter.jsonl");
        if (File.Exists(deadLetters))
        {
            // A boot cut off before its clock was ever set (power-on = 1970 RTC) has readings no one can
            // place in time: the gateway dead-letters them as unsynced_time (protocol §3), by design.
            using var reader = new StreamReader(new FileStream(deadLetters, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            while (await reader.ReadLineAsync() is { } line)
            {
                using var entry = JsonDocument.Parse(line);
                string reason = entry.RootElement.GetProperty("reason").GetString() ?? "";
                if (reason == "unsynced_time")
                {
                    using var batch = JsonDocument.Parse(entry.RootElement.GetProperty("payload").GetBytesFromBase64());
                    long boot = batch.RootElement.GetProperty("boot").GetInt64();
                    report.UnsyncedBoots.Add(boot);
                    // The node's compact form (protocol §2): "r": [[n, t, quantity, value, flags, raw?], ...].
                    foreach (JsonElement r in batch.RootElement.GetProperty("r").EnumerateArray())
                    {
                        unsynced.Add((boot, r[0].GetInt64()));
                    }
                }
                else
                {
                    report.Other.Add("gateway dead letter: " + (line.Length > 300 ? line[..300] : line));
                }
            }
        }

        report.UnsyncedDeadLettered = unsynced.Count;

        // Readings the node discarded itself as unplaceable (an earlier never-synced boot met while its
        // clock was unset again; protocol §4 h.unp), from its committed state.
        var state = new IoTMonitor.Firmware.Core.Node.NodeState(new Wake.CommittedFiles(node.Flash));
        report.UnplaceableDiscarded = state.Load() ? state.Unplaceable : 0;
        await CheckArrivalsAsync(gateway, device, report);
        string metrics = await gateway.Http.GetStringAsync("/metrics");
        foreach (string line in metrics.Split('\n'))
        {
            if (!line.StartsWith('#') && (line.Contains("reject", StringComparison.Ordinal) || line.Contains("dead", StringComparison.Ordinal) || line.Contains("drop", StringComparison.Ordinal)) && !line.EndsWith(" 0", StringComparison.Ordinal))
            {
                report.GatewayNotes.Add(line);
            }
        }
        return report;
    }

    // The modem in the cellular variant's socket, on the config's port and pins; "the internet" is the
    // loopback gateway, or a closed port while the fault plan says the broker is down.
    private CellularModem FitModem(Esp32Device node, JsonObject config, int brokerPort, FaultPlan faults)
    {
        var kind = Modem!.Value;
        var behaviour = new IoTMonitor.Firmware.Host.Modem.ModemBehaviour
        {
            Kind = kind,
            NetworkUtc = () => DateTimeOffset.FromUnixTimeMilliseconds(node.TrueMs).UtcDateTime,
        };
        var relay = new IoTMonitor.Firmware.Host.Modem.MqttRelay
        {
            Route = (_, _) => ("127.0.0.1", faults.Broker(node.TrueMs) == BrokerMode.Up ? brokerPort : ClosedPort),
        };
        var modem = new CellularModem(node, behaviour, relay);
        JsonNode c = config["cellular"]!;
        var (on, off) = CellularModem.PulseMinima(kind);
        _ = new ModemSocket(node, modem, "COM" + c["uart"]!.GetValue<int>(), c["powerEn"]!.GetValue<int>(), c["pwrkey"]!.GetValue<int>(), c["status"]!.GetValue<int>(), on, off);
        return modem;
    }

    // A loopback port nothing listens on (bound and released: connects to it are refused).
    private static readonly int ClosedPort = FreePort();

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    // This wake's network as the modem sees it: coverage follows the fault plan's outages, a lost-PUBACK
    // window loses the next publish's PUBACK, and about one wake in eight brings one modem fault at the
    // next publish (numbered over the modem's life).
    private void ModemFaultsFor(CellularModem modem, bool drain, bool coverage, bool acksLost)
    {
        var b = modem.Modem.Behaviour;
        b.NoNetwork = !drain && !coverage;
        b.GarbageAtBoot = !drain && _random.NextDouble() < 0.1;
        if (drain)
        {
            b.PubAckNever.Clear();
            b.ResetAt.Clear();
            b.HangAt.Clear();
            b.SignalLossAt.Clear();
            b.BrokerClosesAt.Clear();
            return;
        }

        int next = modem.Modem.Publishes + 1;
        if (acksLost)
        {
            b.PubAckNever.Add(next);
            Count("puback never");
        }

        if (_random.NextDouble() < 0.125)
        {
            switch (_random.Next(4))
            {
                case 0: b.ResetAt.Add(next); Count("modem restart mid-publish"); break;
                case 1: b.HangAt.Add(next); Count("modem hang (power cycle)"); break;
                case 2: b.SignalLossAt.Add(next); Count("signal loss mid-publish"); break;
                default: b.BrokerClosesAt.Add(next); Count("broker close mid-publish"); break;
            }
        }

        if (b.GarbageAtBoot)
        {
            Count("garbage at boot");
        }
    }

    private void Count(string fault) => ModemFaults[fault] = ModemFaults.GetValueOrDefault(fault) + 1;

    // The cut kind chance has not brought yet, forced two clean wakes after the last cut (so a boot
    // can sync and send between cuts), from the second wake on.
    private static string? Forced(bool drain, int w, int lastCut, SoakReport report) =>
        !drain && w > 0 && w - lastCut > 2 ? CutClasses.FirstOrDefault(c => !report.CutClassesSeen.Contains(c)) : null;

    // What a cut interrupted: a queue segment's append, the state's A/B write, a publish, a PUBACK.
    private static string? ClassOf(string kind, string? detail)
    {
        if (kind == "mqtt-publish")
        {
            return "mid-publish";
        }

        if (kind == "mqtt-puback")
        {
            return "mid-ack";
        }

        if (!kind.StartsWith("file-", StringComparison.Ordinal) || detail == null)
        {
            return null;
        }

        string name = detail[(detail.LastIndexOf('\\') + 1)..];
        return name.EndsWith(".seg", StringComparison.OrdinalIgnoreCase) && kind is "file-open" or "file-write" or "file-close" ? "mid-append"
            : name.StartsWith("state.", StringComparison.OrdinalIgnoreCase) && kind is "file-open" or "file-write" or "file-close" ? "mid-state-write"
            : null;
    }

    // The model names a cut "kind#step detail".
    private static string? ClassOfCut(string? cutAt)
    {
        if (cutAt == null)
        {
            return null;
        }

        int hash = cutAt.IndexOf('#');
        int space = cutAt.IndexOf(' ');
        return ClassOf(cutAt[..hash], space < 0 ? null : cutAt[(space + 1)..]);
    }

    private async Task CheckArrivalsAsync(SoakGateway gateway, string device, SoakReport report)
    {
        // The gateway writes through its WAL: wait until the count stops moving.
        long last = -1;
        List<Dictionary<string, JsonElement>> rows = [];
        for (int i = 0; i < 60; i++)
        {
            await Task.Delay(500);
            rows = [];
            foreach (string m in new[] { "water", "soil", "air", "device" })
            {
                try
                {
                    rows.AddRange(await _influx.RowsAsync($"SELECT \"boot\",\"seq\" FROM \"{m}\" WHERE \"device\"='{device}'", gateway.Database));
                }
                catch (InvalidOperationException)
                {
                    // database or measurement not there yet
                }
            }

            if (rows.Count == last && rows.Count > 0)
            {
                break;
            }

            last = rows.Count;
        }

        var byKey = new Dictionary<(long Boot, long Seq), HashSet<string>>();
        foreach (var r in rows)
        {
            if (r["seq"].ValueKind != JsonValueKind.Number)
            {
                continue;
            }

            var key = (r["boot"].GetInt64(), r["seq"].GetInt64());
            if (!byKey.TryGetValue(key, out var times))
            {
                byKey[key] = times = [];
            }

            times.Add(r["time"].ToString());
        }

        report.ReadingsArrived = byKey.Count;
        foreach (long boot in report.UnsyncedBoots)
        {
            // Only a boot that never set its clock may have unplaceable readings; in a boot that did,
            // every earlier reading must have been rebased (protocol §3).
            if (byKey.Keys.Any(k => k.Boot == boot))
            {
                report.Other.Add($"boot {boot} synced its clock yet readings of it were dead-lettered as unsynced_time (not rebased)");
            }
        }

        foreach (var (key, times) in byKey)
        {
            if (times.Count > 1)
            {
                report.Repeats.Add($"boot {key.Boot} n {key.Seq} at {string.Join(", ", times)}");
            }
        }

        foreach (var boot in byKey.Keys.GroupBy(k => k.Boot))
        {
            long max = boot.Max(k => k.Seq);
            long count = boot.Count();
            if (count != max)
            {
                var have = boot.Select(k => k.Seq).ToHashSet();
                var missing = Enumerable.Range(1, (int)max).Where(n => !have.Contains(n)).Take(5);
                report.Holes.Add($"boot {boot.Key}: {max - count} of n 1..{max} missing (first: {string.Join(",", missing)})");
            }
        }
    }

    /// <summary>Outages over the soak's virtual span: Wi-Fi down for hours and days, the broker refusing or silent, lost PUBACKs.</summary>
    private sealed class FaultPlan
    {
        private readonly List<(long From, long To)> _wifi = [];
        private readonly List<(long From, long To, BrokerMode Mode)> _broker = [];
        private readonly List<(long From, long To)> _acks = [];
        private bool _cleared;

        public FaultPlan(Random random, long start, long span)
        {
            long hour = 3600 * 1000L;
            for (int i = 0; i < Math.Max(2, span / (5 * 24 * hour)); i++)
            {
                long at = start + (long)((0.3 + (random.NextDouble() * 0.6)) * span);
                _wifi.Add((at, at + (i % 3 == 0 ? random.Next(24, 72) : random.Next(2, 10)) * hour));
            }

            for (int i = 0; i < Math.Max(2, span / (4 * 24 * hour)); i++)
            {
                long at = start + (long)((0.3 + (random.NextDouble() * 0.6)) * span);
                _broker.Add((at, at + random.Next(1, 30) * hour, i % 2 == 0 ? BrokerMode.Refusing : BrokerMode.Silent));
            }

            for (int i = 0; i < Math.Max(2, span / (2 * 24 * hour)); i++)
            {
                long at = start + (long)((0.3 + (random.NextDouble() * 0.6)) * span);
                _acks.Add((at, at + random.Next(1, 4) * hour));
            }
        }

        public void Clear() => _cleared = true;

        public double LongestWifiOutageHours => _wifi.Max(o => (o.To - o.From) / 3600000.0);

        public bool WifiUp(long t) => _cleared || !_wifi.Exists(o => t >= o.From && t < o.To);

        public BrokerMode Broker(long t)
        {
            if (_cleared)
            {
                return BrokerMode.Up;
            }

            foreach (var o in _broker)
            {
                if (t >= o.From && t < o.To)
                {
                    return o.Mode;
                }
            }

            return BrokerMode.Up;
        }

        public bool AcksLost(long t) => !_cleared && _acks.Exists(o => t >= o.From && t < o.To);
    }
}
