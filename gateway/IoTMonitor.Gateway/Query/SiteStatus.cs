using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Query;

public enum HealthStatus
{
    Ok,
    Warning,
    Critical,
    Offline,
}

/// <summary>A status with the reasons for it (shown as the colour's tooltip): as codes, and as English lines.</summary>
public sealed record StatusVerdict(HealthStatus Status, IReadOnlyList<StatusReason> Details)
{
    public IReadOnlyList<string> Reasons => [.. Details.Select(d => d.Text)];
}

/// <summary>
/// The status colour of devices and sites. The rule (docs/api.md):
/// <list type="bullet">
/// <item>device offline: never heard, or silent for more than <c>Query:OfflineAfterIntervals</c> ×
///   its report interval (the longest of its recent message gaps, at least <c>Query:MinReportIntervalSeconds</c>;
///   <c>Query:DefaultReportIntervalSeconds</c> until two messages were seen);</item>
/// <item>site offline: it has no device, or every device is offline;</item>
/// <item>critical: a device's newest reading of some quantity is flagged OUT_OF_RANGE, NO_VALUE or
///   SENSOR_FAULT, or an open (unacknowledged) critical alert of the alert engine is on the site;</item>
/// <item>warning: some (not all) devices offline, a newest reading flagged STUCK or UNCALIBRATED,
///   battery below <c>Query:LowBatteryVolts</c>, or an open warning alert is on the site
///   (info alerts and acknowledged ones do not colour);</item>
/// <item>ok otherwise.</item>
/// </list>
/// </summary>
public sealed class SiteStatus(LatestValueCache cache, AlertsService alerts, QueryOptions options, TimeProvider time)
{
    private const long CriticalFlags = (long)(ReadingFlags.OutOfRange | ReadingFlags.NoValue | ReadingFlags.SensorFault);
    private const long WarningFlags = (long)(ReadingFlags.Stuck | ReadingFlags.Uncalibrated);

    /// <summary>Open alerts that colour one site and are listed among its reasons, newest first.</summary>
    private const int SiteAlertLimit = 100;

    public bool IsOffline(DeviceState? state)
    {
        if (state is null)
        {
            return true;
        }

        var interval = state.ReportIntervalSeconds > 0 ? Math.Max(state.ReportIntervalSeconds, options.MinReportIntervalSeconds) : options.DefaultReportIntervalSeconds;
        return (time.GetUtcNow() - state.LastSeen).TotalSeconds > options.OfflineAfterIntervals * interval;
    }

    public StatusVerdict Device(string site, string device)
    {
        var state = cache.Device(site, device);
        if (IsOffline(state))
        {
            return new StatusVerdict(HealthStatus.Offline, [state is null ? new StatusReason(StatusReason.NeverHeard) { Device = device } : new StatusReason(StatusReason.Silent) { Device = device, Since = state.LastSeen }]);
        }

        var reasons = new List<StatusReason>();
        var status = Flags(cache.Values(site, device), reasons);
        if (state!.Battery is { } bat && bat > 0 && bat < options.LowBatteryVolts)
        {
            reasons.Add(new StatusReason(StatusReason.BatteryLow) { Device = device, Volts = Math.Round(bat, 2) });
            status = Max(status, HealthStatus.Warning);
        }

        return new StatusVerdict(status, reasons);
    }

    /// <summary>
    /// The open alerts of every site, newest first, in one store read: a site list asks this once rather
    /// than once per site (the alert store is SQLite or PostgreSQL, a round trip each).
    /// </summary>
    public ILookup<string, Alert> OpenAlertsBySite() =>
        (alerts.Started ? alerts.Store.ListActive() : [])
            .Where(a => a.State == AlertStates.Open)
            .OrderByDescending(a => a.DetectedAt)
            .ToLookup(a => a.Site, StringComparer.Ordinal);

    public StatusVerdict Site(string site, IReadOnlyList<string> devices) => Site(site, devices, null);

    /// <summary>A site's verdict; <paramref name="openAlerts"/> from <see cref="OpenAlertsBySite"/>, or null to read this site's alone.</summary>
    public StatusVerdict Site(string site, IReadOnlyList<string> devices, ILookup<string, Alert>? openAlerts)
    {
        if (devices.Count == 0)
        {
            return new StatusVerdict(HealthStatus.Offline, [new StatusReason(StatusReason.NoDevice)]);
        }

        var reasons = new List<StatusReason>();
        var status = HealthStatus.Ok;
        var offline = 0;
        foreach (var d in devices)
        {
            var v = Device(site, d);
            reasons.AddRange(v.Details);
            if (v.Status == HealthStatus.Offline)
            {
                offline++;
            }
            else
            {
                status = Max(status, v.Status);
            }
        }

        if (offline == devices.Count)
        {
            return new StatusVerdict(HealthStatus.Offline, reasons);
        }

        if (offline > 0)
        {
            status = Max(status, HealthStatus.Warning);
        }

        if (alerts.Started)
        {
            var open = openAlerts is null ? alerts.Store.ListAlerts(new AlertQuery(AlertStates.Open, site, Limit: SiteAlertLimit)) : openAlerts[site].Take(SiteAlertLimit);
            foreach (var a in open)
            {
                if (a.Late)
                {
                    // history from backlog data: recorded, never paged, does not colour the site
                    continue;
                }

                var colour = a.Severity switch { "critical" => HealthStatus.Critical, "warning" => HealthStatus.Warning, _ => HealthStatus.Ok };
                if (colour != HealthStatus.Ok)
                {
                    reasons.Add(new StatusReason(StatusReason.Alert) { Device = a.Device.Length > 0 ? a.Device : null, Rule = a.RuleId, RuleName = a.RuleName, Severity = a.Severity });
                    status = Max(status, colour);
                }
            }
        }

        return new StatusVerdict(status, reasons);
    }

    private static HealthStatus Flags(IEnumerable<LatestReading> values, List<StatusReason> reasons)
    {
        var status = HealthStatus.Ok;
        foreach (var v in values)
        {
            if ((v.Flags & CriticalFlags) != 0)
            {
                reasons.Add(FlagReason(v));
                status = HealthStatus.Critical;
            }
            else if ((v.Flags & WarningFlags) != 0)
            {
                reasons.Add(FlagReason(v));
                status = Max(status, HealthStatus.Warning);
            }
        }

        return status;
    }

    // the flag names as ReadingFlags spells them ("OutOfRange, Stuck"): the English line and the codes agree
    private static StatusReason FlagReason(LatestReading v) => new(StatusReason.ReadingFlags)
    {
        Device = v.Device,
        Quantity = v.Quantity,
        Flags = ((ReadingFlags)(v.Flags & 127)).ToString().Split(", "),
    };

    private static HealthStatus Max(HealthStatus a, HealthStatus b) => (HealthStatus)Math.Max((int)a, (int)b);
}
