using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Alerts.NoticeText;

namespace IoTMonitor.Gateway.Alerts.Channels.Webhook;

/// <summary>
/// JSON POST to each configured URL. Headers: <c>Idempotency-Key</c> (the outbox key, the same on
/// every retry), <c>X-IoTMonitor-Event</c> (event id), <c>X-IoTMonitor-Timestamp</c> (Unix s) and,
/// with a secret, <c>X-IoTMonitor-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))</c>.
/// Body: the historic fields (<c>subject</c>, <c>text</c>, <c>shortText</c> in English) plus <c>lang</c>
/// and <c>localized</c> (<c>subject</c>, <c>text</c>, <c>shortText</c> in that language).
/// 2xx = delivered; 408, 425, 429 and 5xx are retried; other 4xx fail for good.
/// Routing: every configured URL gets every event but <c>reopened</c> (late ones if
/// <c>Alerts:LateChannels</c> names <c>webhook</c>, the default).
/// </summary>
public sealed class WebhookChannel(WebhookOptions options, AlertsOptions alerts, IHttpClientFactory http, TimeProvider time) : IAlertChannel
{
    public const string ChannelName = "webhook";

    public string Name => ChannelName;

    public IEnumerable<string> Recipients(string type, bool late) =>
        NoticeRouting.MachineTakes(alerts, Name, type, late) ? options.Urls : [];

    public static byte[] Body(OutboxEntry entry, AlertNotice notice, NoticeReader reader) => JsonSerializer.SerializeToUtf8Bytes(
        new
        {
            id = notice.EventId,
            idempotencyKey = entry.Key,
            type = notice.Type,
            alert = notice,
            subject = notice.Subject(),
            text = notice.Text(),
            shortText = notice.ShortText(),
            lang = reader.Language,
            timeZone = reader.Zone.Label(notice.At),
            localized = new
            {
                subject = NoticeWriter.Subject(notice, reader),
                text = NoticeWriter.Body(notice, reader),
                shortText = NoticeWriter.Short(notice, reader),
            },
        },
        AlertRule.Json);

    public static string Sign(string secret, string timestamp, byte[] body)
    {
        var data = new byte[timestamp.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(timestamp, data);
        data[timestamp.Length] = (byte)'.';
        body.CopyTo(data, timestamp.Length + 1);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data));
    }

    public async Task<string> SendAsync(OutboxEntry entry, AlertNotice notice, CancellationToken cancellationToken)
    {
        var body = Body(entry, notice, NoticeReader.For(alerts, entry.Recipient, options.Language, options.TimeZone, alerts.Language));
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, entry.Recipient) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("Idempotency-Key", entry.Key);
        request.Headers.Add("X-IoTMonitor-Event", notice.EventId);
        request.Headers.Add("X-IoTMonitor-Timestamp", timestamp);
        if (options.Secret.Length > 0)
        {
            request.Headers.Add("X-IoTMonitor-Signature", Sign(options.Secret, timestamp, body));
        }

        using var response = await http.CreateClient(AlertChannels.HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var code = (int)response.StatusCode;
        var receipt = $"HTTP {code}{(text.Length > 0 ? " " + text[..Math.Min(200, text.Length)] : string.Empty)}";
        if (response.IsSuccessStatusCode)
        {
            return receipt;
        }

        if (code is 408 or 425 or 429 || code >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
        {
            throw new HttpRequestException(receipt);
        }

        throw new PermanentDeliveryException(receipt);
    }
}
