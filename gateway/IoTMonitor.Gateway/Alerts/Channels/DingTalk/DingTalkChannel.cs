using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using IoTMonitor.Gateway.Alerts.NoticeText;

namespace IoTMonitor.Gateway.Alerts.Channels.DingTalk;

/// <summary>
/// Posts alert events to DingTalk (钉钉) custom robots: <c>POST {webhook}?access_token=…</c> with a
/// JSON body <c>{"msgtype":"text","text":{"content":…}}</c> or
/// <c>{"msgtype":"markdown","markdown":{"title":…,"text":…}}</c>, UTF-8. A robot with a secret
/// (the 加签 security setting) signs each request: <c>timestamp</c> = now in Unix ms,
/// <c>sign</c> = URL-encoded Base64 of HMAC-SHA256(key = secret, data = timestamp + "\n" + secret),
/// appended as <c>&amp;timestamp=…&amp;sign=…</c>; DingTalk refuses a timestamp more than an hour off.
/// <list type="bullet">
/// <item>errcode 0: delivered (the receipt is the reply).</item>
/// <item>errcode 130101 (sending too fast; DingTalk then throttles the robot for 10 minutes) or more than
/// <see cref="DingTalkOptions.RateLimitPerMinute"/> sends counted for the robot in the last minute: deferred.</item>
/// <item>errcode -1 (system busy), HTTP 408, 429, 5xx, no JSON reply: retried with the outbox's back-off.</item>
/// <item>any other errcode (e.g. 310000: signature, keyword or IP check failed; 300001: bad token) or HTTP 4xx: refused for good.</item>
/// </list>
/// Routing: each configured robot gets the events of <see cref="DingTalkOptions.Events"/>.
/// Facts: DingTalk "自定义机器人接入" and "自定义机器人安全设置" (docs/references.md, Alerts).
/// </summary>
public sealed class DingTalkChannel(DingTalkOptions options, AlertsOptions alerts, IHttpClientFactory http, TimeProvider time) : IAlertChannel
{
    public const string ChannelName = "dingtalk";

    /// <summary>DingTalk's errcode for a robot sending more than 20 messages a minute.</summary>
    public const int RateLimitedCode = 130101;

    /// <summary>Kept under WeCom's 2048-byte text limit too: a chat message is read on a phone.</summary>
    public const int MaxBytes = 2048;

    private static readonly JsonSerializerOptions BodyJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ChatRobotPost _post = new("DingTalk", RateLimitedCode, options.RateLimitPerMinute, options.RateLimitedRetrySeconds, http, time);

    public string Name => ChannelName;

    public IEnumerable<string> Recipients(string type, bool late) =>
        NoticeRouting.ListedTakes(alerts, Name, options.EffectiveEvents, type, late) ? options.Robots.Keys : [];

    /// <summary>The signature of DingTalk's signed mode for <paramref name="timestampMs"/> (not yet URL-encoded).</summary>
    public static string Sign(string secret, long timestampMs)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        var data = Encoding.UTF8.GetBytes(timestampMs.ToString(CultureInfo.InvariantCulture) + "\n" + secret);
        return Convert.ToBase64String(HMACSHA256.HashData(key, data));
    }

    /// <summary>The address to post to: the robot's, signed when it has a secret.</summary>
    public static string Address(DingTalkRobot robot, DateTimeOffset now)
    {
        if (robot.Secret.Length == 0)
        {
            return robot.Url;
        }

        var ts = now.ToUnixTimeMilliseconds();
        return $"{robot.Url}&timestamp={ts.ToString(CultureInfo.InvariantCulture)}&sign={Uri.EscapeDataString(Sign(robot.Secret, ts))}";
    }

    /// <param name="reader">The robot's language and zone (<see cref="NoticeReader.For"/>); null = the channel's.</param>
    public static byte[] Body(DingTalkOptions options, AlertNotice notice, NoticeReader? reader = null)
    {
        var r = reader ?? new NoticeReader(NoticeLanguage.Normalize(options.Language) ?? NoticeLanguage.Chinese, NoticeZone.Parse(options.TimeZone) ?? NoticeZone.China);
        if (options.MessageType == "markdown")
        {
            var title = NoticeWriter.Title(notice, r);
            var text = ChineseNoticeText.CutUtf8(NoticeWriter.Markdown(notice, r), MaxBytes);
            return JsonSerializer.SerializeToUtf8Bytes(new { msgtype = "markdown", markdown = new { title, text } }, BodyJson);
        }

        var content = ChineseNoticeText.CutUtf8(NoticeWriter.Short(notice, r), MaxBytes);
        return JsonSerializer.SerializeToUtf8Bytes(new { msgtype = "text", text = new { content } }, BodyJson);
    }

    public async Task<string> SendAsync(OutboxEntry entry, AlertNotice notice, CancellationToken cancellationToken)
    {
        if (!options.Robots.TryGetValue(entry.Recipient, out var robot))
        {
            throw new PermanentDeliveryException($"DingTalk robot '{entry.Recipient}' is no longer configured");
        }

        var reader = NoticeReader.For(alerts, entry.Recipient, options.Language, options.TimeZone, NoticeLanguage.Chinese);
        return await _post.SendAsync(entry.Recipient, () => Address(robot, time.GetUtcNow()), Body(options, notice, reader), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The reply's <c>errcode</c>, or null when the reply is not the documented JSON.</summary>
    public static int? ErrCode(string reply) => ChatRobotPost.ErrCode(reply);
}
