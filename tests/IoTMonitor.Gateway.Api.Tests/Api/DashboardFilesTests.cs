using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;
using IoTMonitor.Gateway.Api.Tests.Support;

namespace IoTMonitor.Gateway.Api.Tests.Api;

/// <summary>
/// What a first visit over a site office's LAN pays for the dashboard's files: compressed bodies,
/// content-hash addresses for the libraries with a year-long cache, and 304s on a revisit — against
/// the running gateway's own wwwroot.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed partial class DashboardFilesTests(ApiFixture fixture)
{
    [Fact]
    public async Task Libraries_go_out_compressed_under_content_hash_addresses_that_are_cached_for_a_year()
    {
        await using var host = await GatewayHost.StartAsync(fixture.Influx);
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = host.BaseUrl };

        using var index = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("no-cache", index.Headers.CacheControl!.ToString());
        var html = await index.Content.ReadAsStringAsync();
        var leaflet = VendorRef().Matches(html).Select(m => m.Groups[1].Value).Single(u => u.StartsWith("vendor/leaflet/leaflet.js?v=", StringComparison.Ordinal));
        Assert.Contains("vendor/world-atlas/countries-asia-50m.json?v=", html, StringComparison.Ordinal);
        Assert.Contains("css/app.css?v=", html, StringComparison.Ordinal);

        var plain = await http.GetByteArrayAsync("/vendor/leaflet/leaflet.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/" + leaflet);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate, br, zstd");
        using var hashed = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, hashed.StatusCode);
        Assert.Equal("br", Assert.Single(hashed.Content.Headers.ContentEncoding));
        Assert.Equal("public, max-age=31536000, immutable", hashed.Headers.CacheControl!.ToString());
        var compressed = await hashed.Content.ReadAsByteArrayAsync();
        Assert.True(compressed.Length * 3 < plain.Length, $"leaflet.js: {compressed.Length} B compressed of {plain.Length} B");
        using var unpacked = new MemoryStream();
        using (var br = new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress))
        {
            await br.CopyToAsync(unpacked);
        }

        Assert.Equal(plain, unpacked.ToArray());

        // gzip for a browser without Brotli; an old hash is not cached for a year
        using var gz = new HttpRequestMessage(HttpMethod.Get, "/vendor/world-atlas/countries-asia-50m.json?v=0000000000000000");
        gz.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        using var gzAnswer = await http.SendAsync(gz);
        Assert.Equal("gzip", Assert.Single(gzAnswer.Content.Headers.ContentEncoding));
        Assert.Equal("no-cache", gzAnswer.Headers.CacheControl!.ToString());

        // a revisit asks with the ETag and gets 304 without a body
        using var again = new HttpRequestMessage(HttpMethod.Get, "/js/app.js");
        using var first = await http.GetAsync("/js/app.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.ToString());
        using var notModified = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        // the API is not the files' business
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/sites")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/vendor/no-such-file.js")).StatusCode);
    }

    [GeneratedRegex("(?:href|src)=\"([^\"]+)\"")]
    private static partial Regex VendorRef();
}
