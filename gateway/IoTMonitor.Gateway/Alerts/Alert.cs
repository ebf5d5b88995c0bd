namespace IoTMonitor.Gateway.Alerts;

public static class AlertStates
{
    public const string Open = "open";
    public const string Acknowledged = "acknowledged";
    public const string Resolved = "resolved";
}

public static class AlertEventTypes
{
    public const string Opened = "opened";
    public const string Renotified = "renotified";
    public const string Escalated = "escalated";
    public const string Acknowledged = "acknowledged";
    public const string Resolved = "resolved";
    public const string Late = "late";
    public const string Flapping = "flapping";
    public const string Reopened = "reopened";
}

/// <summary>One alert: at most one per rule and subject (device or site) is not resolved.</summary>
public sealed record Alert
{
    public string Id { get; init; } = string.Empty;

    public string RuleId { get; init; } = string.Empty;

    public string RuleName { get; init; } = string.Empty;

    public string Kind { get; init; } = string.Empty;

    /// <summary>The device id, or the site id for rules with <c>per: site</c>.</summary>
    public string Subject { get; init; } = string.Empty;

    public string Site { get; init; } = string.Empty;

    public string Device { get; init; } = string.Empty;

    public string? Quantity { get; init; }

    public string Severity { get; init; } = string.Empty;

    public string State { get; init; } = AlertStates.Open;

    /// <summary>Raised from history (a backlog after an outage): recorded and reported, never paged.</summary>
    public bool Late { get; init; }

    public bool Flapping { get; init; }

    public int Flaps { get; init; }

    /// <summary>When the condition started (reading time).</summary>
    public DateTimeOffset Since { get; init; }

    /// <summary>When the gateway detected it.</summary>
    public DateTimeOffset DetectedAt { get; init; }

    public double? Value { get; init; }

    public double? Worst { get; init; }

    public string Trend { get; init; } = string.Empty;

    public DateTimeOffset? AcknowledgedAt { get; init; }

    public string? AcknowledgedBy { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }

    public string? ResolvedBy { get; init; }

    public int Renotified { get; init; }

    public bool Escalated { get; init; }

    public DateTimeOffset? LastNotifiedAt { get; init; }

    /// <summary>
    /// The version of the stored row this alert was read at (shared store; 0 = not stored yet, and
    /// always 0 on SQLite, where one gateway makes every change under one lock). A save applies only
    /// over that version, so a change made meanwhile by another replica (an operator's acknowledge or
    /// resolve through its API) is never written over: the save fails with
    /// <see cref="AlertChangedException"/> and the change is made again from what is stored.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long Version { get; init; }
}

/// <summary>The alert was changed by another replica since it was read: nothing of the transaction is committed; read it again and redo the change.</summary>
public sealed class AlertChangedException(string alertId)
    : Exception($"alert {alertId} was changed by another replica since it was read")
{
    public string AlertId { get; } = alertId;
}

/// <summary>One entry of an alert's history.</summary>
public sealed record AlertEvent(string Id, string AlertId, string Type, DateTimeOffset At, string Detail);

/// <summary>One notification in the outbox, with its delivery state.</summary>
public sealed record OutboxEntry(
    long Id,
    string Key,
    string AlertId,
    string EventId,
    string EventType,
    string Channel,
    string Recipient,
    string Payload,
    string Status,
    int Attempts,
    DateTimeOffset Due,
    DateTimeOffset? SentAt,
    string? Receipt,
    string? LastError);

/// <summary>One delivery attempt of an outbox entry.</summary>
public sealed record DeliveryAttempt(long OutboxId, DateTimeOffset At, bool Ok, string Detail);
