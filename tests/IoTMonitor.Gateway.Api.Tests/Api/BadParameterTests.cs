using System.Net.Http.Headers;
using System.Text;
using IoTMonitor.Gateway.Api.Tests.Support;

namespace IoTMonitor.Gateway.Api.Tests.Api;

/// <summary>
/// Bad parameters and bodies over real HTTP: every one is a 400 (or 404/405) with a JSON problem body
/// whose detail names the parameter and the accepted form, never an empty body; times are accepted
/// as Unix seconds and ISO 8601, as docs/api.md says.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class BadParameterTests(ApiFixture fixture)
{
    private readonly GatewayHost _host = fixture.Known;

    [Theory]
    [InlineData("/api/v1/alerts?from=notatime", "from", "Unix seconds")]
    [InlineData("/api/v1/alerts?to=2026-13-45", "to", "ISO 8601")]
    [InlineData("/api/v1/alerts?limit=1e9", "limit", "1–10000")]
    [InlineData("/api/v1/alerts?limit=-1", "limit", "1–10000")]
    [InlineData("/api/v1/alerts?limit=0", "limit", "1–10000")]
    [InlineData("/api/v1/alerts?limit=10001", "limit", "1–10000")]
    [InlineData("/api/v1/alerts?state=closed", "state", "active, open")]
    [InlineData("/api/v1/alerts?site=NOT%20AN%20ID", "site", "^[a-z0-9]")]
    [InlineData("/api/v1/alerts?from=1764400000&to=1764300000", "from must be before to", "")]
    [InlineData("/api/v1/alerts/outbox?limit=x", "limit", "whole number")]
    [InlineData("/api/v1/alerts/outbox?status=lost", "status", "pending")]
    [InlineData("/api/v1/devices/d1/commands?limit=abc", "limit", "whole number")]
    [InlineData("/api/v1/devices/d1/commands?limit=0", "limit", "whole number")]
    [InlineData("/api/v1/series?site=s1&quantity=water.ph&from=yesterday&window=1h&agg=mean", "from", "Unix seconds")]
    public async Task A_bad_query_parameter_is_a_400_naming_it(string path, string names, string form)
    {
        var (status, body, text) = await _host.GetAsync(path, GatewayHost.AdminKey);

        Assert.True(status == 400, $"{path}: {status} {text}");
        Assert.NotNull(body);
        var detail = body.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains(names, detail, StringComparison.Ordinal);
        Assert.Contains(form, detail, StringComparison.Ordinal);
        Assert.Equal(400, body.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Alert_times_are_accepted_as_Unix_seconds_and_ISO_8601_alike()
    {
        var (unixStatus, unix, unixText) = await _host.GetAsync("/api/v1/alerts?from=1764316800&to=1764403200&limit=5", GatewayHost.AdminKey);
        var (isoStatus, iso, isoText) = await _host.GetAsync("/api/v1/alerts?from=2025-11-28T08:00:00Z&to=2025-11-29T08:00:00Z&limit=5", GatewayHost.AdminKey);

        Assert.True(unixStatus == 200, unixText);
        Assert.True(isoStatus == 200, isoText);
        Assert.Equal(isoText, unixText);
        Assert.NotNull(unix);
        Assert.NotNull(iso);
    }

    [Theory]
    [InlineData("POST", "/api/v1/sites", "CreateSiteRequest")]
    [InlineData("POST", "/api/v1/keys", "CreateKeyRequest")]
    [InlineData("PUT", "/api/v1/sites/s9", "SiteProfileRequest")]
    [InlineData("POST", "/api/v1/alerts/x/ack", "AlertActionRequest")]
    [InlineData("POST", "/api/v1/alert-rules", "not valid JSON")]
    public async Task A_malformed_JSON_body_is_a_400_with_a_problem_body(string method, string path, string names)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{\"id\":", Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Api-Key", GatewayHost.AdminKey);
        using var response = await _host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode == 400, $"{method} {path}: {(int)response.StatusCode} '{text}'");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(names, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "/api/v1/sites", null, 401)]
    [InlineData("POST", "/api/v1/keys", "viewer", 403)]
    [InlineData("GET", "/api/v1/devices/d1/commands?limit=abc", null, 401)]
    public async Task A_caller_without_the_right_key_learns_nothing_from_a_bad_request(string method, string path, string? key, int expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = new StringContent("{\"id\":", Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", fixture.Viewer);
        }

        using var response = await _host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} '{text}'");
        Assert.DoesNotContain("Request", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/v1/no-such-thing", 404)]
    [InlineData("DELETE", "/api/v1/alerts", 405)]
    public async Task An_unknown_path_or_method_has_a_problem_body(string method, string path, int expected)
    {
        var (status, body, text) = await _host.SendAsync(new HttpMethod(method), path, GatewayHost.AdminKey, null);

        Assert.True(status == expected, $"{method} {path}: {status} '{text}'");
        Assert.NotNull(body);
        Assert.Contains(path, body.RootElement.GetProperty("detail").GetString()!, StringComparison.Ordinal);
    }
}
