using System.Collections.Concurrent;

namespace IoTMonitor.Gateway.Alerts;

public enum AlertSeverity
{
    Warning = 1,
    Critical = 2,
}

/// <summary>An alert as the API and the dashboard show it.</summary>
/// <param name="Threshold">The limit that was crossed, when the rule has one (drawn on the site's chart).</param>
public sealed record Alert(
    long Id,
    string Site,
    string? Device,
    string? Quantity,
    AlertSeverity Severity,
    string Message,
    DateTimeOffset Raised,
    double? Threshold,
    DateTimeOffset? Acknowledged = null,
    string? AcknowledgedBy = null,
    DateTimeOffset? Cleared = null);

/// <summary>
/// The minimal alert contract the API and dashboard read (issue 8), to be backed by the alert
/// engine of issue 7: it raises and clears; people list and acknowledge. Nothing in the gateway raises
/// alerts yet. In memory: alerts do not survive a restart until the engine's SQLite state replaces this.
/// </summary>
public interface IAlertStore
{
    Alert Raise(string site, string? device, string? quantity, AlertSeverity severity, string message, double? threshold = null);

    bool Clear(long id);

    /// <summary>Alerts of one site (or all), newest first; cleared ones only when asked.</summary>
    IReadOnlyList<Alert> List(string? site, bool includeCleared);

    /// <summary>Marks an alert acknowledged; null when there is no such alert. Acknowledging twice keeps the first.</summary>
    Alert? Acknowledge(long id, string by);
}

/// <summary>In-memory <see cref="IAlertStore"/>; thread-safe.</summary>
public sealed class AlertBook(TimeProvider time) : IAlertStore
{
    public const int MaxAlerts = 10_000;

    private readonly ConcurrentDictionary<long, Alert> _alerts = new();
    private long _next;

    public Alert Raise(string site, string? device, string? quantity, AlertSeverity severity, string message, double? threshold = null)
    {
        var alert = new Alert(Interlocked.Increment(ref _next), site, device, quantity, severity, message, time.GetUtcNow(), threshold);
        _alerts[alert.Id] = alert;
        if (_alerts.Count > MaxAlerts)
        {
            foreach (var old in _alerts.Values.Where(a => a.Cleared is not null).OrderBy(a => a.Id).Take(_alerts.Count - MaxAlerts))
            {
                _alerts.TryRemove(old.Id, out _);
            }
        }

        return alert;
    }

    public bool Clear(long id)
    {
        while (_alerts.TryGetValue(id, out var a))
        {
            if (a.Cleared is not null || _alerts.TryUpdate(id, a with { Cleared = time.GetUtcNow() }, a))
            {
                return true;
            }
        }

        return false;
    }

    public IReadOnlyList<Alert> List(string? site, bool includeCleared) =>
        _alerts.Values
            .Where(a => (site is null || a.Site == site) && (includeCleared || a.Cleared is null))
            .OrderByDescending(a => a.Id)
            .ToList();

    public Alert? Acknowledge(long id, string by)
    {
        while (_alerts.TryGetValue(id, out var a))
        {
            if (a.Acknowledged is not null)
            {
                return a;
            }

            var acked = a with { Acknowledged = time.GetUtcNow(), AcknowledgedBy = by };
            if (_alerts.TryUpdate(id, acked, a))
            {
                return acked;
            }
        }

        return null;
    }
}
