using IoTMonitor.Gateway.Alerts.Channels.Email;
using IoTMonitor.Gateway.Alerts.Channels.Influx;
using IoTMonitor.Gateway.Alerts.Channels.Mqtt;
using IoTMonitor.Gateway.Alerts.Channels.Sms;
using IoTMonitor.Gateway.Alerts.Channels.Webhook;
using IoTMonitor.Gateway.Model;

namespace IoTMonitor.Gateway.Alerts;

/// <summary>Options of the alert engine and its channels (appsettings section <c>Alerts</c>; every key in docs/alerts.md).</summary>
public sealed class AlertsOptions
{
    public const string Section = "Alerts";

    public bool Enabled { get; set; } = true;

    /// <summary>SQLite file for rules, alert state, evaluation windows and the outbox; relative paths are under <c>Gateway:DataDir</c>.</summary>
    public string DatabasePath { get; set; } = "alerts.db";

    /// <summary>Rule pack seeded into the rules table at start (rules not edited through the API are refreshed from it).</summary>
    public string RulePackPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "Alerts", "RulePacks", "default.json");

    /// <summary>A reading sampled longer ago than this (gateway clock) is history: recorded and reported as late, never paged.</summary>
    public int LiveWindowSeconds { get; set; } = 900;

    /// <summary>
    /// At a graceful stop, how long the engine may keep evaluating what is still queued (readings
    /// already acknowledged to the nodes); what is left after it is logged and counted, not evaluated.
    /// </summary>
    public int StopDrainSeconds { get; set; } = 5;

    /// <summary>How often silence, re-notification and escalation are checked.</summary>
    public int TickSeconds { get; set; } = 5;

    /// <summary>Re-notify the primary contacts when an open alert is not acknowledged within this time (0 = never).</summary>
    public int RenotifyMinutes { get; set; } = 30;

    /// <summary>At most this many re-notifications per alert.</summary>
    public int MaxRenotifications { get; set; } = 3;

    /// <summary>Notify the escalation contacts when an open alert is not acknowledged within this time (0 = never).</summary>
    public int EscalateMinutes { get; set; } = 60;

    /// <summary>An alert raised again within this time of its resolution reopens (no new page); its resolved notice waits this long.</summary>
    public int FlapWindowSeconds { get; set; } = 600;

    /// <summary>Reopenings within the flap window after which the alert is marked flapping (one notice, then silence until it settles).</summary>
    public int FlapThreshold { get; set; } = 3;

    /// <summary>Channels that receive late (history) alerts; empty = webhook, mqtt, influx. The paging channels email and sms are never used for them.</summary>
    public List<string> LateChannels { get; set; } = [];

    internal IReadOnlyList<string> EffectiveLateChannels => LateChannels.Count > 0 ? LateChannels : ["webhook", "mqtt", "influx"];

    /// <summary>
    /// The language of notices to people (e-mail, SMS) and of the localized text of webhook and MQTT
    /// events, unless a channel's <c>Language</c> or <see cref="RecipientLanguages"/> says otherwise:
    /// <c>zh-CN</c> (default; the users are Chinese agencies) or <c>en</c>.
    /// </summary>
    public string Language { get; set; } = NoticeText.NoticeLanguage.Chinese;

    /// <summary>A recipient's own language, by e-mail address, phone number or robot name (wins over the channel's).</summary>
    public Dictionary<string, string> RecipientLanguages { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The time zone notice times are written in, named beside them, unless a channel's <c>TimeZone</c> or
    /// <see cref="RecipientTimeZones"/> says otherwise: <c>Asia/Shanghai</c> (UTC+8, default), <c>UTC</c>, a
    /// fixed offset such as <c>UTC+6</c>, or an IANA zone id (<see cref="NoticeText.NoticeZone"/>).
    /// </summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>A recipient's own time zone, by e-mail address, phone number or robot name (wins over the channel's).</summary>
    public Dictionary<string, string> RecipientTimeZones { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public ContactList Primary { get; set; } = new();

    public ContactList Escalation { get; set; } = new();

    /// <summary>
    /// Optional per-site overrides of the registry's site profile (<c>PUT /api/v1/sites/{site}</c>), by site id:
    /// a field set here wins over the profile's, an empty one leaves the profile's. Sites need no entry.
    /// </summary>
    public Dictionary<string, SiteInfo> Sites { get; set; } = new(StringComparer.Ordinal);

    public OutboxOptions Outbox { get; set; } = new();

    // The channels bound from their original keys (Alerts:Webhook, ...); each channel's folder binds
    // Alerts:Channels:{Name} over them and owns their validation (Channels/AlertChannels.cs).
    public WebhookOptions Webhook { get; set; } = new();

    public EmailOptions Email { get; set; } = new();

    public SmsOptions Sms { get; set; } = new();

    public AlertMqttOptions Mqtt { get; set; } = new();

    public AlertInfluxOptions Influx { get; set; } = new();

    /// <summary>Evaluator leases when replicas share PostgreSQL (State:Provider = postgres; docs/alerts.md "Replicas").</summary>
    public LeaseOptions Lease { get; set; } = new();

    /// <summary>Flash-flood warnings per site (FlashFlood/, docs/alerts.md "Flash-flood warnings").</summary>
    public FlashFlood.FlashFloodOptions FlashFlood { get; set; } = new();

    internal IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            yield return "Alerts:DatabasePath must be set";
        }

        if (LiveWindowSeconds < 1)
        {
            yield return "Alerts:LiveWindowSeconds must be ≥ 1";
        }

        if (StopDrainSeconds is < 0 or > 300 || Outbox.StopGraceSeconds is < 0 or > 300)
        {
            yield return "Alerts:StopDrainSeconds and Alerts:Outbox:StopGraceSeconds must be 0–300";
        }

        if (TickSeconds is < 1 or > 3600)
        {
            yield return "Alerts:TickSeconds must be 1–3600";
        }

        if (RenotifyMinutes < 0 || EscalateMinutes < 0 || MaxRenotifications < 0)
        {
            yield return "Alerts:RenotifyMinutes, Alerts:EscalateMinutes and Alerts:MaxRenotifications must be ≥ 0";
        }

        if (FlapWindowSeconds < 0 || FlapThreshold < 1)
        {
            yield return "Alerts:FlapWindowSeconds must be ≥ 0 and Alerts:FlapThreshold ≥ 1";
        }

        foreach (var c in LateChannels)
        {
            if (c is "email" or "sms")
            {
                yield return $"Alerts:LateChannels must not name '{c}': late alerts never page";
            }
        }

        foreach (var problem in NoticeText.NoticeLanguage.Check("Alerts:Language", Language, optional: false)
            .Concat(RecipientLanguages.SelectMany(r => NoticeText.NoticeLanguage.Check($"Alerts:RecipientLanguages:{r.Key}", r.Value, optional: false)))
            .Concat(NoticeText.NoticeZone.Check("Alerts:TimeZone", TimeZone, optional: false))
            .Concat(RecipientTimeZones.SelectMany(r => NoticeText.NoticeZone.Check($"Alerts:RecipientTimeZones:{r.Key}", r.Value, optional: false))))
        {
            yield return problem;
        }

        foreach (var (id, site) in Sites)
        {
            // the same checks as PUT /api/v1/sites/{site}: one vocabulary of site types
            var problem = Registry.SiteProfiles.Check(site.Latitude, site.Longitude, site.Basin.Length > 0 ? site.Basin : null, site.Type.Length > 0 ? site.Type : null);
            if (problem is not null)
            {
                yield return $"Alerts:Sites:{id}: {problem}";
            }
        }

        foreach (var problem in FlashFlood.Validate())
        {
            yield return problem;
        }

        foreach (var problem in Lease.Validate())
        {
            yield return problem;
        }

        if (Outbox.MaxAttempts < 1 || Outbox.RetryInitialMs < 1 || Outbox.RetryMaxMs < Outbox.RetryInitialMs)
        {
            yield return "Alerts:Outbox:MaxAttempts must be ≥ 1 and 1 ≤ RetryInitialMs ≤ RetryMaxMs";
        }
    }
}

/// <summary>Who gets paged: e-mail addresses and phone numbers (E.164).</summary>
public sealed class ContactList
{
    public List<string> Emails { get; set; } = [];

    public List<string> Phones { get; set; } = [];
}

public sealed class OutboxOptions
{
    /// <summary>Attempts per notification before it is marked failed.</summary>
    public int MaxAttempts { get; set; } = 12;

    public int RetryInitialMs { get; set; } = 500;

    public int RetryMaxMs { get; set; } = 300_000;

    /// <summary>How often the dispatcher polls when idle (it is also woken by every new notification).</summary>
    public int PollMs { get; set; } = 1000;

    public int TimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// At a graceful stop (after the engine's drain), how long the dispatcher may keep delivering what
    /// is due: deliveries in flight finish instead of being cut (a cut one is resent after the restart).
    /// </summary>
    public int StopGraceSeconds { get; set; } = 5;
}

/// <summary>
/// The partition leases of replicas sharing PostgreSQL (<c>Alerts:Lease</c>). A replica that dies is
/// replaced as evaluator of its sites within <see cref="Seconds"/> plus one <see cref="RenewMs"/>; one
/// that stops releases its leases, and another takes them within one <see cref="RenewMs"/>; one that
/// joins gets its share from the others within a few rounds (<see cref="Balance"/>).
/// </summary>
public sealed class LeaseOptions
{
    /// <summary>How long a lease lasts without renewal.</summary>
    public int Seconds { get; set; } = 10;

    /// <summary>How often a replica renews its leases and takes free ones.</summary>
    public int RenewMs { get; set; } = 2000;

    /// <summary>
    /// How often a replica looks for readings another replica handed to it (batches of its sites consumed
    /// elsewhere): the most a handed-off reading's alert waits beyond a direct one's. One indexed query of
    /// ids per round; only new rows are read in full.
    /// </summary>
    public int HandOffPollMs { get; set; } = 250;

    /// <summary>
    /// Whether the replicas share the partitions evenly: each registers in <c>lease_members</c>, and one
    /// holding more than its fair share hands the surplus over (after its last commit of those sites), so
    /// a replica that joins evaluates its share within a few rounds. Off: a held partition stays with its
    /// replica until it stops or dies (an active/standby pair: the standby evaluates nothing while the
    /// active one lives).
    /// </summary>
    public bool Balance { get; set; } = true;

    /// <summary>This gateway's name among the replicas (lease holder, counters); empty: host name, process id and a random suffix.</summary>
    public string Replica { get; set; } = string.Empty;

    internal string EffectiveReplica { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    internal string Name => Replica.Length > 0 ? Replica : EffectiveReplica;

    internal IEnumerable<string> Validate()
    {
        if (Seconds is < 2 or > 600)
        {
            yield return "Alerts:Lease:Seconds must be 2–600";
        }
        else if (RenewMs < 100 || RenewMs * 3 > Seconds * 1000)
        {
            yield return "Alerts:Lease:RenewMs must be ≥ 100 and at most a third of Alerts:Lease:Seconds (a lease is renewed well before it ends)";
        }

        if (HandOffPollMs is < 50 or > 10000)
        {
            yield return "Alerts:Lease:HandOffPollMs must be 50–10000";
        }
    }
}
