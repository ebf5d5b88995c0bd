using System.Net.Http.Headers;
using System.Text;

namespace IoTMonitor.Gateway.Storage;

/// <summary>
/// The gateway's one connection to InfluxDB (<c>Storage:*</c>): where the server is, which database
/// (1.x) or bucket (2.x/3.x) the gateway uses, how it authenticates, and which server generation
/// answers. The writer, the query client and the alert history all build their requests here, and
/// all send through the named client <see cref="HttpClientName"/> of <see cref="IHttpClientFactory"/>
/// (one connection pool, the v1 write compatibility in its pipeline).
/// <para>
/// <c>Storage:Token</c> is either <c>user:password</c> (1.x with auth: sent as the <c>u</c>/<c>p</c>
/// parameters of <c>/query</c>, and as <c>Token user:password</c> to the v2 write API, which 1.8+
/// accepts and <see cref="InfluxV1CompatHandler"/> maps for older servers) or an API token
/// (<c>Authorization: Token …</c>).
/// </para>
/// </summary>
public sealed class InfluxConnection : IDisposable
{
    /// <summary>The named client of <see cref="IHttpClientFactory"/> every InfluxDB request goes through.</summary>
    public const string HttpClientName = "influxdb";

    private readonly StorageOptions _options;
    private readonly IHttpClientFactory _factory;
    private readonly SemaphoreSlim _detect = new(1, 1);
    private HttpClient? _ping;
    private volatile string? _version;
    private volatile bool _legacy;

    public InfluxConnection(StorageOptions options, IHttpClientFactory factory)
    {
        _options = options;
        _factory = factory;
        BaseUri = new Uri(options.Url);
        Bucket = string.IsNullOrEmpty(options.RetentionPolicy) ? options.Database : options.Database + "/" + options.RetentionPolicy;
    }

    public Uri BaseUri { get; }

    public string Database => _options.Database;

    public string RetentionPolicy => _options.RetentionPolicy;

    /// <summary>The v2 bucket name: the database, or <c>database/retention-policy</c> (the 1.8+ DBRP form).</summary>
    public string Bucket { get; }

    public string Org => _options.Org;

    /// <summary>The token for an <c>Authorization: Token …</c> header; empty = none.</summary>
    public string Token => _options.Token;

    /// <summary>True when <c>Storage:Token</c> is 1.x credentials (<c>user:password</c>).</summary>
    public bool IsUserPassword => IsUserPasswordToken(_options.Token);

    /// <summary>The server version once detected (null before the first request).</summary>
    public string? ServerVersion => _version;

    /// <summary>True when the server is older than 1.8 and v2 writes are mapped to <c>/write</c>.</summary>
    public bool IsLegacy => _legacy;

    internal static bool IsUserPasswordToken(string token) => token.Contains(':', StringComparison.Ordinal) && !token.Contains(' ', StringComparison.Ordinal);

    /// <summary>A client of the shared pool with the caller's own request timeout.</summary>
    public HttpClient CreateHttpClient(TimeSpan timeout)
    {
        var client = _factory.CreateClient(HttpClientName);
        client.Timeout = timeout;
        return client;
    }

    /// <summary>Asks <c>/ping</c> for the server's version header (<c>X-Influxdb-Version</c>) once; later calls answer from memory.</summary>
    public async Task<string> DetectVersionAsync(CancellationToken cancellationToken)
    {
        if (_version is { } known)
        {
            return known;
        }

        await _detect.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_version is null)
            {
                _ping ??= CreateHttpClient(TimeSpan.FromSeconds(_options.TimeoutSeconds));
                using var response = await _ping.GetAsync(new Uri(BaseUri, "/ping"), cancellationToken).ConfigureAwait(false);
                var version = response.Headers.TryGetValues("X-Influxdb-Version", out var values) ? values.FirstOrDefault() ?? string.Empty : string.Empty;
                _legacy = version.Length > 0 && InfluxV1CompatHandler.IsBefore18(version);
                _version = version;
            }

            return _version;
        }
        finally
        {
            _detect.Release();
        }
    }

    /// <summary>
    /// An InfluxQL request URL: <c>/query?{parameters}&amp;db=…&amp;rp=…&amp;u=…&amp;p=…&amp;q=…</c>
    /// (<paramref name="inDatabase"/> false leaves out db and rp, for statements such as CREATE DATABASE).
    /// </summary>
    public Uri QueryUri(string influxQl, string parameters, bool inDatabase)
    {
        var query = new List<string>(6);
        if (parameters.Length > 0)
        {
            query.Add(parameters);
        }

        if (inDatabase)
        {
            query.Add("db=" + Uri.EscapeDataString(Database));
            if (RetentionPolicy.Length > 0)
            {
                query.Add("rp=" + Uri.EscapeDataString(RetentionPolicy));
            }
        }

        if (IsUserPassword)
        {
            var colon = Token.IndexOf(':', StringComparison.Ordinal);
            query.Add("u=" + Uri.EscapeDataString(Token[..colon]));
            query.Add("p=" + Uri.EscapeDataString(Token[(colon + 1)..]));
        }

        query.Add("q=" + Uri.EscapeDataString(influxQl));
        return new Uri(BaseUri, "/query?" + string.Join('&', query));
    }

    /// <summary>Adds <c>Authorization: Token …</c> to a <c>/query</c> request when the token is not 1.x credentials (those travel in the URL).</summary>
    public void AuthorizeQuery(HttpRequestMessage request)
    {
        if (Token.Length > 0 && !IsUserPassword)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", Token);
        }
    }

    /// <summary>A v2 write of line-protocol text (<c>/api/v2/write?org&amp;bucket&amp;precision</c>, mapped to <c>/write</c> for servers before 1.8).</summary>
    public HttpRequestMessage WriteRequest(string lines, string precision)
    {
        var url = new Uri(BaseUri, $"/api/v2/write?org={Uri.EscapeDataString(Org)}&bucket={Uri.EscapeDataString(Bucket)}&precision={precision}");
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(lines, Encoding.UTF8, "text/plain") };
        if (Token.Length > 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", Token);
        }

        return request;
    }

    public void Dispose()
    {
        _ping?.Dispose();
        _detect.Dispose();
    }
}
