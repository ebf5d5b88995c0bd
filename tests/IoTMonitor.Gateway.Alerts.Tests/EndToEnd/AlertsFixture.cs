using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

/// <summary>One real influxd for the end-to-end alert tests (each test starts its own gateway, SMTP server and webhook receiver).</summary>
[CollectionDefinition(Name)]
public sealed class AlertsCollection : ICollectionFixture<InfluxDbFixture>
{
    public const string Name = "alerts-e2e";
}

internal static class Packs
{
    public const string WebhookSecret = "webhook-secret-0123456789";

    /// <summary>A rule pack for the tests: level above 3.5 m (hysteresis 0.1 m) and silence after K = 3 missed reports.</summary>
    public const string Test = """
        {"name":"test","rules":[
          {"id":"level.high","name":"Water level above warning stage","kind":"threshold","quantity":"water.level","severity":"critical",
           "above":3.5,"hysteresis":0.1,"source":"site-specific (test)","action":"Warn people downstream"},
          {"id":"node.silent","name":"Node silent","kind":"silence","severity":"warning","missedReports":3,"graceSeconds":1,"windowSeconds":2,
           "source":"docs/protocol.md §5","action":"Check the node"}
        ]}
        """;

    /// <summary>
    /// The level rule alone, for tests that count every notification: on a loaded machine a slow test
    /// outlives the silence rule's 2-second window and would add a (correct) silence alert to the count.
    /// </summary>
    public const string LevelOnly = """
        {"name":"test-level","rules":[
          {"id":"level.high","name":"Water level above warning stage","kind":"threshold","quantity":"water.level","severity":"critical",
           "above":3.5,"hysteresis":0.1,"source":"site-specific (test)","action":"Warn people downstream"}
        ]}
        """;

    public static Dictionary<string, string> Settings(string webhookUrl, int smtpPort, Dictionary<string, string>? extra = null)
    {
        var s = new Dictionary<string, string>
        {
            ["Alerts:Webhook:Urls:0"] = webhookUrl,
            ["Alerts:Webhook:Secret"] = WebhookSecret,
            ["Alerts:Email:Host"] = "127.0.0.1",
            ["Alerts:Email:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:Email:Security"] = "None",
            ["Alerts:Email:From"] = "iotmonitor@example.org",
            ["Alerts:Email:Language"] = "en", // these tests read the English e-mail; Localized_Notices_Tests reads the Chinese default
            ["Alerts:Primary:Emails:0"] = "duty@example.org",
            ["Alerts:Sites:river-1:Name"] = "Qingshui bridge",
            ["Alerts:Sites:river-1:Type"] = "river",
            ["Alerts:Sites:river-1:Basin"] = "Huai",
            ["Alerts:Sites:river-1:Latitude"] = "32.05",
            ["Alerts:Sites:river-1:Longitude"] = "118.79",
        };
        foreach (var (k, v) in extra ?? [])
        {
            s[k] = v;
        }

        return s;
    }
}
