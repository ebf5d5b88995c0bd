using System.Globalization;
using System.Text;
using IoTMonitor.Gateway.Storage;

namespace IoTMonitor.Gateway.Alerts.Channels.Influx;

/// <summary>
/// Writes every alert event as one point of measurement <c>alerts</c> (Storage:Url, Storage:Database):
/// tags <c>device, event, rule, severity, site</c>; fields <c>alert_id, event_id, late, quantity,
/// value, text</c>; time = event time in ms. Sent through the gateway's one <see cref="InfluxConnection"/>
/// (server, bucket and token of <c>Storage:*</c>; 1.6/1.7 through its v1 write compatibility), escaped
/// by <see cref="LineProtocol"/>.
/// Routing: every event, <c>reopened</c> included (the history keeps every change); late ones if
/// <c>Alerts:LateChannels</c> names <c>influx</c> (the default).
/// </summary>
public sealed class InfluxChannel : IAlertChannel, IDisposable
{
    public const string ChannelName = "influx";

    private readonly AlertInfluxOptions _options;
    private readonly AlertsOptions _alerts;
    private readonly InfluxConnection _connection;
    private readonly HttpClient _http;

    public InfluxChannel(AlertInfluxOptions options, AlertsOptions alerts, InfluxConnection connection, int timeoutSeconds)
    {
        _options = options;
        _alerts = alerts;
        _connection = connection;
        _http = connection.CreateHttpClient(TimeSpan.FromSeconds(timeoutSeconds));
    }

    public string Name => ChannelName;

    public IEnumerable<string> Recipients(string type, bool late) =>
        !NoticeRouting.IsLate(type, late) || _alerts.EffectiveLateChannels.Contains(Name) ? [_options.Measurement] : [];

    public static string Line(string measurement, AlertNotice n)
    {
        static string Tag(string s) => LineProtocol.Escape(s, tagLike: true);
        static string Str(string s) => LineProtocol.Quote(s);
        var b = new StringBuilder(256);
        b.Append(LineProtocol.Escape(measurement, tagLike: false));
        b.Append(",device=").Append(Tag(n.Device.Length > 0 ? n.Device : "-"));
        b.Append(",event=").Append(Tag(n.Type));
        b.Append(",rule=").Append(Tag(n.RuleId));
        b.Append(",severity=").Append(Tag(n.Severity));
        b.Append(",site=").Append(Tag(n.Site));
        b.Append(" alert_id=").Append(Str(n.AlertId));
        b.Append(",event_id=").Append(Str(n.EventId));
        b.Append(",late=").Append(n.Late ? "true" : "false");
        b.Append(",quantity=").Append(Str(n.Quantity ?? string.Empty));
        if (n.Value is { } v && double.IsFinite(v))
        {
            b.Append(",value=").Append(v.ToString("R", CultureInfo.InvariantCulture));
        }

        b.Append(",text=").Append(Str(n.ShortText()));
        b.Append(' ').Append(n.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        return b.ToString();
    }

    public async Task<string> SendAsync(OutboxEntry entry, AlertNotice notice, CancellationToken cancellationToken)
    {
        using var request = _connection.WriteRequest(Line(entry.Recipient, notice), "ms");

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var code = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return $"HTTP {code}";
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw code is 400 or 422 ? new PermanentDeliveryException($"HTTP {code} {text}") : new HttpRequestException($"HTTP {code} {text}");
    }

    public void Dispose() => _http.Dispose();
}
