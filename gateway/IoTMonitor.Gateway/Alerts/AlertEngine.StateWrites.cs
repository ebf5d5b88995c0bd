// When changed rule states and node schedules are written: decisive changes in the group's own
// transaction (the store never holds an alert without the state that raised it), the others at most
// every few seconds and at stop, because writing every state on every reading cost more than the
// whole ingest path (docs/alerts.md, Delivery guarantee).

using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Alerts;

public sealed partial class AlertEngine
{
    // Changed states that decide nothing by themselves, written every LazyWriteInterval (and at stop).
    private static readonly TimeSpan LazyWriteInterval = TimeSpan.FromSeconds(5);
    private readonly HashSet<(string Rule, string Device)> _lazyStates = [];
    private DateTimeOffset _lazyWritten;

    /// <summary>Writes what the group changed, once per rule state and schedule, in the group's transaction.</summary>
    private void WriteChanges()
    {
        foreach (var key in _touchedStates)
        {
            if (_states.TryGetValue(key, out var entry) && entry.State.Changed)
            {
                if (entry.State.Decisive)
                {
                    _store.SaveState(key.Rule, key.Device, entry.Site, entry.State);
                }
                else
                {
                    _lazyStates.Add(key);
                }
            }
        }

        _nodes.WriteGroup(_store);

        _duplicates.NoteChanges();
        if (_time.GetUtcNow() - _lazyWritten >= LazyWriteInterval)
        {
            WriteLazyChanges();
        }
    }

    /// <summary>Writes the states whose changes decide nothing by themselves (see <see cref="TrackedState.Decisive"/>).</summary>
    private void WriteLazyChanges()
    {
        foreach (var key in _lazyStates)
        {
            if (_states.TryGetValue(key, out var entry) && entry.State.Changed)
            {
                _store.SaveState(key.Rule, key.Device, entry.Site, entry.State);
            }
        }

        _nodes.WriteLazy(_store);

        _duplicates.WriteChanged(_store);
        _lazyStates.Clear();
        _lazyWritten = _time.GetUtcNow();
        MarkAlive();
    }

    /// <summary>At stop: what changed since the last lazy write, so a clean stop loses none of it.</summary>
    private void WriteLazyOnStop()
    {
        try
        {
            lock (_gate)
            {
                _store.InTransaction(() =>
                {
                    WriteLazyChanges();
                    return 0;
                });
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            _log.LogWarning("Alert states changed in the last seconds were not written at stop: {Error}", e.Message);
        }
    }
}
