using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace IoTMonitor.Cli;

/// <summary>
/// The gateway's HTTP API as the CLI uses it (header <c>X-Api-Key</c>). Every failure becomes a
/// <see cref="CliException"/> that says what to do: unreachable (exit 3), key refused, endpoint
/// missing on an older gateway, or the API's own problem text.
/// </summary>
public sealed class GatewayClient : IDisposable
{
    private readonly HttpClient _http;

    public GatewayClient(Uri baseUrl, string? apiKey, TimeSpan? timeout = null)
    {
        BaseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        HasKey = !string.IsNullOrEmpty(apiKey);
    }

    public Uri BaseUrl { get; }

    public bool HasKey { get; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<JsonElement> GetJsonAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonElement> PostJsonAsync(string path, object body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    public Task<JsonElement> PutJsonAsync(string path, object body, CancellationToken ct) => SendAsync(HttpMethod.Put, path, body, ct);

    public Task<JsonElement> PatchJsonAsync(string path, object body, CancellationToken ct) => SendAsync(HttpMethod.Patch, path, body, ct);

    public Task<JsonElement> DeleteJsonAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);

    /// <summary>Sends a request and returns the raw response (for status checks and streaming); unreachable and auth failures throw.</summary>
    public async Task<HttpResponseMessage> RawAsync(HttpMethod method, string path, object? body, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        HttpResponseMessage response;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                using var request = new HttpRequestMessage(method, path);
                if (body is not null)
                {
                    request.Content = JsonContent.Create(body, options: Json);
                }

                response = await _http.SendAsync(request, completion, ct).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt == 10)
                {
                    break;
                }

                // The key's rate limit (Access:RequestsPerMinute): wait as told, then retry.
                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                response.Dispose();
                await Task.Delay(wait > TimeSpan.FromSeconds(60) ? TimeSpan.FromSeconds(60) : wait, ct).ConfigureAwait(false);
            }
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            throw Unreachable(e.Message);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw Unreachable("no answer within " + _http.Timeout.TotalSeconds + " s");
        }

        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            response.Dispose();
            throw new CliException(HasKey
                ? $"the gateway at {BaseUrl} refused the API key (pass --api-key, --api-key-file or IOTMON_API_KEY with a valid key)"
                : $"the gateway at {BaseUrl} needs an API key: pass --api-key, --api-key-file or set IOTMON_API_KEY");
        }

        return response;
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await RawAsync(method, path, body, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpProblem(response.StatusCode, Problem(text, path, response.StatusCode));
        }

        if (text.Length == 0)
        {
            return default;
        }

        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>The problem+json detail, or a sentence for the status.</summary>
    public static string Problem(string body, string path, HttpStatusCode status)
    {
        if (status == HttpStatusCode.NotFound && body.Length == 0)
        {
            return $"the gateway has no endpoint {path.Split('?')[0]} (an older gateway?)";
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("detail", out var d) && d.GetString() is { Length: > 0 } detail)
                {
                    return detail;
                }

                if (doc.RootElement.TryGetProperty("title", out var t) && t.GetString() is { Length: > 0 } title)
                {
                    return title;
                }
            }
        }
        catch (JsonException)
        {
            // not JSON: fall through
        }

        return $"{(int)status} {status}{(body.Length > 0 && body.Length < 300 ? ": " + body : string.Empty)}";
    }

    private CliException Unreachable(string why) =>
        new($"cannot reach the gateway at {BaseUrl} ({why}). Is it running? Set the address with --gateway or IOTMON_GATEWAY.", ExitCodes.Unreachable);

    public void Dispose() => _http.Dispose();
}

/// <summary>An API answer with a non-success status.</summary>
public sealed class HttpProblem(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}
