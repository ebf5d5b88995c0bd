using System.Collections.Concurrent;
using IoTMonitor.Firmware.Host.Link;
using IoTMonitor.Firmware.Host.Node;

namespace IoTMonitor.Firmware.Host.Fleet;

/// <summary>
/// Many virtual nodes in one process. A scheduler keeps a priority queue of next-wake times
/// (simulated UTC); a dispatcher hands due nodes to a bounded pool of worker threads, each running
/// one node's synchronous <see cref="VirtualNode.Wake"/> at a time. No thread per node, so
/// 10,000 nodes need only <see cref="FleetOptions.Workers"/> threads and the MQTT clients.
/// </summary>
/// <remarks>
/// Between wakes simulated time runs at the speed-up, so a host that dispatches or runs a wake
/// late by R real seconds would start it R × speed-up simulated seconds late (at 300×, 0.2 s is a
/// whole 60-s interval). A wake therefore starts at the moment its node's timer fired, as on a real
/// node, as long as that is at most <see cref="FleetOptions.MaxWakeLag"/> behind the fleet's clock.
/// </remarks>
/// <remarks>
/// Lifecycle: add nodes, <see cref="Start"/>, read <see cref="Snapshot"/> while it runs,
/// <see cref="StopAsync"/> (waits for the wakes in flight; nodes then sit in "deep sleep" with their
/// queues in flash). A wake that throws stops that node only and is counted in <see cref="Errors"/>.
/// </remarks>
public sealed class VirtualFleet : IAsyncDisposable
{
    private readonly PriorityQueue<VirtualNode, long> _due = new();
    private readonly object _gate = new();
    private int _added;
    private readonly List<VirtualNode> _nodes = new();
    private readonly BlockingCollection<(VirtualNode Node, long DueMs)> _work;
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = new();
    private readonly SemaphoreSlim _wakeUp = new(0);
    private int _running;
    private long _wakes;

    public VirtualFleet(FleetOptions options)
    {
        Options = options;
        var start = options.StartUtcMs ?? DateTimeOffset.UtcNow.Add(-options.Backfill).ToUnixTimeMilliseconds();
        Clock = new SimulationClock(start, options.Speedup);
        _work = new BlockingCollection<(VirtualNode, long)>(new ConcurrentQueue<(VirtualNode, long)>(), Math.Max(1, options.Workers * 2));
    }

    public FleetOptions Options { get; }

    public SimulationClock Clock { get; }

    public IReadOnlyList<VirtualNode> Nodes => _nodes;

    /// <summary>Wakes run so far.</summary>
    public long Wakes => Interlocked.Read(ref _wakes);

    /// <summary>Errors thrown by wakes (node id: message); those nodes stopped.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>
    /// Adds a node; its first wake is spread over <see cref="FleetOptions.StartSpread"/>. A share
    /// <see cref="FleetOptions.FaultyShare"/> of nodes without faults of their own get one faulty
    /// probe from a time between the start and <see cref="FleetOptions.FaultWindow"/> later.
    /// </summary>
    public VirtualNode Add(NodeSpec spec)
    {
        var startSec = Clock.StartUtcMs / 1000;
        spec = FaultPlan.Apply(spec, Options.FaultyShare, startSec, startSec + (long)Options.FaultWindow.TotalSeconds);
        var outage = new OutageModel(spec.Device, Options.Outages);
        var rssiBase = -55 - (int)(Signals.Noise.Uniform(Signals.Noise.Hash(spec.Device), 40) * 30);
        var rng = new Random(spec.Device.GetHashCode(StringComparison.Ordinal));
        var link = new LinkOptions
        {
            HostOverride = Options.Link.HostOverride,
            PortOverride = Options.Link.PortOverride,
            StayConnected = Options.Link.StayConnected,
            SessionExpirySeconds = Options.Link.SessionExpirySeconds,
            WifiJoinFailMs = Options.Link.WifiJoinFailMs,
            MinRealTimeoutMs = Options.Link.MinRealTimeoutMs,
            MaxRealReceiveWaitMs = Options.Link.MaxRealReceiveWaitMs,
            IsWifiDown = outage.IsDown,
            Rssi = () => rssiBase + rng.Next(-4, 5),
        };
        int added = Interlocked.Increment(ref _added);
        if (spec.Cellular is null && Options.CellularEvery > 0 && added % Options.CellularEvery == 0)
        {
            // every Nth node, SIMCom and Quectel alternately
            spec = spec with { Cellular = (added / Options.CellularEvery) % 2 == 1 ? Core.Cellular.ModemKind.Simcom : Core.Cellular.ModemKind.Quectel };
        }

        var node = new VirtualNode(spec with { EnvironmentOptions = spec.EnvironmentOptions ?? Options.Environment }, Clock, link, Options.FlashDir);
        lock (_gate)
        {
            _nodes.Add(node);
            var spread = (long)(Options.StartSpread.TotalMilliseconds * Signals.Noise.Uniform(Signals.Noise.Hash(spec.Device), 41));
            _due.Enqueue(node, Clock.NowUtcMs + spread);
        }

        _wakeUp.Release();
        return node;
    }

    /// <summary>Starts the dispatcher and the workers.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }

        for (var i = 0; i < Options.Workers; i++)
        {
            var t = new Thread(Work) { IsBackground = true, Name = $"fleet-worker-{i}" };
            _threads.Add(t);
            t.Start();
        }

        var d = new Thread(Dispatch) { IsBackground = true, Name = "fleet-dispatcher" };
        _threads.Add(d);
        d.Start();
    }

    /// <summary>Stops dispatching, waits for the wakes in flight, and disconnects every node.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _running, 2) != 1)
        {
            return;
        }

        _stop.Cancel();
        _wakeUp.Release();
        _work.CompleteAdding();
        await Task.Run(() =>
        {
            foreach (var t in _threads)
            {
                t.Join();
            }
        }).ConfigureAwait(false);
    }

    /// <summary>Totals for the live display and the tests.</summary>
    public FleetSnapshot Snapshot()
    {
        List<VirtualNode> nodes;
        lock (_gate)
        {
            nodes = _nodes.ToList();
        }

        var now = Clock.NowUtcMs;
        var s = new FleetSnapshot { SimUtcMs = now, RealElapsed = Clock.RealElapsed, Nodes = nodes.Count, Wakes = Wakes, Errors = _errors.Count };
        foreach (var n in nodes)
        {
            s.Sampled += n.Sampled;
            s.Uploaded += n.Uploaded;
            s.Backlog += n.Queued;
            s.Dropped += n.Dropped;
            s.ConnectFailures += n.ConnectFailures;
            s.Connected += n.Link.IsConnected ? 1 : 0;
            s.InOutage += n.Link.IsWifiDownAt(now) ? 1 : 0;
            s.Dead += n.IsDead ? 1 : 0;
            s.Refused += n.LastLinkError == Core.Node.LinkStatus.Refused ? 1 : 0;
        }

        return s;
    }

    private void Dispatch()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            VirtualNode? node = null;
            long due = 0;
            var wait = TimeSpan.FromMilliseconds(200);
            lock (_gate)
            {
                if (_due.TryPeek(out var n, out var at))
                {
                    var delay = Clock.RealDelayUntil(at);
                    if (delay <= TimeSpan.Zero)
                    {
                        node = _due.Dequeue();
                        due = at;
                    }
                    else
                    {
                        wait = delay < wait ? delay : wait;
                    }
                }
            }

            if (node is null)
            {
                _wakeUp.Wait(wait, CancellationToken.None);
                continue;
            }

            try
            {
                _work.Add((node, due), token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (InvalidOperationException)
            {
                return;
            }
        }
    }

    private void Work()
    {
        var maxLagMs = (long)Options.MaxWakeLag.TotalMilliseconds;
        foreach (var (node, due) in _work.GetConsumingEnumerable())
        {
            long next;
            try
            {
                // the node's timer fired at `due`; a host running it later than the bound allows is
                // overloaded, and the wake starts at the fleet's time (the node skips what it missed)
                var now = Clock.NowUtcMs;
                next = now - due <= maxLagMs ? node.WakeAt(due) : node.WakeAt(now);
                Interlocked.Increment(ref _wakes);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _errors.Enqueue($"{node.Id}: {e.GetType().Name}: {e.Message}");
                continue;
            }

            lock (_gate)
            {
                _due.Enqueue(node, next);
            }

            _wakeUp.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await Task.Run(() => Parallel.ForEach(_nodes, new ParallelOptions { MaxDegreeOfParallelism = 32 }, n => n.Dispose())).ConfigureAwait(false);
        _stop.Dispose();
        _work.Dispose();
        _wakeUp.Dispose();
    }
}

/// <summary>Fleet totals at one moment.</summary>
public sealed class FleetSnapshot
{
    public long SimUtcMs { get; set; }

    public TimeSpan RealElapsed { get; set; }

    public int Nodes { get; set; }

    public long Wakes { get; set; }

    public long Sampled { get; set; }

    public long Uploaded { get; set; }

    public long Backlog { get; set; }

    public long Dropped { get; set; }

    public long ConnectFailures { get; set; }

    public int Connected { get; set; }

    public int InOutage { get; set; }

    public int Dead { get; set; }

    public int Refused { get; set; }

    public int Errors { get; set; }
}
