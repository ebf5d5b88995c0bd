using System.Net.Http.Headers;
using System.Text.Json;

namespace IoTMonitor.Gateway.Alerts.Channels;

/// <summary>
/// What the WeCom and DingTalk group-robot channels share: our count of the robot's documented send
/// limit (<see cref="SendRateWindow"/>), one JSON POST, and the reading of the <c>{"errcode":…}</c>
/// reply both products send. 0: delivered (the receipt is the reply); the product's rate-limit code
/// or our count full: deferred; -1 (system busy), HTTP 408, 429, 5xx or no JSON reply: retried with
/// the outbox's back-off; any other errcode or HTTP 4xx: refused for good (retrying cannot help).
/// Each channel keeps its own body, address and signing.
/// </summary>
public sealed class ChatRobotPost(string product, int rateLimitedCode, int perMinute, int rateLimitedRetrySeconds, IHttpClientFactory http, TimeProvider time)
{
    /// <summary>The errcode both products use for "system busy, retry later".</summary>
    public const int BusyCode = -1;

    private readonly SendRateWindow _window = new(perMinute, TimeSpan.FromMinutes(1), time);

    /// <summary>Posts <paramref name="body"/> for robot <paramref name="robot"/> to <paramref name="address"/> (built only when a send slot is free).</summary>
    public async Task<string> SendAsync(string robot, Func<string> address, byte[] body, CancellationToken cancellationToken)
    {
        if (!_window.TryTake(robot, out var wait))
        {
            throw new DeliveryDeferredException($"{product} robot '{robot}': {perMinute} messages in the last minute", wait);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, address()) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var response = await http.CreateClient(AlertChannels.HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var code = (int)response.StatusCode;
        var reply = $"HTTP {code} {text[..Math.Min(200, text.Length)]}";
        if (!response.IsSuccessStatusCode)
        {
            throw code is 408 or 429 || code >= 500 ? new HttpRequestException(reply) : new PermanentDeliveryException(reply);
        }

        var errcode = ErrCode(text) ?? throw new HttpRequestException($"{reply} (no errcode in the reply)");
        if (errcode == 0)
        {
            return reply;
        }

        if (errcode == rateLimitedCode)
        {
            var penalty = TimeSpan.FromSeconds(rateLimitedRetrySeconds);
            _window.Fill(robot, penalty);
            throw new DeliveryDeferredException($"{product} robot '{robot}' rate-limited: {reply}", penalty);
        }

        throw errcode == BusyCode ? new HttpRequestException(reply) : new PermanentDeliveryException(reply);
    }

    /// <summary>The reply's <c>errcode</c>, or null when the reply is not the documented JSON.</summary>
    public static int? ErrCode(string reply)
    {
        try
        {
            using var doc = JsonDocument.Parse(reply);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("errcode", out var e) && e.TryGetInt32(out var v) ? v : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
