using System.Net;
using System.Text;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Alerts.Tests.Support;

/// <summary>One request as an HTTP SMS gateway received it.</summary>
public sealed record SmsGatewayCall(string Method, string Path, string ContentType, string Body);

/// <summary>
/// A real HTTP receiver (HttpListener) on a free loopback port standing in for an HTTP SMS gateway:
/// records every request as sent on the wire and answers 200 with a message id, as such gateways do.
/// </summary>
public sealed class SmsGatewayReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<SmsGatewayCall> _calls = [];
    private readonly Task _loop;

    public SmsGatewayReceiver()
    {
        Url = $"http://127.0.0.1:{FreePort.Next()}/sms/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public IReadOnlyList<SmsGatewayCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return _calls.ToList();
            }
        }
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
            int n;
            lock (_calls)
            {
                _calls.Add(new SmsGatewayCall(ctx.Request.HttpMethod, ctx.Request.Url!.PathAndQuery, ctx.Request.ContentType ?? string.Empty, body));
                n = _calls.Count;
            }

            // written in full before the close: the sender has the whole reply before the test can stop the listener
            var reply = Encoding.UTF8.GetBytes($"{{\"messageId\":\"m{n}\"}}");
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentLength64 = reply.Length;
            await ctx.Response.OutputStream.WriteAsync(reply).ConfigureAwait(false);
            ctx.Response.Close();
        }
    }

    public void Dispose()
    {
        if (_listener.IsListening)
        {
            _listener.Stop();
        }

        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
