using System.Globalization;
using System.Net.Http.Headers;

namespace IoTMonitor.Gateway.Storage;

/// <summary>
/// Lets InfluxDB.Client (which speaks the v2 API) and the alert history write to servers older than
/// 1.8, which have only the v1 API. Before the first write it has <see cref="InfluxConnection"/> ask
/// <c>/ping</c> for the server's version; below 1.8 it rewrites
/// <c>/api/v2/write?bucket=db/rp&amp;precision=s</c> to <c>/write?db=db&amp;rp=rp&amp;precision=s</c>
/// and turns a <c>Token user:password</c> into v1 credentials. On 1.8+ and 2.x/3.x requests pass
/// unchanged. A handler of the <see cref="InfluxConnection.HttpClientName"/> pipeline.
/// </summary>
public sealed class InfluxV1CompatHandler(InfluxConnection connection) : DelegatingHandler
{
    /// <summary>Parses "1.6.7~rc0", "v2.7.1", "3.0.0" and tells whether the v2 write API is missing (&lt; 1.8).</summary>
    public static bool IsBefore18(string version)
    {
        var v = version.TrimStart('v', 'V');
        var parts = v.Split('.', 3);
        if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major))
        {
            return false;
        }

        var minorText = new string(parts[1].TakeWhile(char.IsDigit).ToArray());
        _ = int.TryParse(minorText, NumberStyles.None, CultureInfo.InvariantCulture, out var minor);
        return major < 1 || (major == 1 && minor < 8);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (uri.AbsolutePath.EndsWith("/api/v2/write", StringComparison.Ordinal))
        {
            await connection.DetectVersionAsync(cancellationToken).ConfigureAwait(false);
            if (connection.IsLegacy)
            {
                request.RequestUri = MapWrite(uri, request.Headers.Authorization);
                request.Headers.Authorization = null;
            }
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    internal static Uri MapWrite(Uri v2, AuthenticationHeaderValue? auth)
    {
        string? bucket = null, precision = null;
        foreach (var pair in v2.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (key == "bucket")
            {
                bucket = value;
            }
            else if (key == "precision")
            {
                precision = value;
            }
        }

        bucket ??= string.Empty;
        var slash = bucket.IndexOf('/');
        var db = slash < 0 ? bucket : bucket[..slash];
        var rp = slash < 0 ? string.Empty : bucket[(slash + 1)..];
        var query = "db=" + Uri.EscapeDataString(db);
        if (rp.Length > 0)
        {
            query += "&rp=" + Uri.EscapeDataString(rp);
        }

        if (!string.IsNullOrEmpty(precision))
        {
            query += "&precision=" + Uri.EscapeDataString(precision);
        }

        if (auth is { Scheme: "Token", Parameter: { } token } && token.Contains(':', StringComparison.Ordinal))
        {
            var colon = token.IndexOf(':');
            query += "&u=" + Uri.EscapeDataString(token[..colon]) + "&p=" + Uri.EscapeDataString(token[(colon + 1)..]);
        }

        var path = v2.AbsolutePath[..^"/api/v2/write".Length] + "/write";
        return new UriBuilder(v2) { Path = path, Query = query }.Uri;
    }
}
