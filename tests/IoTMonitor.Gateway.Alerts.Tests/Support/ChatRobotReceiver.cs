using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Alerts.Tests.Support;

/// <summary>One robot message as received, with the reply it got.</summary>
public sealed record RobotCall(string MsgType, string Content, string Body, int ErrCode, IReadOnlyList<string> Violations)
{
    public bool Accepted => ErrCode == 0;
}

/// <summary>
/// A chat robot's webhook as the vendors document it, on a free loopback port (HttpListener):
/// <list type="bullet">
/// <item><see cref="Kind.WeCom"/>: <c>POST /cgi-bin/webhook/send?key=…</c>, JSON
/// <c>{"msgtype":"text","text":{"content"}}</c> (content ≤ 2048 UTF-8 bytes) or
/// <c>{"msgtype":"markdown","markdown":{"content"}}</c> (≤ 4096 bytes); replies
/// <c>{"errcode":0,"errmsg":"ok"}</c>, or 45009 when scripted to be over the frequency limit.</item>
/// <item><see cref="Kind.DingTalk"/>: <c>POST /robot/send?access_token=…</c>, JSON text
/// (<c>text.content</c>) or markdown (<c>markdown.title</c>, <c>markdown.text</c>); with a secret the
/// query must carry <c>timestamp</c> (ms, within one hour of now) and <c>sign</c> =
/// URL-encoded Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), recomputed here; a wrong one
/// is answered with errcode 310000, a scripted rate limit with 130101.</item>
/// </list>
/// A request that breaks the documented format is recorded with its violations (tests assert there
/// are none) and answered with a non-zero errcode: WeCom's 40008 (不合法的msgtype参数, global error
/// codes); for DingTalk 40035, a stand-in (no DingTalk page read lists the code for a malformed
/// body), which the gateway can only take as a refusal.
/// The port is reserved at construction; <see cref="Start"/> may come later (receiver down at first).
/// </summary>
public sealed class ChatRobotReceiver : IDisposable
{
    public enum Kind
    {
        WeCom,
        DingTalk,
    }

    private readonly HttpListener _listener = new();
    private readonly Kind _kind;
    private readonly string _token;
    private readonly string? _secret;
    private readonly Queue<int> _script = new();
    private readonly List<RobotCall> _calls = [];
    private Task? _loop;

    /// <param name="token">WeCom: the key; DingTalk: the access_token.</param>
    /// <param name="secret">DingTalk's signing secret (null: unsigned robot).</param>
    public ChatRobotReceiver(Kind kind, string token, string? secret = null)
    {
        _kind = kind;
        _token = token;
        _secret = secret;
        var port = FreePort.Next();
        var path = kind == Kind.WeCom ? "/cgi-bin/webhook/send" : "/robot/send";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}{path}/");
        Url = kind == Kind.WeCom
            ? $"http://127.0.0.1:{port}{path}?key={Uri.EscapeDataString(token)}"
            : $"http://127.0.0.1:{port}{path}?access_token={Uri.EscapeDataString(token)}";
    }

    /// <summary>The robot's webhook address, as the vendor shows it (key or access_token included).</summary>
    public string Url { get; }

    public IReadOnlyList<RobotCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return _calls.ToList();
            }
        }
    }

    public IReadOnlyList<RobotCall> Accepted => Calls.Where(c => c.Accepted).ToList();

    /// <summary>The next requests get these errcodes (e.g. the rate limit) instead of 0, in order.</summary>
    public void Script(params int[] errcodes)
    {
        lock (_script)
        {
            foreach (var e in errcodes)
            {
                _script.Enqueue(e);
            }
        }
    }

    public void Start()
    {
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync().ConfigureAwait(false);
            var violations = new List<string>();
            var (msgType, content) = Check(ctx.Request, body, violations);
            int errcode;
            string errmsg;
            if (_kind == Kind.DingTalk && _secret is not null && !SignatureValid(ctx.Request, violations))
            {
                (errcode, errmsg) = (310000, "sign not match");
            }
            else if (violations.Count > 0)
            {
                (errcode, errmsg) = _kind == Kind.WeCom ? (40008, "invalid message type") : (40035, "missing parameter");
            }
            else
            {
                lock (_script)
                {
                    errcode = _script.Count > 0 ? _script.Dequeue() : 0;
                }

                errmsg = errcode switch
                {
                    0 => "ok",
                    45009 => "api freq out of limit",
                    130101 => "send too fast, exceed 20 times per minute",
                    _ => "error",
                };
            }

            lock (_calls)
            {
                _calls.Add(new RobotCall(msgType, content, body, errcode, violations));
            }

            // written in full before the close (not Close(bytes, willBlock: false), which may still be
            // writing when a test that already has its reply disposes the receiver)
            var reply = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { errcode, errmsg }));
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            ctx.Response.ContentLength64 = reply.Length;
            await ctx.Response.OutputStream.WriteAsync(reply).ConfigureAwait(false);
            ctx.Response.Close();
        }
    }

    private (string MsgType, string Content) Check(HttpListenerRequest request, string body, List<string> violations)
    {
        if (request.HttpMethod != "POST")
        {
            violations.Add($"method {request.HttpMethod}, not POST");
        }

        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            violations.Add($"content type '{request.ContentType}', not application/json");
        }

        var tokenName = _kind == Kind.WeCom ? "key" : "access_token";
        if (request.QueryString[tokenName] != _token)
        {
            violations.Add($"{tokenName} '{request.QueryString[tokenName]}' is not the robot's");
        }

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException e)
        {
            violations.Add("body is not JSON: " + e.Message);
            return (string.Empty, string.Empty);
        }

        var msgType = root.TryGetProperty("msgtype", out var t) ? t.GetString() ?? string.Empty : string.Empty;
        string? content = null;
        var max = 2048;
        switch (msgType)
        {
            case "text":
                content = String(root, "text", "content");
                break;
            case "markdown" when _kind == Kind.WeCom:
                content = String(root, "markdown", "content");
                max = 4096;
                break;
            case "markdown":
                content = String(root, "markdown", "text");
                if (string.IsNullOrEmpty(String(root, "markdown", "title")))
                {
                    violations.Add("markdown.title missing");
                }

                break;
            default:
                violations.Add($"msgtype '{msgType}' is not text or markdown");
                break;
        }

        if (string.IsNullOrEmpty(content))
        {
            violations.Add("no content");
        }
        else if (Encoding.UTF8.GetByteCount(content) > max)
        {
            violations.Add($"content is {Encoding.UTF8.GetByteCount(content)} bytes, over {max}");
        }

        return (msgType, content ?? string.Empty);
    }

    private static string? String(JsonElement root, string outer, string inner) =>
        root.TryGetProperty(outer, out var o) && o.ValueKind == JsonValueKind.Object && o.TryGetProperty(inner, out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;

    /// <summary>DingTalk's check, recomputed independently of the gateway's code.</summary>
    private bool SignatureValid(HttpListenerRequest request, List<string> violations)
    {
        var timestamp = request.QueryString["timestamp"];
        var sign = request.QueryString["sign"]; // HttpListener URL-decodes query values
        if (timestamp is null || sign is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            violations.Add("timestamp or sign missing");
            return false;
        }

        if (Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - ms) > 3_600_000)
        {
            violations.Add($"timestamp {ms} is more than an hour off");
            return false;
        }

        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(_secret!));
        var expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{timestamp}\n{_secret}")));
        if (sign != expected)
        {
            violations.Add($"sign '{sign}' is not '{expected}'");
            return false;
        }

        return true;
    }

    public void Dispose()
    {
        if (_listener.IsListening)
        {
            _listener.Stop();
        }

        _listener.Close();
        _loop?.Wait(TimeSpan.FromSeconds(5));
    }
}
