using System.Text.Json;
using IoTMonitor.Gateway.Query;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// Builds, in the background right after start, the JSON metadata of the dashboard's first answers
/// (the site list and a site's page). System.Text.Json builds a type's serializer on its first use,
/// which otherwise lands on the first person to open the dashboard after a gateway restart — the
/// cold first visit the dashboard's budget is about. Nothing is cached but that metadata.
/// </summary>
public sealed class FirstAnswerWarmup(IOptions<JsonOptions> json) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(
            () =>
            {
                var reason = new StatusReason(StatusReason.Alert) { Device = "d", Rule = "r", RuleName = "r", Severity = "critical" };
                var site = new SiteSummary("s", "s", 0, 0, "b", "river", HealthStatus.Ok, ["r"], 1, DateTimeOffset.UnixEpoch, null, [reason]);
                var device = new DeviceHealth("d", true, HealthStatus.Ok, ["r"], DateTimeOffset.UnixEpoch, 3.9, -60, 0, 0, 1, "fw", 60, 1, 0, [[1, 2]], 0, [reason]);
                _ = JsonSerializer.SerializeToUtf8Bytes(new List<SiteSummary> { site }, json.Value.SerializerOptions);
                _ = JsonSerializer.SerializeToUtf8Bytes(new SiteDetail(site, [device], [new LatestValue("s", "d", "water.ph", "pH", 0, 7, 0, null, null)], ["water.ph"]), json.Value.SerializerOptions);
            },
            cancellationToken);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
