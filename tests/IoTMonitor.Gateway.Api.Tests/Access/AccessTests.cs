using System.Net.Http.Json;
using IoTMonitor.Gateway.Api.Tests.Support;
using IoTMonitor.Gateway.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Api.Tests.Access;

/// <summary>Keys, roles and rate limits: no key → 401 everywhere but the public pages; viewer cannot write (403).</summary>
[Collection(InfluxCollection.Name)]
public sealed class AccessTests(ApiFixture fixture)
{
    private static readonly string[] Public = ["/health", "/openapi/{documentName}.json", "/scalar/{documentName}", "/docs"];

    [Fact]
    public async Task Every_endpoint_but_the_public_ones_answers_401_without_a_key_or_with_a_wrong_one()
    {
        var host = fixture.Known;
        var endpoints = host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.True(endpoints.Count > 15);
        var checkedCount = 0;
        foreach (var e in endpoints)
        {
            var pattern = e.RoutePattern.RawText!;
            if (Public.Contains(pattern) || pattern.StartsWith("/scalar", StringComparison.Ordinal))
            {
                continue;
            }

            var method = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "GET";
            var path = pattern.Replace("{site}", "s1", StringComparison.Ordinal).Replace("{id:long}", "1", StringComparison.Ordinal).Replace("{id}", "abc", StringComparison.Ordinal);
            foreach (var key in new[] { null, "iotm_000000000000_wrong", "not-a-key" })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (key is not null)
                {
                    request.Headers.Add("X-Api-Key", key);
                }

                if (method is "POST" or "PUT")
                {
                    request.Content = JsonContent.Create(new { });
                }

                using var response = await host.Http.SendAsync(request);
                Assert.True((int)response.StatusCode == 401, $"{method} {path} with key '{key}' answered {(int)response.StatusCode}");
            }

            checkedCount++;
        }

        Assert.True(checkedCount >= 15, $"only {checkedCount} endpoints checked");
        Assert.Equal(200, (await host.GetAsync("/health", key: null)).Status);
        Assert.Equal(200, (await host.GetAsync("/", key: null)).Status);
    }

    [Fact]
    public async Task Viewer_reads_but_cannot_write_operator_acknowledges_admin_manages_keys()
    {
        await using var host = await GatewayHost.StartAsync(fixture.Influx);
        var viewer = await host.CreateKeyAsync("agency-2", "viewer");
        var op = await host.CreateKeyAsync("technician", "operator");

        // a real alert: a rule (admin), then a reading over MQTT that crosses it
        var secrets = await host.AddSiteAsync("s1", 30.5, 114.3, "Yangtze", "river", "d1");
        await host.AddThresholdRuleAsync("test.ph.high", "pH above 8.5", "water.ph", 8.5, "warning", "s1");
        await using (var d1 = await TelemetryPublisher.ConnectAsync(host.MqttPort, "s1", "d1", secrets["d1"]))
        {
            await d1.PublishAsync([(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "water.ph", 8.9, 0L)]);
        }

        var alert = (await host.WaitForAlertAsync("s1", viewer)).GetProperty("id").GetString()!;

        Assert.Equal(200, (await host.GetAsync("/api/v1/sites", viewer)).Status);
        Assert.Equal(200, (await host.GetAsync("/api/v1/devices", viewer)).Status);
        Assert.Equal(200, (await host.GetAsync("/api/v1/alerts", viewer)).Status);
        Assert.Equal(200, (await host.GetAsync("/api/v1/alert-rules", viewer)).Status);
        Assert.Equal(403, await SendAsync(host, HttpMethod.Post, $"/api/v1/alerts/{alert}/ack", viewer, new { }));
        Assert.Equal(403, await SendAsync(host, HttpMethod.Post, $"/api/v1/alerts/{alert}/resolve", viewer, new { }));
        Assert.Equal(403, (await host.GetAsync("/api/v1/alerts/outbox", viewer)).Status);
        Assert.Equal(403, (await host.GetAsync("/api/v1/alerts/outbox", op)).Status);
        Assert.Equal(403, await SendAsync(host, HttpMethod.Delete, "/api/v1/alert-rules/test.ph.high", op, null));
        Assert.Equal(200, (await host.GetAsync("/api/v1/alerts/outbox", GatewayHost.AdminKey)).Status);
        Assert.Equal(403, await SendAsync(host, HttpMethod.Post, "/api/v1/keys", viewer, new { name = "x", role = "admin" }));
        Assert.Equal(403, await SendAsync(host, HttpMethod.Put, "/api/v1/sites/s9", viewer, new { name = "x" }));
        Assert.Equal(403, await SendAsync(host, HttpMethod.Post, "/api/v1/devices", viewer, new { id = "x1", site = "s1" }));
        Assert.Equal(403, (await host.GetAsync("/metrics", viewer)).Status);
        Assert.Equal(403, await SendAsync(host, HttpMethod.Post, "/api/v1/keys", op, new { name = "x", role = "viewer" }));

        Assert.Equal(200, (await host.GetAsync("/metrics", op)).Status);
        Assert.Equal(200, await SendAsync(host, HttpMethod.Post, $"/api/v1/alerts/{alert}/ack", op, new { }));
        var (_, read, _) = await host.GetAsync($"/api/v1/alerts/{alert}", viewer);
        Assert.Equal("acknowledged", read!.RootElement.GetProperty("alert").GetProperty("state").GetString());
        Assert.Equal("technician", read.RootElement.GetProperty("alert").GetProperty("acknowledgedBy").GetString());
        Assert.Contains(read.RootElement.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "acknowledged");
        Assert.False(read.RootElement.TryGetProperty("notifications", out _), "a viewer does not see the recipients of notifications");
        Assert.Equal(409, await SendAsync(host, HttpMethod.Post, $"/api/v1/alerts/{alert}/ack", op, new { }));
        Assert.Equal(404, await SendAsync(host, HttpMethod.Post, "/api/v1/alerts/999999/ack", op, new { }));
        Assert.Equal(200, await SendAsync(host, HttpMethod.Post, $"/api/v1/alerts/{alert}/resolve", op, new { by = "Li Wei" }));
        var (_, resolved, _) = await host.GetAsync($"/api/v1/alerts/{alert}", GatewayHost.AdminKey);
        Assert.Equal("resolved", resolved!.RootElement.GetProperty("alert").GetProperty("state").GetString());
        Assert.Equal("Li Wei (key technician)", resolved.RootElement.GetProperty("alert").GetProperty("resolvedBy").GetString());
        Assert.True(resolved.RootElement.TryGetProperty("notifications", out _), "an admin sees the alert's notifications");
        Assert.Equal(400, await SendAsync(host, HttpMethod.Post, "/api/v1/keys", GatewayHost.AdminKey, new { name = "x", role = "root" }));

        // Authorization: Bearer works too
        using (var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/v1/sites"))
        {
            bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", viewer);
            using var response = await host.Http.SendAsync(bearer);
            Assert.Equal(200, (int)response.StatusCode);
        }

        // keys are stored hashed: the key text appears nowhere in the registry file
        var registry = Path.Combine(host.Service<GatewayOptions>().DataDir, "registry.db");
        var bytes = await File.ReadAllBytesAsync(registry);
        var secret = System.Text.Encoding.UTF8.GetBytes(viewer[18..]);
        Assert.Equal(-1, bytes.AsSpan().IndexOf(secret));

        // revoking takes effect at once
        var (_, list, _) = await host.GetAsync("/api/v1/keys", GatewayHost.AdminKey);
        var id = list!.RootElement.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "agency-2").GetProperty("id").GetString();
        Assert.Equal(204, await SendAsync(host, HttpMethod.Delete, $"/api/v1/keys/{id}", GatewayHost.AdminKey, null));
        Assert.Equal(401, (await host.GetAsync("/api/v1/sites", viewer)).Status);
    }

    [Fact]
    public async Task Me_answers_the_calling_keys_name_and_role_and_never_the_key()
    {
        var host = fixture.Known;
        var (status, body, text) = await host.GetAsync("/api/v1/me", fixture.Viewer);
        Assert.Equal(200, status);
        Assert.Equal("agency", body!.RootElement.GetProperty("name").GetString());
        Assert.Equal("viewer", body.RootElement.GetProperty("role").GetString());
        Assert.DoesNotContain(fixture.Viewer, text, StringComparison.Ordinal);
        var (_, admin, _) = await host.GetAsync("/api/v1/me", GatewayHost.AdminKey);
        Assert.Equal("admin", admin!.RootElement.GetProperty("role").GetString());
        Assert.Equal("Api:AdminKey", admin.RootElement.GetProperty("name").GetString());
        Assert.Equal(401, (await host.GetAsync("/api/v1/me", null)).Status);
    }

    [Fact]
    public async Task A_key_over_its_rate_answers_429_with_retry_after_and_other_keys_are_not_affected()
    {
        await using var host = await GatewayHost.StartAsync(fixture.Influx, "--Access:RequestsPerMinute=6", "--Access:Burst=5");
        var a = await host.CreateKeyAsync("a", "viewer");
        var b = await host.CreateKeyAsync("b", "viewer");
        var statuses = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await host.GetAsync("/api/v1/quantities", a)).Status);
        }

        Assert.Equal(5, statuses.Count(s => s == 200));
        Assert.Equal(3, statuses.Count(s => s == 429));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/quantities");
        request.Headers.Add("X-Api-Key", a);
        using var limited = await host.Http.SendAsync(request);
        Assert.Equal(429, (int)limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter is not null);
        Assert.Equal(200, (await host.GetAsync("/api/v1/quantities", b)).Status);
    }

    private static async Task<int> SendAsync(GatewayHost host, HttpMethod method, string path, string key, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", key);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await host.Http.SendAsync(request);
        return (int)response.StatusCode;
    }
}
