using System.Diagnostics;
using IoTMonitor.Gateway.Access;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Alerts;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Query;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoTMonitor.Gateway.Api;

/// <summary>
/// The agencies' read API under <c>/api/v1</c> (viewer role unless noted): sites with status,
/// latest values (from the cache), series, completeness and CSV export (alerts: <see cref="AlertsApi"/>). Wrong parameters
/// answer 400 with a message naming the parameter; an InfluxDB failure answers 502.
/// </summary>
public static class QueryApi
{
    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Data").AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (BadQueryException e)
            {
                return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
            }
            catch (InfluxQueryException e)
            {
                return Results.Problem(e.Message, statusCode: StatusCodes.Status502BadGateway, title: "InfluxDB failed");
            }
        });
        var viewer = api.MapGroup(string.Empty).RequireApiRole(ApiRole.Viewer);

        viewer.MapGet("/quantities", () => Quantities.All.Select(q => new QuantityInfo(q.Code, q.Domain, q.Unit, q.Min, q.Max)))
            .WithSummary("The quantity vocabulary with units and plausible ranges (docs/protocol.md §8).");

        viewer.MapGet("/sites", (SiteProfiles profiles, DeviceRegistry registry, SiteStatus status, LatestValueCache cache, AlertsService alerts) =>
        {
            var devices = registry.ListDevices().GroupBy(d => d.SiteId).ToDictionary(g => g.Key, g => g.Select(d => d.Id).ToList());
            var open = status.OpenAlertsBySite();
            return profiles.List().Select(p => Summary(p, devices.TryGetValue(p.Id, out var d) ? d : [], status, cache, alerts, open)).ToList();
        }).WithSummary("All sites with location, basin, type and status colour (ok, warning, critical, offline).");

        viewer.MapGet("/sites/{site}", (string site, SiteProfiles profiles, DeviceRegistry registry, Ledger ledger, SiteStatus status, LatestValueCache cache, AlertsService alerts) =>
        {
            QueryParameters.Id(site, "site");
            var profile = profiles.Find(site);
            if (profile is null)
            {
                return Results.Problem($"site '{site}' does not exist", statusCode: StatusCodes.Status404NotFound);
            }

            var devices = registry.ListDevices().Where(d => d.SiteId == site).ToList();
            var health = devices.Select(d => Health(d, ledger, status, cache)).ToList();
            var latest = cache.Values(site).OrderBy(v => v.Quantity, StringComparer.Ordinal).ThenBy(v => v.Device, StringComparer.Ordinal).Select(Latest).ToList();
            var quantities = latest.Select(v => v.Quantity).Distinct().ToList();
            return Results.Ok(new SiteDetail(Summary(profile, devices.Select(d => d.Id).ToList(), status, cache, alerts), health, latest, quantities));
        }).WithSummary("One site: profile, status, device health (battery, RSSI, last seen, backlog, sequence gaps) and newest values.");

        viewer.MapGet("/latest", (string? site, string? device, string? quantity, LatestValueCache cache) =>
        {
            var s = QueryParameters.OptionalId(site, "site");
            var d = QueryParameters.OptionalId(device, "device");
            var q = string.IsNullOrEmpty(quantity) ? null : QueryParameters.Quantity(quantity).Code;
            return cache.Values(s, d, q).OrderBy(v => v.Site, StringComparer.Ordinal).ThenBy(v => v.Device, StringComparer.Ordinal).ThenBy(v => v.Quantity, StringComparer.Ordinal).Select(Latest).ToList();
        }).WithSummary("Newest values, from the in-memory cache fed by the stream (no database query).");

        viewer.MapGet("/series", async (HttpRequest request, SeriesQuery series, DeviceRegistry registry, AlertsService alerts, TimeProvider time, CancellationToken ct) =>
        {
            var start = Stopwatch.GetTimestamp();
            var q = request.Query;
            var sites = QueryParameters.Ids(q["site"], "site");
            var device = QueryParameters.OptionalId(q["device"], "device");
            var quantity = QueryParameters.Quantity(q["quantity"]);
            var to = QueryParameters.Time(q["to"], "to", time.GetUtcNow().ToUnixTimeSeconds());
            var from = QueryParameters.Time(q["from"], "from", to - 86400);
            QueryParameters.Range(from, to, series.Options);
            var window = QueryParameters.Window(q["window"]);
            var agg = QueryParameters.Aggregate(q["agg"]);
            var req = new SeriesRequest(sites, device, quantity, from, to, window, agg);
            var registered = registry.ListDevices();
            var seriesCount = device is not null ? 1 : registered.Count(d => sites.Count == 0 || sites.Contains(d.SiteId));
            series.CheckSize(req, seriesCount);
            var started = Stopwatch.GetTimestamp();
            var (result, source) = await series.RunAsync(req, ct).ConfigureAwait(false);
            var dbMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var thresholds = new List<Threshold> { new("plausible min", quantity.Min), new("plausible max", quantity.Max) };
            thresholds.AddRange(AlertThresholds(alerts, sites, device, quantity.Code));

            return new SeriesJson(new SeriesResponseHead(quantity.Code, quantity.Unit, agg, QueryParameters.Duration(window), window, from, to, thresholds), result, source, start, dbMs);
        }).Produces<SeriesResponse>().WithSummary("Windowed aggregate (mean, min, max, last, count) of one quantity over a range, per site and device. Parameters: quantity, site (comma list; none = all), device, from, to (ISO 8601 or Unix s; default last 24 h), window (e.g. 1m, 1h, 1d), agg.");

        viewer.MapGet("/sites/{site}/completeness", async (string site, HttpRequest request, CompletenessQuery completeness, SiteProfiles profiles, QueryOptions options, TimeProvider time, CancellationToken ct) =>
        {
            QueryParameters.Id(site, "site");
            if (profiles.Find(site) is null)
            {
                return Results.Problem($"site '{site}' does not exist", statusCode: StatusCodes.Status404NotFound);
            }

            var q = request.Query;
            var to = QueryParameters.Time(q["to"], "to", time.GetUtcNow().ToUnixTimeSeconds());
            var from = QueryParameters.Time(q["from"], "from", to - 86400);
            QueryParameters.Range(from, to, options);
            var window = string.IsNullOrEmpty(q["window"]) ? to - from : QueryParameters.Window(q["window"]);
            if ((to - from) / window > 10_000)
            {
                throw new BadQueryException("more than 10000 windows: narrow the range or widen the window");
            }

            var devices = await completeness.RunAsync(site, from, to, window, ct).ConfigureAwait(false);
            var received = devices.Sum(d => d.Total.Received);
            var expected = devices.Sum(d => d.Total.Expected);
            var total = new Completeness(received, expected);
            return Results.Ok(new CompletenessResponse(site, from, to, QueryParameters.Duration(window), received, expected, total.Ratio, devices.Select(d => new DeviceCompletenessLine(
                d.Device, d.Total.Received, d.Total.Expected, d.Total.Ratio, d.Windows.Select(w => new CompletenessPoint(w.T, w.Value.Received, w.Value.Expected, w.Value.Ratio)).ToList())).ToList()));
        }).WithSummary("Data completeness of a site per period: readings stored against sequence numbers sent, per device and window (default one window for the range; default range last 24 h).");

        viewer.MapGet("/export", async (HttpContext http, CsvExport export, QueryOptions options, TimeProvider time) =>
        {
            var q = http.Request.Query;
            var site = QueryParameters.Id(q["site"], "site");
            var device = QueryParameters.OptionalId(q["device"], "device");
            var quantity = string.IsNullOrEmpty(q["quantity"]) ? null : QueryParameters.Quantity(q["quantity"]);
            var to = QueryParameters.Time(q["to"], "to", time.GetUtcNow().ToUnixTimeSeconds());
            var from = QueryParameters.Time(q["from"], "from", to - 86400);
            QueryParameters.Range(from, to, options);
            var request = new ExportRequest(site, device, quantity, from, to);
            return Results.Stream(
                stream => export.WriteAsync(request, stream, http.RequestAborted),
                "text/csv; charset=utf-8",
                $"{site}-{quantity?.Code ?? "all"}-{DateTimeOffset.FromUnixTimeSeconds(from):yyyyMMdd}-{DateTimeOffset.FromUnixTimeSeconds(to):yyyyMMdd}.csv");
        }).WithSummary("Raw readings as CSV, streamed span by span (long ranges are fine). Parameters: site, device, quantity (none = all), from, to.");

        api.MapPut("/sites/{site}", (string site, SiteProfileRequest body, DeviceRegistry registry, SiteProfiles profiles) =>
        {
            QueryParameters.Id(site, "site");
            var problem = SiteProfiles.Check(body.Lat, body.Lon, body.Basin, body.Type);
            if (problem is not null)
            {
                throw new BadQueryException(problem);
            }

            var existing = profiles.Find(site);
            registry.AddSite(site, body.Name ?? existing?.Name);
            profiles.Set(site, body.Lat, body.Lon, body.Basin, body.Type);
            return Results.Ok(profiles.Find(site));
        }).RequireApiRole(ApiRole.Admin).WithSummary("Creates or updates a site with its location, basin and type (admin).");

        return app;
    }

    /// <summary>
    /// The limits of threshold rules with an active alert on these sites (and device) and this quantity:
    /// the side that was crossed (<c>above</c> when the worst value reached it, else <c>below</c>), labelled with the rule's name.
    /// </summary>
    internal static IEnumerable<Threshold> AlertThresholds(AlertsService alerts, IReadOnlyList<string> sites, string? device, string quantity)
    {
        if (!alerts.Started)
        {
            return [];
        }

        var rules = alerts.Store.LoadRules().ToDictionary(r => r.Rule.Id, r => r.Rule, StringComparer.Ordinal);
        var found = new List<Threshold>();
        foreach (var a in alerts.Store.ListAlerts(new AlertQuery("active", sites.Count == 1 ? sites[0] : null, device, Limit: 1000)))
        {
            if ((sites.Count > 0 && !sites.Contains(a.Site)) || !rules.TryGetValue(a.RuleId, out var rule) || rule.Kind != RuleKind.Threshold || !rule.MatchesQuantity(quantity))
            {
                continue;
            }

            var limit = rule.Above is { } above && (rule.Below is null || (a.Worst ?? a.Value) >= above) ? above : rule.Below;
            if (limit is { } value && !found.Any(t => t.Label == rule.Name && t.Value == value))
            {
                found.Add(new Threshold(rule.Name, value));
            }
        }

        return found;
    }

    internal static SiteSummary Summary(SiteProfile p, IReadOnlyList<string> devices, SiteStatus status, LatestValueCache cache, AlertsService alerts, ILookup<string, Alert>? openAlerts = null)
    {
        var verdict = status.Site(p.Id, devices, openAlerts);
        DateTimeOffset? lastSeen = null;
        foreach (var d in devices)
        {
            if (cache.Device(p.Id, d) is { } s && (lastSeen is null || s.LastSeen > lastSeen))
            {
                lastSeen = s.LastSeen;
            }
        }

        return new SiteSummary(p.Id, p.Name, p.Lat, p.Lon, p.Basin, p.Type, verdict.Status, verdict.Reasons, devices.Count, lastSeen, alerts.Started ? alerts.Engine.FloodLevel(p.Id) : null, verdict.Details);
    }

    private static DeviceHealth Health(Device d, Ledger ledger, SiteStatus status, LatestValueCache cache)
    {
        var s = cache.Device(d.SiteId, d.Id);
        var verdict = status.Device(d.SiteId, d.Id);
        var entry = ledger.Devices.FirstOrDefault(l => l.Site == d.SiteId && l.Device == d.Id);
        return new DeviceHealth(
            d.Id,
            d.Enabled,
            verdict.Status,
            verdict.Reasons,
            s?.LastSeen,
            s?.Battery,
            s?.Rssi,
            s?.Backlog,
            s?.Dropped,
            s?.Boot,
            s?.Firmware,
            s?.ReportIntervalSeconds ?? 0,
            entry?.HighestSequence ?? 0,
            entry?.MissingCount ?? 0,
            entry?.Gaps.Select(g => new[] { g.From, g.To }).ToList() ?? [],
            entry?.Duplicates ?? 0,
            verdict.Details,
            entry?.Cellular is { } c ? new CellularNetwork(c.Operator, c.AccessTech, c.Rsrp, c.Iccid) : null);
    }

    private static LatestValue Latest(LatestReading v) => new(v.Site, v.Device, v.Quantity, Quantities.UnitOf(v.Quantity), v.T, v.Value, v.Flags, v.Raw, v.Cal);
}
