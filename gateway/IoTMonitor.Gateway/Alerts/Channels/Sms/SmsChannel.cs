using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Alerts.NoticeText;

namespace IoTMonitor.Gateway.Alerts.Channels.Sms;

/// <summary>
/// SMS through any HTTP SMS gateway, described by a template: <c>Alerts:Sms:UrlTemplate</c>,
/// <c>Method</c>, <c>BodyTemplate</c>, <c>ContentType</c> and <c>Headers</c>; <c>{to}</c>,
/// <c>{text}</c>, <c>{id}</c> (the outbox key) are replaced, escaped for where they stand.
/// The text is in the recipient's language (<see cref="NoticeLanguage.Choose"/>) with the essential
/// facts in the first segment (<see cref="SmsText"/>); the receipt says how many segments it took.
/// Routing: pages <c>Alerts:Primary:Phones</c> (opened, renotified) and
/// <c>Alerts:Escalation:Phones</c> (escalated); never for a late alert.
/// </summary>
public sealed class SmsChannel(SmsOptions options, AlertsOptions alerts, IHttpClientFactory http) : IAlertChannel
{
    public const string ChannelName = "sms";

    public string Name => ChannelName;

    public IEnumerable<string> Recipients(string type, bool late) =>
        NoticeRouting.PagedList(alerts, type, late, sms: true)?.Phones ?? [];

    public static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>The SMS text for <paramref name="to"/>: in their language, fitted to <see cref="SmsOptions.MaxSegments"/>.</summary>
    public static string Text(SmsOptions options, AlertsOptions alerts, string to, AlertNotice notice) =>
        NoticeWriter.Sms(notice, NoticeReader.For(alerts, to, options.Language, options.TimeZone, alerts.Language), options.MaxLength, options.MaxSegments);

    public static HttpRequestMessage BuildRequest(SmsOptions options, string to, string text, string id)
    {
        text = Cut(text, options.MaxLength);
        string Url(string s) => s.Replace("{to}", Uri.EscapeDataString(to), StringComparison.Ordinal)
            .Replace("{text}", Uri.EscapeDataString(text), StringComparison.Ordinal)
            .Replace("{id}", Uri.EscapeDataString(id), StringComparison.Ordinal);
        var request = new HttpRequestMessage(new HttpMethod(options.Method.ToUpperInvariant()), Url(options.UrlTemplate));
        if (request.Method != HttpMethod.Get)
        {
            var json = options.ContentType.Contains("json", StringComparison.OrdinalIgnoreCase);
            string Json(string s) => JsonEncodedText.Encode(s, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
            var body = json
                ? options.BodyTemplate.Replace("{to}", Json(to), StringComparison.Ordinal).Replace("{text}", Json(text), StringComparison.Ordinal).Replace("{id}", Json(id), StringComparison.Ordinal)
                : Url(options.BodyTemplate);
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(options.ContentType);
        }

        foreach (var (name, value) in options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Idempotency-Key", id);
        return request;
    }

    public async Task<string> SendAsync(OutboxEntry entry, AlertNotice notice, CancellationToken cancellationToken)
    {
        var text = Text(options, alerts, entry.Recipient, notice);
        var parts = SmsSegments.Split(text);
        using var request = BuildRequest(options, entry.Recipient, text, entry.Key);
        using var response = await http.CreateClient(AlertChannels.HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
        var reply = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var code = (int)response.StatusCode;
        var receipt = $"HTTP {code}{(reply.Length > 0 ? " " + reply[..Math.Min(200, reply.Length)] : string.Empty)} ({parts.Count} segment{(parts.Count == 1 ? string.Empty : "s")}, {(parts.Encoding == SmsEncoding.Gsm7 ? "GSM-7" : "UCS-2")})";
        if (response.IsSuccessStatusCode)
        {
            return receipt;
        }

        if (code is 408 or 425 or 429 || code >= 500)
        {
            throw new HttpRequestException(receipt);
        }

        throw new PermanentDeliveryException(receipt);
    }
}
