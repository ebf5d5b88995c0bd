using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Channels;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>
/// Delivers the outbox: picks due entries, sends each through its channel and records the attempt
/// and the entry's new state (sent with the receipt, retry later, failed) in one transaction.
/// Each send is made under a claim on the entry (<see cref="AlertStore.Claim"/>), so replicas sharing
/// one outbox never send a notice at the same time. At-least-once per entry: a crash after the
/// receiver accepted and before that transaction commits resends (after the restart, or by another
/// replica once the claim ran out) with the same idempotency key (docs/alerts.md, "Delivery guarantee").
/// </summary>
public sealed class OutboxDispatcher : IAsyncDisposable
{
    private readonly AlertStore _store;
    private readonly OutboxOptions _options;
    private readonly IReadOnlyDictionary<string, IAlertChannel> _channels;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    // Not disposed: the engine and the API may still wake the dispatcher while it stops (an
    // acknowledgement committed at that moment must not fail on a disposed semaphore), and a
    // SemaphoreSlim whose wait handle is never used holds nothing to release.
    private readonly SemaphoreSlim _wake = new(0);

    // Cancels deliveries in flight: at the end of the stop grace, not at its start.
    private readonly CancellationTokenSource _stop = new();
    private readonly object _stopGate = new();
    private volatile bool _draining;
    private bool _storeAway;

    // Notices a channel took while the store could not record it (outbox id -> receipt): recorded
    // first when the store is back, and never sent again meanwhile.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, (long Claim, string Receipt)> _unrecorded = new();
    private Task? _loop;
    private Task? _stopped;

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
                foreach (var (id, (claim, receipt)) in _unrecorded)
                {
                    _store.RecordAttempt(id, claim, _time.GetUtcNow(), true, receipt, receipt, null);
                    _unrecorded.TryRemove(id, out _);
                }

                var due = _store.Due(_time.GetUtcNow(), 64).Where(e => !_unrecorded.ContainsKey(e.Id)).ToList();
                if (_storeAway)
                {
                    _storeAway = false;
                    _log.LogWarning("Alerts: outbox reachable again; notices resume");
                }

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

                if (_draining)
                {
                    // stopping, and nothing more is due: the rest waits in the outbox for the next start
                    return;
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
            catch (Exception e) when (_store.IsUnreachable(e))
            {
                // the shared store is away: nothing due can be read or marked sent; once per outage in the log
                if (!_storeAway)
                {
                    _storeAway = true;
                    _log.LogWarning("Alerts: outbox unreachable ({Error}); notices wait until it is back", e.Message);
                }

                await Task.Delay(1000, CancellationToken.None).ConfigureAwait(false);
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
        // taken just before the send, not when the entry was listed: it must outlast this one send
        // (cut at TimeoutSeconds) and the record of its outcome, not the wait for a free slot
        if (_store.Claim(entry.Id, ClaimHold) is not { } claim)
        {
            return; // sent, cancelled or being sent by another dispatcher since it was listed
        }

        if (!_channels.TryGetValue(entry.Channel, out var channel))
        {
            _store.RecordAttempt(entry.Id, claim, _time.GetUtcNow(), false, $"channel '{entry.Channel}' is not configured", null, _time.GetUtcNow().AddMinutes(1));
            return;
        }

        var notice = JsonSerializer.Deserialize<AlertNotice>(entry.Payload, AlertRule.Json)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            var receipt = await channel.SendAsync(entry, notice, timeout.Token).ConfigureAwait(false);
            try
            {
                _store.RecordAttempt(entry.Id, claim, _time.GetUtcNow(), true, receipt, receipt, null);
            }
            catch (Exception e) when (_store.IsUnreachable(e))
            {
                // sent, but not recorded as sent: kept here so this replica does not send it again
                _unrecorded[entry.Id] = (claim, receipt);
                throw;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // shutting down: the entry stays pending, and free for any dispatcher at once (another
            // replica, or this one after the restart) rather than when the claim runs out
            _store.ReleaseClaim(entry.Id, claim);
        }
        catch (DeliveryDeferredException e)
        {
            var retry = _time.GetUtcNow() + e.RetryAfter;
            _log.LogInformation("Alerts: {Channel} to {Recipient} deferred until {Retry:O}: {Reason}", entry.Channel, entry.Recipient, retry, e.Message);
            _store.Defer(entry.Id, claim, _time.GetUtcNow(), "deferred: " + e.Message, retry);
        }
        catch (PermanentDeliveryException e)
        {
            _log.LogWarning("Alerts: {Channel} to {Recipient} refused for good: {Error}", entry.Channel, entry.Recipient, e.Message);
            _store.RecordAttempt(entry.Id, claim, _time.GetUtcNow(), false, e.Message, null, null);
        }
        catch (Exception e) when (_store.IsUnreachable(e))
        {
            throw; // the loop waits for the store; the entry stays due (or recorded as sent once it is back)
        }
        catch (Exception e)
        {
            var attempts = entry.Attempts + 1;
            DateTimeOffset? retry = attempts >= _options.MaxAttempts ? null : _time.GetUtcNow().AddMilliseconds(Backoff(attempts));
            _log.LogWarning("Alerts: {Channel} to {Recipient} failed (attempt {Attempt}): {Error}", entry.Channel, entry.Recipient, attempts, e.Message);
            _store.RecordAttempt(entry.Id, claim, _time.GetUtcNow(), false, e.GetType().Name + ": " + e.Message, null, retry);
        }
    }

    /// <summary>
    /// How long a claim keeps other dispatchers off an entry: twice the send timeout, so the send
    /// (cut at the timeout) and the commit of its outcome end well inside it unless the process
    /// stalls; a sender that dies mid-send delays the entry's resend by at most this.
    /// </summary>
    internal TimeSpan ClaimHold => TimeSpan.FromSeconds(2 * Math.Max(1, _options.TimeoutSeconds));

    private double Backoff(int attempts)
    {
        var ms = Math.Min(_options.RetryMaxMs, _options.RetryInitialMs * Math.Pow(2, Math.Min(30, attempts - 1)));
        return ms * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    /// <summary>
    /// Stops picking up work once nothing is due any more, so what the engine's stop drain queued is
    /// delivered now and deliveries in flight finish, for at most <paramref name="grace"/> (or until
    /// <paramref name="cancellationToken"/>: the host's shutdown timeout); then cancels the rest,
    /// which stays pending and is sent after the restart. Safe to call more than once.
    /// </summary>
    public Task StopAsync(TimeSpan grace, CancellationToken cancellationToken = default)
    {
        lock (_stopGate)
        {
            return _stopped ??= StopCoreAsync(grace, cancellationToken);
        }
    }

    private async Task StopCoreAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        _draining = true;
        Wake();
        _loop ??= Task.Run(RunAsync, CancellationToken.None); // never started: deliver what is due all the same
        _stop.CancelAfter(grace);
        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _stop))
        {
            await _loop.ConfigureAwait(false);
        }

        var left = _store.Due(_time.GetUtcNow(), 1).Count > 0;
        if (left)
        {
            _log.LogWarning("Alerts: stopped with notifications still due (grace {Grace:0.###} s); they are sent after the restart", grace.TotalSeconds);
        }
    }

    /// <summary>Stops as <see cref="StopAsync"/> does, with the configured grace.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(_options.StopGraceSeconds)).ConfigureAwait(false);
        _stop.Dispose();
    }
}
