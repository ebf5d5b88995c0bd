using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Channels;
using IoTMonitor.Gateway.Alerts.Internal;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>
/// Delivers the outbox: picks due entries, sends each through its channel and records the attempt
/// and the entry's new state (sent with the receipt, retry later, failed) in one transaction.
/// At-least-once per entry: a crash after the receiver accepted and before that transaction commits
/// resends on restart with the same idempotency key (docs/alerts.md, "Delivery guarantee").
/// </summary>
public sealed class OutboxDispatcher : IAsyncDisposable
{
    private readonly AlertStore _store;
    private readonly OutboxOptions _options;
    private readonly IReadOnlyDictionary<string, IAlertChannel> _channels;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public OutboxDispatcher(AlertStore store, OutboxOptions options, IEnumerable<IAlertChannel> channels, TimeProvider time, ILogger log)
    {
        _store = store;
        _options = options;
        _channels = channels.ToDictionary(c => c.Name);
        _time = time;
        _log = log;
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Something was queued: look now instead of at the next poll.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var due = _store.Due(_time.GetUtcNow(), 64);
                if (due.Count > 0)
                {
                    using var gate = new SemaphoreSlim(8);
                    await Task.WhenAll(due.Select(async e =>
                    {
                        await gate.WaitAsync(token).ConfigureAwait(false);
                        try
                        {
                            await DeliverAsync(e, token).ConfigureAwait(false);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    })).ConfigureAwait(false);
                    continue;
                }

                var next = _store.NextDue();
                var wait = TimeSpan.FromMilliseconds(_options.PollMs);
                if (next is { } n && n - _time.GetUtcNow() < wait)
                {
                    wait = n - _time.GetUtcNow();
                }

                if (wait > TimeSpan.Zero)
                {
                    await _wake.WaitAsync(wait, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _log.LogError(e, "Alerts: outbox loop failed; retrying");
                await Task.Delay(1000, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task DeliverAsync(OutboxEntry entry, CancellationToken token)
    {
        if (!_channels.TryGetValue(entry.Channel, out var channel))
        {
            _store.RecordAttempt(entry.Id, _time.GetUtcNow(), false, $"channel '{entry.Channel}' is not configured", null, _time.GetUtcNow().AddMinutes(1));
            return;
        }

        var notice = JsonSerializer.Deserialize<AlertNotice>(entry.Payload, AlertRule.Json)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            var receipt = await channel.SendAsync(entry, notice, timeout.Token).ConfigureAwait(false);
            _store.RecordAttempt(entry.Id, _time.GetUtcNow(), true, receipt, receipt, null);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // shutting down: the entry stays pending and is sent after the restart
        }
        catch (PermanentDeliveryException e)
        {
            _log.LogWarning("Alerts: {Channel} to {Recipient} refused for good: {Error}", entry.Channel, entry.Recipient, e.Message);
            _store.RecordAttempt(entry.Id, _time.GetUtcNow(), false, e.Message, null, null);
        }
        catch (Exception e)
        {
            var attempts = entry.Attempts + 1;
            DateTimeOffset? retry = attempts >= _options.MaxAttempts ? null : _time.GetUtcNow().AddMilliseconds(Backoff(attempts));
            _log.LogWarning("Alerts: {Channel} to {Recipient} failed (attempt {Attempt}): {Error}", entry.Channel, entry.Recipient, attempts, e.Message);
            _store.RecordAttempt(entry.Id, _time.GetUtcNow(), false, e.GetType().Name + ": " + e.Message, null, retry);
        }
    }

    private double Backoff(int attempts)
    {
        var ms = Math.Min(_options.RetryMaxMs, _options.RetryInitialMs * Math.Pow(2, Math.Min(30, attempts - 1)));
        return ms * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
        _wake.Dispose();
    }
}
