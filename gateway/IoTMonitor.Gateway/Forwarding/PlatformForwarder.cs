using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Query;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Forwarding;

/// <summary>What a forwarder needs of a protocol's link to one platform (HJ 212, SL 651).</summary>
public interface IPlatformLink : IAsyncDisposable
{
    ForwardingCounters Counters { get; }

    bool Connected { get; }

    void Start();

    /// <summary>Something was queued: send now instead of at the next poll.</summary>
    void Wake();
}

/// <summary>One configured platform as its forwarder holds it: its name, outbox and link.</summary>
public interface IForwardedPlatform
{
    string Name { get; }

    IForwardingOutbox Outbox { get; }

    IPlatformLink Link { get; }
}

/// <summary>
/// The life of a forwarder, whatever the protocol: its platforms' links start with the host and a
/// loop of the protocol's own runs beside them; at stop the loop ends first, then the links; the
/// outboxes close when the container disposes the forwarder. The forwarder listens to readings made
/// durable for the container's lifetime once a platform is configured, so readings made durable while
/// the host stops are still queued.
/// </summary>
public abstract class PlatformForwarder<TPlatform> : IHostedService, IDisposable
    where TPlatform : IForwardedPlatform
{
    private readonly IngestPipeline _pipeline;
    private readonly string _title;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private bool _listening;

    /// <param name="title">the protocol in log lines, e.g. "HJ 212"</param>
    protected PlatformForwarder(IngestPipeline pipeline, string title, ILogger log)
    {
        _pipeline = pipeline;
        _title = title;
        _log = log;
    }

    /// <summary>The platforms, locked while read or changed.</summary>
    protected List<TPlatform> Platforms { get; } = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Platforms.Count == 0)
        {
            return Task.CompletedTask;
        }

        foreach (var p in Platforms)
        {
            p.Link.Start();
        }

        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }

        foreach (var p in Platforms)
        {
            await p.Link.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The /metrics lines of every platform, labelled with <paramref name="prefix"/>.</summary>
    protected string RenderMetrics(string prefix, string title, string answer)
    {
        lock (Platforms)
        {
            return ForwardingMetrics.Render(prefix, title, answer, Platforms.Select(p => new PlatformFigures(p.Name, p.Link.Counters, p.Outbox.Counts(), p.Link.Connected)));
        }
    }

    /// <summary>Called by the protocol's constructor once its platforms are added.</summary>
    protected void ListenWhenConfigured()
    {
        if (Platforms.Count > 0)
        {
            _pipeline.ReadingsDurable += OnReadingsDurable;
            _listening = true;
        }
    }

    /// <summary>A batch is durable in the WAL: queue what the protocol sends per reading, then wake the links.</summary>
    protected abstract void OnReadingsDurable(object? sender, ReadingsDurableEventArgs e);

    /// <summary>Seconds between two rounds of <see cref="BuildAsync"/>.</summary>
    protected abstract int PollSeconds { get; }

    /// <summary>Builds and queues one platform's closed periods (aggregates, reports) from InfluxDB.</summary>
    protected abstract Task BuildAsync(TPlatform platform, CancellationToken cancellationToken);

    /// <summary>The platforms as they are now, to work on outside the lock.</summary>
    protected TPlatform[] Snapshot()
    {
        lock (Platforms)
        {
            return [.. Platforms];
        }
    }

    /// <summary>Every <see cref="PollSeconds"/>, each platform's periods; an InfluxDB that does not answer only postpones them.</summary>
    private async Task LoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (var p in Snapshot())
            {
                try
                {
                    await BuildAsync(p, stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is InfluxQueryException or HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
                {
                    _log.LogInformation("{Title} {Platform}: periods not built yet, InfluxDB: {Error}", _title, p.Name, e.Message);
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(PollSeconds), stop).ConfigureAwait(false);
        }
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        if (_listening)
        {
            _pipeline.ReadingsDurable -= OnReadingsDurable;
        }

        lock (Platforms)
        {
            foreach (var p in Platforms)
            {
                p.Outbox.Dispose();
            }

            Platforms.Clear();
        }

        _stop.Dispose();
    }
}
