using IoTMonitor.Stranger.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests;

/// <summary>
/// Query parameters as a stranger with curl sends them (docs/api.md "Errors"): every bad one is a 400
/// problem naming the parameter, never a 502 that blames InfluxDB, a 200 that quietly answers for another
/// time, or an export that starts and breaks off.
/// </summary>
[Collection("stranger")]
public sealed class ApiParameter_Tests(InfluxDbFixture influx)
{
    [Fact]
    public async Task Times_outside_what_InfluxDB_stores_are_a_400_on_every_time_endpoint()
    {
        using var gw = new StrangerGateway(influx.Server);
        await gw.StartAsync();
        await gw.EnrolAsync("site-t", "dev-t");

        // InfluxDB 1.x stores times from 1677-09-21 to 2262-04-11 (int64 nanoseconds); the API takes 1970 on
        string[] ranges =
        [
            "from=2990-01-01T00:00:00Z&to=2990-01-02T00:00:00Z",
            "from=9300000000&to=9300086400",
            "from=2262-04-10T00:00:00Z&to=2262-04-12T00:00:00Z",
            "from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z",
            "from=1969-12-31T00:00:00Z&to=1970-01-02T00:00:00Z",
        ];
        string[] endpoints =
        [
            "/api/v1/series?quantity=water.ph&window=1h&site=site-t&",
            "/api/v1/sites/site-t/completeness?",
            "/api/v1/export?site=site-t&",
            "/api/v1/alerts?",
        ];
        foreach (var endpoint in endpoints)
        {
            foreach (var range in ranges)
            {
                var (status, body) = await gw.CurlAsync("GET", endpoint + range);
                Assert.True(status == 400, $"GET {endpoint}{range}: {status} {body}");
                Assert.Contains("must be", body, StringComparison.Ordinal);
            }
        }

        // the last second InfluxDB stores still answers
        var (edge, edgeBody) = await gw.CurlAsync("GET", "/api/v1/series?quantity=water.ph&window=1d&site=site-t&from=9223300000&to=9223372036");
        Assert.True(edge == 200, edgeBody);
    }

    [Fact]
    public async Task Injection_unicode_and_negative_limits_are_refused_by_name()
    {
        using var gw = new StrangerGateway(influx.Server);
        await gw.StartAsync();
        await gw.EnrolAsync("site-i", "dev-i");
        (string Path, string Names)[] asks =
        [
            ("/api/v1/series?quantity=water.ph&window=1m&site=site-i'%20OR%201=1", "site"),
            ("/api/v1/series?quantity=water.ph%22)%20%7C%3E%20drop()&window=1m", "quantity"),
            ("/api/v1/series?quantity=water.ph&window=1m;DROP%20DATABASE%20x", "window"),
            ("/api/v1/latest?site=%E6%B0%B4%E6%96%87", "site"),
            ("/api/v1/sites/%F0%9F%92%A7", "site"),
            ("/api/v1/alerts?limit=-1", "limit"),
            ("/api/v1/devices/dev-i/commands?limit=-5", "limit"),
            ("/api/v1/series?quantity=water.ph&window=1m&from=notatime", "from"),
        ];
        foreach (var (path, name) in asks)
        {
            var (status, body) = await gw.CurlAsync("GET", path);
            Assert.True(status == 400, $"GET {path}: {status} {body}");
            Assert.Contains(name, body, StringComparison.Ordinal);
        }

        // a request line over Kestrel's 8 KiB: refused by the HTTP server itself, as docs/api.md says
        var (longStatus, _) = await gw.CurlAsync("GET", "/api/v1/sites?pad=" + new string('a', 20_000));
        Assert.Equal(414, longStatus);
    }
}
