using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Buffering;

/// <summary>
/// Logs failing WAL writes without flooding the log: a full disk fails every group commit (thousands a
/// second), so the first failure is logged with its exception, then at most one summary per
/// <see cref="Interval"/> with the count since the last line, and one line when writes succeed again.
/// </summary>
internal sealed class WriteFailureLog(ILogger log, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private long _lastLogged;
    private long _groupsSinceLog;
    private long _appendsSinceLog;
    private long _groupsInOutage;
    private bool _failing;

    /// <summary>One failed group commit (called by the WAL's single writer loop only).</summary>
    public void Failed(Exception e, int appends, long segment)
    {
        _groupsSinceLog++;
        _appendsSinceLog += appends;
        _groupsInOutage++;
        var now = time.GetTimestamp();
        if (!_failing)
        {
            _failing = true;
            log.LogError(e, "WAL write failed; {Count} appends refused, segment {Segment} sealed at its last durable length (further failures are summarised every {Seconds} s)", appends, segment, Interval.TotalSeconds);
        }
        else if (time.GetElapsedTime(_lastLogged, now) >= Interval)
        {
            log.LogError("WAL writes still failing: {Groups} group commits and {Appends} appends refused in the last {Seconds:F0} s; last error: {Error}", _groupsSinceLog, _appendsSinceLog, time.GetElapsedTime(_lastLogged, now).TotalSeconds, e.Message);
        }
        else
        {
            return;
        }

        _lastLogged = now;
        _groupsSinceLog = 0;
        _appendsSinceLog = 0;
    }

    /// <summary>A group commit succeeded: ends an outage with one line.</summary>
    public void Succeeded()
    {
        if (!_failing)
        {
            return;
        }

        log.LogWarning("WAL writes succeed again after {Groups} failed group commits", _groupsInOutage);
        _failing = false;
        _groupsInOutage = 0;
        _groupsSinceLog = 0;
        _appendsSinceLog = 0;
    }
}
