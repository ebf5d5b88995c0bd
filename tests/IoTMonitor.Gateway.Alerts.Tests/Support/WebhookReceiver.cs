using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Channels.Webhook;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Alerts.Tests.Support;

/// <summary>One webhook request as received.</summary>
public sealed record WebhookCall(string IdempotencyKey, string EventId, string Type, bool Late, string AlertId, string Body, bool SignatureValid, long ReceivedTicks)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A real HTTP receiver (HttpListener) on a free loopback port: records every POST, checks the
/// HMAC signature, answers 200. The port is reserved at construction; <see cref="Start"/> may come
/// later, so a test can have the receiver down at first.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _secret;
    private readonly List<WebhookCall> _calls = [];
    private Task? _loop;

    public WebhookReceiver(string secret)
    {
        _secret = secret;
        Port = FreePort.Next();
        Url = $"http://127.0.0.1:{Port}/hook/";
        _listener.Prefixes.Add(Url);
    }

    public int Port { get; }

    public string Url { get; }

    /// <summary>Raised on every call, on the receiver's thread.</summary>
    public event Action<WebhookCall>? Received;

    /// <summary>
    /// Awaited after a call is recorded and before it is answered (a slow receiver, or one that never
    /// answers a sender that dies meanwhile); calls are served one at a time, so later ones wait too.
    /// </summary>
    public Func<WebhookCall, Task>? BeforeAnswer { get; set; }

    public IReadOnlyList<WebhookCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return _calls.ToList();
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

            var ticks = Stopwatch.GetTimestamp();
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync().ConfigureAwait(false);
            var bytes = Encoding.UTF8.GetBytes(body);
            var timestamp = ctx.Request.Headers["X-IoTMonitor-Timestamp"] ?? string.Empty;
            var signature = ctx.Request.Headers["X-IoTMonitor-Signature"] ?? string.Empty;
            var valid = signature == WebhookChannel.Sign(_secret, timestamp, bytes);
            var root = JsonDocument.Parse(body).RootElement;
            var alert = root.GetProperty("alert");
            var call = new WebhookCall(
                ctx.Request.Headers["Idempotency-Key"] ?? string.Empty,
                ctx.Request.Headers["X-IoTMonitor-Event"] ?? string.Empty,
                root.GetProperty("type").GetString()!,
                alert.GetProperty("late").GetBoolean(),
                alert.GetProperty("alertId").GetString()!,
                body,
                valid,
                ticks);
            lock (_calls)
            {
                _calls.Add(call);
            }

            Received?.Invoke(call);
            if (BeforeAnswer is { } hold)
            {
                await hold(call).ConfigureAwait(false);
            }

            // written in full before the close: the sender has the whole reply before a test can dispose the receiver
            var reply = Encoding.UTF8.GetBytes("ok " + call.EventId);
            try
            {
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentLength64 = reply.Length;
                await ctx.Response.OutputStream.WriteAsync(reply).ConfigureAwait(false);
                ctx.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // the sender went away while the answer was held (timed out, or was killed)
            }
        }
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
