using System.Text.Encodings.Web;
using System.Text.Json;
using IoTMonitor.Gateway.Alerts.NoticeText;

namespace IoTMonitor.Gateway.Alerts.Channels.WeCom;

/// <summary>
/// Posts alert events to WeCom (企业微信) group robots: <c>POST {webhook}?key=…</c> with a JSON body
/// <c>{"msgtype":"text","text":{"content":…}}</c> (content at most 2048 bytes, UTF-8) or
/// <c>{"msgtype":"markdown","markdown":{"content":…}}</c> (at most 4096 bytes); the reply is
/// <c>{"errcode":0,"errmsg":"ok"}</c> when the message was taken.
/// <list type="bullet">
/// <item>errcode 0: delivered (the receipt is the reply).</item>
/// <item>errcode 45009 (over the frequency limit) or more than <see cref="WeComOptions.RateLimitPerMinute"/>
/// sends counted for the robot in the last minute: deferred (the outbox keeps it pending, due later).</item>
/// <item>errcode -1 (system busy), HTTP 408, 429, 5xx, no JSON reply: retried with the outbox's back-off.</item>
/// <item>any other errcode or HTTP 4xx: refused for good (a wrong key or body; retrying cannot help).</item>
/// </list>
/// Routing: each configured robot gets the events of <see cref="WeComOptions.Events"/>.
/// Facts: WeCom "群机器人配置说明" and the global error codes (docs/references.md, Alerts).
/// </summary>
public sealed class WeComChannel(WeComOptions options, AlertsOptions alerts, IHttpClientFactory http, TimeProvider time) : IAlertChannel
{
    public const string ChannelName = "wecom";

    /// <summary>WeCom's limits on the content of a text and a markdown message, in UTF-8 bytes.</summary>
    public const int TextMaxBytes = 2048;

    public const int MarkdownMaxBytes = 4096;

    /// <summary>WeCom's errcode for an API called more often than allowed.</summary>
    public const int RateLimitedCode = 45009;

    /// <summary>WeCom's errcode for "system busy, retry later".</summary>
    public const int BusyCode = -1;

    // Chinese as UTF-8 characters, not \u escapes: what the robot documentation shows
    private static readonly JsonSerializerOptions BodyJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ChatRobotPost _post = new("WeCom", RateLimitedCode, options.RateLimitPerMinute, options.RateLimitedRetrySeconds, http, time);

    public string Name => ChannelName;

    public IEnumerable<string> Recipients(string type, bool late) =>
        NoticeRouting.ListedTakes(alerts, Name, options.EffectiveEvents, type, late) ? options.Robots.Keys : [];

    /// <summary>The request body for <paramref name="notice"/>.</summary>
    /// <param name="reader">The robot's language and zone (<see cref="NoticeReader.For"/>); null = the channel's.</param>
    public static byte[] Body(WeComOptions options, AlertNotice notice, NoticeReader? reader = null)
    {
        var r = reader ?? new NoticeReader(NoticeLanguage.Normalize(options.Language) ?? NoticeLanguage.Chinese, NoticeZone.Parse(options.TimeZone) ?? NoticeZone.China);
        if (options.MessageType == "markdown")
        {
            var content = ChineseNoticeText.CutUtf8(NoticeWriter.Markdown(notice, r), MarkdownMaxBytes);
            return JsonSerializer.SerializeToUtf8Bytes(new { msgtype = "markdown", markdown = new { content } }, BodyJson);
        }

        var text = ChineseNoticeText.CutUtf8(NoticeWriter.Short(notice, r), TextMaxBytes);
        return JsonSerializer.SerializeToUtf8Bytes(new { msgtype = "text", text = new { content = text } }, BodyJson);
    }

    public async Task<string> SendAsync(OutboxEntry entry, AlertNotice notice, CancellationToken cancellationToken)
    {
        if (!options.Robots.TryGetValue(entry.Recipient, out var robot))
        {
            throw new PermanentDeliveryException($"WeCom robot '{entry.Recipient}' is no longer configured");
        }

        var reader = NoticeReader.For(alerts, entry.Recipient, options.Language, options.TimeZone, NoticeLanguage.Chinese);
        return await _post.SendAsync(entry.Recipient, () => robot.Url, Body(options, notice, reader), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The reply's <c>errcode</c>, or null when the reply is not the documented JSON.</summary>
    public static int? ErrCode(string reply) => ChatRobotPost.ErrCode(reply);
}
