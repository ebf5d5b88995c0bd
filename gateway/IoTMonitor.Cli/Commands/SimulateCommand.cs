using System.CommandLine;
using System.Globalization;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Node;
using IoTMonitor.Firmware.Host.Signals;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace IoTMonitor.Cli.Commands;

/// <summary>
/// <c>iotmon simulate</c>: provisions N virtual nodes through the gateway's API and runs them — the
/// firmware core with simulated sensors, WiFi outages and batteries — with a live display of nodes,
/// readings sent, backlog and outages, until the duration is over or Ctrl+C.
/// </summary>
public static class SimulateCommand
{
    /// <summary>The storm profile's schedule: the shipped water node's (DeviceConfigRequest defaults).</summary>
    private const int StormSampleSec = 900;
    private const int StormUploadSec = 3600;

    public static Command Create(CliContext cx)
    {
        var devices = new Option<int>("--devices") { Description = "Number of virtual nodes", DefaultValueFactory = _ => 36 };
        var profile = new Option<string>("--profile") { Description = "Site types: water, soil, air, or mix; storm: water nodes with a rain gauge and event mode (docs/config.md \"Event mode\") replaying a storm over each site's catchment, sampling on the water config's schedule (900 s, upload 3600 s) unless --sample-sec/--upload-sec are given", DefaultValueFactory = _ => "mix" };
        profile.AcceptOnlyFromAmong("water", "soil", "air", "mix", "storm");
        var stormKind = new Option<string>("--storm") { Description = "With --profile storm: chicago (3-h Chicago design storm) or recorded (3-h convective burst table)", DefaultValueFactory = _ => "chicago" };
        stormKind.AcceptOnlyFromAmong("chicago", "recorded");
        var stormAfter = new Option<string>("--storm-after") { Description = "With --profile storm: the storm begins this long after the simulated start", DefaultValueFactory = _ => "30m" };
        var speedup = new Option<double>("--speedup") { Description = "Simulated seconds per real second (between wakes)", DefaultValueFactory = _ => 60 };
        var duration = new Option<string?>("--duration") { Description = "Real run time (e.g. 10m); default until Ctrl+C" };
        var backfill = new Option<string?>("--backfill") { Description = "Start this far in the past (default duration × speedup, or 24h); the clock never runs ahead of now" };
        var stateDir = new Option<DirectoryInfo>("--state-dir") { Description = "Folder for the nodes' config files (and flash with --flash-files)", DefaultValueFactory = _ => new DirectoryInfo(".iotmon-fleet") };
        var mqttHost = new Option<string?>("--mqtt-host") { Description = "Broker host (default: the --gateway host)" };
        var mqttPort = new Option<int>("--mqtt-port") { Description = "Broker port", DefaultValueFactory = _ => 1883 };
        var sampleSec = new Option<int>("--sample-sec") { Description = "Sampling interval of new nodes, simulated s", DefaultValueFactory = _ => 300 };
        var uploadSec = new Option<int>("--upload-sec") { Description = "Upload interval of new nodes, simulated s", DefaultValueFactory = _ => 900 };
        var outages = new Option<double>("--outages-per-day") { Description = "WiFi outages (5 min … 3 days) starting per node per simulated day", DefaultValueFactory = _ => 0.05 };
        var cellularEvery = new Option<int>("--cellular-every") { Description = "Every Nth node reports over a simulated cellular modem (AT commands to the modem model, its MQTT on the broker; SIMCom and Quectel alternately); 0: all WiFi", DefaultValueFactory = _ => 0 };
        var faulty = new Option<double>("--faulty-share") { Description = "Share of nodes with one drifting, stuck or failed probe", DefaultValueFactory = _ => 0.1 };
        var stay = new Option<bool>("--stay-connected") { Description = "Keep MQTT connections open between wakes (mains-powered nodes; the scale bench)" };
        var workers = new Option<int?>("--workers") { Description = "Threads running wakes (default 4 × CPUs, 8–64)" };
        var flashFiles = new Option<bool>("--flash-files") { Description = "Keep each node's flash queue and state in files under --state-dir/flash (survives a restart)" };
        var spread = new Option<string>("--start-spread") { Description = "Spread the nodes' first wakes over this much simulated time", DefaultValueFactory = _ => "5m" };
        var noLive = new Option<bool>("--no-live") { Description = "Print a status line every 10 s instead of the live table" };
        var sites = new Option<FileInfo?>("--sites") { Description = "Site list (JSON like firmware/IoTMonitor.Firmware.Host/Fleet/sites.json; default: built in)" };
        devices.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 100_000)
            {
                r.AddError("--devices must be 1–100000");
            }
        });
        speedup.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is <= 0 or > 100_000 or double.NaN)
            {
                r.AddError("--speedup must be > 0 and ≤ 100000");
            }
        });
        var cmd = new Command("simulate", """
            Run a fleet of virtual nodes (the real firmware core with simulated sensors, batteries and WiFi outages)
            against the gateway: registers the devices through the API (configs kept in --state-dir, so a re-run reuses
            them) and shows nodes, readings sent, backlog and outages live. Ctrl+C stops it.

            Example:
              iotmon simulate --devices 36 --profile mix --speedup 60 --duration 10m --api-key-file .local/admin.key
              iotmon simulate --devices 12 --cellular-every 3 --duration 5m --api-key-file .local/admin.key
            """)
        {
            devices, profile, stormKind, stormAfter, speedup, duration, backfill, stateDir, mqttHost, mqttPort, sampleSec, uploadSec, outages, faulty, cellularEvery, stay, workers, flashFiles, spread, noLive, sites,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            TimeSpan? runFor = null;
            if (parse.GetValue(duration) is { } d)
            {
                runFor = Durations.TryParse(d, out var t) && t > TimeSpan.Zero ? t : throw new CliException($"--duration '{d}' is not a duration (e.g. 90s, 10m, 2h)", ExitCodes.BadArguments);
            }

            var x = parse.GetValue(speedup);
            TimeSpan back;
            if (parse.GetValue(backfill) is { } b)
            {
                back = Durations.TryParse(b, out var t) ? t : throw new CliException($"--backfill '{b}' is not a duration (e.g. 24h, 7d)", ExitCodes.BadArguments);
            }
            else
            {
                back = runFor is { } r ? TimeSpan.FromSeconds(Math.Min(r.TotalSeconds * x, TimeSpan.FromDays(365).TotalSeconds)) : TimeSpan.FromHours(24);
            }

            var siteList = parse.GetValue(sites) is { } sf ? SiteCatalog.Load(sf.FullName) : SiteCatalog.BuiltIn();
            var storm = parse.GetValue(profile) == "storm";
            var plan = SiteCatalog.Plan(siteList, storm ? "water" : parse.GetValue(profile)!, parse.GetValue(devices));
            using var gw = cx.Gateway(parse);
            var host = parse.GetValue(mqttHost) ?? gw.BaseUrl.Host;
            var port = parse.GetValue(mqttPort);
            var dir = parse.GetValue(stateDir)!.FullName;
            // a storm node keeps the shipped water schedule: event mode, not a fast schedule, makes it report in time
            var nodeSampleSec = storm && parse.GetResult(sampleSec) is null or { Implicit: true } ? StormSampleSec : parse.GetValue(sampleSec);
            var nodeUploadSec = storm && parse.GetResult(uploadSec) is null or { Implicit: true } ? StormUploadSec : parse.GetValue(uploadSec);
            var provisioner = new FleetProvisioner(gw, dir, host, port, nodeSampleSec, nodeUploadSec, rainGauge: storm);
            List<NodeSpec> specs;
            if (cx.Interactive)
            {
                specs = await cx.Console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
                    .StartAsync(async p =>
                    {
                        var task = p.AddTask("provisioning " + plan.Count + " nodes", maxValue: plan.Count);
                        var s = await provisioner.ProvisionAsync(plan, _ => task.Increment(1), ct);
                        task.Value = plan.Count;
                        return s;
                    });
            }
            else
            {
                specs = await provisioner.ProvisionAsync(plan, null, ct);
            }

            cx.Console.WriteLine($"{specs.Count} nodes on {specs.Select(s => s.Site).Distinct().Count()} sites: {provisioner.Registered} registered now, {provisioner.Reused} reused from {dir}");

            // A re-run with the same state folder continues where the last run's simulated clock
            // stopped, so nodes that kept their flash never sample the same hours twice.
            var clockFile = Path.Combine(dir, "simulated-clock.txt");
            long? startMs = null;
            if (File.Exists(clockFile) && long.TryParse(File.ReadAllText(clockFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var last)
                && last > DateTimeOffset.UtcNow.Add(-back).ToUnixTimeMilliseconds() && last <= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
            {
                startMs = last;
            }

            var options = new FleetOptions
            {
                Speedup = x,
                Backfill = back,
                StartUtcMs = startMs,
                FaultWindow = back + (runFor ?? TimeSpan.FromDays(1)),
                FaultyShare = parse.GetValue(faulty),
                CellularEvery = parse.GetValue(cellularEvery) >= 0 ? parse.GetValue(cellularEvery) : throw new CliException("--cellular-every must be 0 or more", ExitCodes.BadArguments),
                FlashDir = parse.GetValue(flashFiles) ? Path.Combine(dir, "flash") : null,
                StartSpread = Durations.TryParse(parse.GetValue(spread), out var sp) ? sp : throw new CliException("--start-spread is not a duration (e.g. 60s, 5m)", ExitCodes.BadArguments),
            };
            if (storm)
            {
                var after = Durations.TryParse(parse.GetValue(stormAfter)!, out var sa) ? sa : throw new CliException("--storm-after is not a duration (e.g. 30m, 2h)", ExitCodes.BadArguments);
                var simStart = (startMs ?? DateTimeOffset.UtcNow.Add(-back).ToUnixTimeMilliseconds()) / 1000;
                IHyetograph hyetograph = parse.GetValue(stormKind) == "recorded" ? RecordedStorm.ConvectiveBurst() : StormScenario.DefaultDesignStorm();
                options.Environment.Storm = new StormScenario(hyetograph, simStart + (long)after.TotalSeconds);
                options.Environment.RainProbabilityPerBlock = 0; // the storm alone, so its sums are what the gauges count
                cx.Console.WriteLine($"storm ({parse.GetValue(stormKind)}, {hyetograph.DepthMm(hyetograph.DurationSec).ToString("0.0", CultureInfo.InvariantCulture)} mm in {Durations.Format(TimeSpan.FromSeconds(hyetograph.DurationSec))}) begins {DateTimeOffset.FromUnixTimeSeconds(options.Environment.Storm.StartUtc).UtcDateTime:yyyy-MM-dd HH:mm} UTC (simulated) over every site");
            }

            options.Link.HostOverride = host;
            options.Link.PortOverride = port;
            options.Link.StayConnected = parse.GetValue(stay);
            options.Outages.PerDay = parse.GetValue(outages);
            if (parse.GetValue(workers) is { } w)
            {
                options.Workers = Math.Clamp(w, 1, 1024);
            }

            await using var fleet = new VirtualFleet(options);
            foreach (var spec in specs)
            {
                fleet.Add(spec);
            }

            cx.Console.WriteLine($"simulated time starts {DateTimeOffset.FromUnixTimeMilliseconds(fleet.Clock.StartUtcMs).UtcDateTime:yyyy-MM-dd HH:mm} UTC at {x.ToString(CultureInfo.InvariantCulture)}× (catches up with now, then runs at 1×); broker {host}:{port}; {(runFor is null ? "Ctrl+C to stop" : "runs " + Durations.Format(runFor.Value))}");
            fleet.Start();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (runFor is { } rf)
            {
                stop.CancelAfter(rf);
            }

            if (cx.Interactive && !parse.GetValue(noLive))
            {
                await cx.Console.Live(Render(fleet, host, port)).AutoClear(false).StartAsync(async live =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        await Wait(TimeSpan.FromSeconds(1), stop.Token);
                        live.UpdateTarget(Render(fleet, host, port));
                    }
                });
            }
            else
            {
                while (!stop.IsCancellationRequested)
                {
                    await Wait(TimeSpan.FromSeconds(10), stop.Token);
                    cx.Console.WriteLine(Line(fleet.Snapshot()));
                }
            }

            await fleet.StopAsync();
            var final = fleet.Snapshot();
            await File.WriteAllTextAsync(clockFile, fleet.Nodes.Count == 0 ? final.SimUtcMs.ToString(CultureInfo.InvariantCulture) : fleet.Nodes.Max(n => n.Clock.TrueUtcMs).ToString(CultureInfo.InvariantCulture), CancellationToken.None);
            cx.Console.Write(Render(fleet, host, port));
            cx.Console.WriteLine("stopped: " + Line(final));
            foreach (var e in fleet.Errors.Take(5))
            {
                await cx.Err.WriteLineAsync("node error: " + e);
            }

            return fleet.Errors.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return cmd;
    }

    private static async Task Wait(TimeSpan t, CancellationToken ct)
    {
        try
        {
            await Task.Delay(t, ct);
        }
        catch (OperationCanceledException)
        {
            // stop requested: fall through to the shutdown
        }
    }

    public static string Line(FleetSnapshot s) =>
        string.Create(CultureInfo.InvariantCulture, $"sim {DateTimeOffset.FromUnixTimeMilliseconds(s.SimUtcMs).UtcDateTime:yyyy-MM-dd HH:mm} UTC | {s.Nodes} nodes, {s.Connected} connected, {s.InOutage} in WiFi outage, {s.Dead} flat | wakes {s.Wakes} | readings sampled {s.Sampled}, sent {s.Uploaded}, backlog {s.Backlog}, dropped {s.Dropped} | connect failures {s.ConnectFailures}{(s.Refused > 0 ? $", {s.Refused} refused" : string.Empty)}{(s.Errors > 0 ? $", {s.Errors} errors" : string.Empty)}");

    private static IRenderable Render(VirtualFleet fleet, string host, int port)
    {
        var s = fleet.Snapshot();
        var head = new Table().Border(TableBorder.Rounded).Title($"IoTMonitor virtual fleet → {Markup.Escape(host)}:{port}").HideHeaders().AddColumn("a").AddColumn("b").AddColumn("c").AddColumn("d");
        head.AddRow("simulated time", $"{DateTimeOffset.FromUnixTimeMilliseconds(s.SimUtcMs).UtcDateTime:yyyy-MM-dd HH:mm} UTC", "real time", Durations.Format(s.RealElapsed));
        head.AddRow("nodes", s.Nodes.ToString(CultureInfo.InvariantCulture), "connected now", s.Connected.ToString(CultureInfo.InvariantCulture));
        head.AddRow("readings sampled", s.Sampled.ToString(CultureInfo.InvariantCulture), "readings sent (PUBACK)", s.Uploaded.ToString(CultureInfo.InvariantCulture));
        head.AddRow("backlog in flash", s.Backlog.ToString(CultureInfo.InvariantCulture), "dropped (flash full)", s.Dropped.ToString(CultureInfo.InvariantCulture));
        head.AddRow("in WiFi outage", s.InOutage.ToString(CultureInfo.InvariantCulture), "connect failures", s.ConnectFailures.ToString(CultureInfo.InvariantCulture));
        head.AddRow("flat battery", s.Dead.ToString(CultureInfo.InvariantCulture), "wakes", s.Wakes.ToString(CultureInfo.InvariantCulture));

        var nodes = new Table().Border(TableBorder.Simple).Title("nodes with the largest backlog");
        foreach (var c in new[] { "node", "site", "type", "sampled", "sent", "backlog", "battery V", "link" })
        {
            nodes.AddColumn(c);
        }

        var now = fleet.Clock.NowUtcMs;
        foreach (var n in fleet.Nodes.OrderByDescending(n => n.Queued).ThenBy(n => n.Id, StringComparer.Ordinal).Take(10))
        {
            var link = n.IsDead ? "[red]flat[/]" : n.Link.IsWifiDownAt(now) ? "[yellow]WiFi out[/]" : n.LastLinkError == Firmware.Core.Node.LinkStatus.Refused ? "[red]refused[/]" : n.Link.IsConnected ? "[green]connected[/]" : "asleep";
            nodes.AddRow(Markup.Escape(n.Id), Markup.Escape(n.Spec.Site), n.Spec.Type, n.Sampled.ToString(CultureInfo.InvariantCulture), n.Uploaded.ToString(CultureInfo.InvariantCulture), n.Queued.ToString(CultureInfo.InvariantCulture), n.Battery.Volts.ToString("0.00", CultureInfo.InvariantCulture), link);
        }

        return new Rows(head, nodes);
    }
}
