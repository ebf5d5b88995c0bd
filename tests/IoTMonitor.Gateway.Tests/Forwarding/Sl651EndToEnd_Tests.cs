using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;
using MQTTnet;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>
/// The whole path with the real gateway and a real InfluxDB: a gauge's running rain total and a level
/// probe in over MQTT → hourly (34), timed (32) and additional (33) reports out to the simulated
/// centre station, the 5-minute series and the hour's rain equal to what the test computes itself
/// from InfluxQL over the same period; a real-time query answered; then the centre goes down, a
/// node's late reading changes an hour already sent, the gateway restarts, the centre comes back —
/// every report arrives, none twice as new, a resend always the same bytes.
/// </summary>
[Collection("influx")]
public sealed class Sl651EndToEnd_Tests(InfluxDbFixture influx)
{
    private const string Site = "river-1";
    private const string Device = "wl-1";
    private const string Station = "0012345678";
    private static readonly TimeSpan Offset = TimeSpan.FromHours(8);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Rain_and_level_reach_the_centre_as_hourly_timed_and_event_reports_through_an_outage_and_a_restart()
    {
        var dataDir = Directory.CreateTempSubdirectory("iotmon-sl651-e2e-").FullName;
        var database = GatewayHarness.NewDatabase();
        await using var centre = new Sl651PlatformSimulator([Station]);
        try
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var day = LocalDayStart(now) - 86400; // yesterday, local time: closed
            var t0 = day + (2 * 3600);
            var totals = new double[24];
            var total = 0.0;
            for (var k = 0; k < 24; k++)
            {
                total += k == 14 ? 2.0 : 0.2 * (1 + (k % 3));
                totals[k] = Math.Round(total, 1);
            }

            // 1. two hours of history in InfluxDB before any platform is configured; the gauge's reading of minute 26 is held back
            string secret;
            await using (var first = await GatewayHarness.StartAsync(influx.Server, database, dataDir))
            {
                secret = await first.EnrolAsync(Site, Device);
                using var node = await GatewayHarness.ConnectDeviceAsync(first.MqttPort, Device, secret);
                for (var k = 0; k < 24; k++)
                {
                    var t = t0 + (k * 300) + 60;
                    await PublishAsync(node, t, k == 5 ? [(1001 + (2 * k), "water.level", 1.2 + (0.01 * k))] : [(1000 + (2 * k), "rain.total", totals[k]), (1001 + (2 * k), "water.level", 1.2 + (0.01 * k))]);
                }

                Assert.Equal(24, await GatewayHarness.WaitForCountAsync(influx.Server, database, 24, Wait));
                Assert.Equal(23, await GatewayHarness.WaitForCountAsync(influx.Server, database, 23, Wait, "rain"));
            }

            string[] forwarding =
            [
                "--Forwarding:Sl651:Platforms:0:Name=hydro",
                "--Forwarding:Sl651:Platforms:0:Host=127.0.0.1",
                $"--Forwarding:Sl651:Platforms:0:Port={centre.Port}",
                "--Forwarding:Sl651:Platforms:0:CentreAddress=1",
                "--Forwarding:Sl651:Platforms:0:Password=1234",
                $"--Forwarding:Sl651:Platforms:0:Sites:0:Site={Site}",
                $"--Forwarding:Sl651:Platforms:0:Sites:0:Station={Station}",
                "--Forwarding:Sl651:Platforms:0:Sites:0:Category=H",
                "--Forwarding:Sl651:Platforms:0:Sites:0:LevelBaseMetres=100",
                $"--Forwarding:Sl651:StartFrom={DateTimeOffset.FromUnixTimeSeconds(t0 - 3600):O}",
                "--Forwarding:Sl651:EventRainMm=1.5",
                "--Forwarding:Sl651:EventRainMinutes=15",
                "--Forwarding:Sl651:SettleSeconds=2",
                "--Forwarding:Sl651:PollSeconds=1",
                "--Forwarding:Sl651:AnswerTimeoutSeconds=1",
                "--Forwarding:Sl651:RetryCount=1",
                "--Forwarding:Sl651:ReconnectSeconds=1",
                $"--Alerts:FlashFlood:Sites:{Site}:LevelPrepare=2.0",
                $"--Alerts:FlashFlood:Sites:{Site}:Source=test site figures",
                $"--Alerts:FlashFlood:Sites:{Site}:Targets:0:Name=Shangba village",
            ];

            // 2. forwarding on: the periods since StartFrom are built from InfluxDB
            await using (var second = await GatewayHarness.StartAsync(influx.Server, database, dataDir, forwarding))
            {
                await centre.WaitForAsync(f => Reports(f, 0x34).Count >= 2 && Reports(f, 0x32).Count >= 2 && Reports(f, 0x33).Count >= 1, Wait);
                Assert.True(Reports(centre.Frames.ToList(), 0x34).Count >= 2, "hourly reports of both hours");

                // a real-time query (37): answered with the request's serial number and the level just sent
                using var node = await GatewayHarness.ConnectDeviceAsync(second.MqttPort, Device, secret);
                await PublishAsync(node, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30, [(5000, "water.level", 2.345)]);
                await Task.Delay(1500);
                await centre.SendAsync(Sl651PlatformSimulator.Downlink(Station, 0x37, Sl651PlatformSimulator.SerialAndTime(4321, DateTimeOffset.UtcNow), 0x05));
                var answer = (await centre.WaitForAsync(f => f.Any(x => x.Function == 0x37), Wait)).Single(x => x.Function == 0x37);
                Assert.Equal((4321, 102.345), (answer.Serial, answer.Elements[0x39].Number));

                // a time-period query (38): the stage every 5 minutes of hour 1, each the last level reading of the 5 minutes up to it
                byte[] query = [.. Sl651PlatformSimulator.SerialAndTime(4322, DateTimeOffset.UtcNow), .. Sl651PlatformSimulator.Bcd(Local(t0).ToString("yyMMddHH", CultureInfo.InvariantCulture)), .. Sl651PlatformSimulator.Bcd(Local(t0 + 3600).ToString("yyMMddHH", CultureInfo.InvariantCulture)), 0x04, 0x18, 0x00, 0x00, 0x05, 0x39, 0x23];
                await centre.SendAsync(Sl651PlatformSimulator.Downlink(Station, 0x38, query, 0x05));
                var period = (await centre.WaitForAsync(f => f.Any(x => x.Function == 0x38), Wait)).Single(x => x.Function == 0x38);
                Assert.Equal((4322, Local(t0), "000005"), (period.Serial, period.Observed, Convert.ToHexString(period.Elements[0x04].Data)));
                var points = period.Elements[0x39].Data.Chunk(4).Select(c => Convert.ToHexString(c)).ToList();
                Assert.Equal(13, points.Count);
                Assert.Equal("FFFFFFFF", points[0]);
                for (var i = 1; i < 13; i++)
                {
                    Assert.Equal((100 + 1.2 + (0.01 * (i - 1))).ToString("00000.000", CultureInfo.InvariantCulture).Replace(".", string.Empty, StringComparison.Ordinal), points[i]);
                }

                // the level reached the site's flash-flood warning level (2.0 m): the warning goes out as an additional report (33)
                var warned = (await centre.WaitForAsync(f => f.Any(x => x.Function == 0x33 && x.Observed > DateTimeOffset.UtcNow.AddHours(-1)), Wait)).Where(x => x.Function == 0x33 && x.Observed > DateTimeOffset.UtcNow.AddHours(-1)).ToList();
                Assert.Single(warned.Select(x => x.Serial).Distinct());
                Assert.Equal(102.345, warned[0].Elements[0x39].Number);

                // 3. the centre goes down; the held-back reading of minute 26 arrives (a node's flash backlog) and changes hour 1
                centre.GoDown();
                await PublishAsync(node, t0 + (5 * 300) + 60, [(1010, "rain.total", totals[5])]);
                await WaitPendingAsync(second, p => p >= 1);
            }

            // 4. the gateway restarts while the centre is down, then the centre comes back
            await using (var third = await GatewayHarness.StartAsync(influx.Server, database, dataDir, forwarding))
            {
                await Task.Delay(1500);
                centre.ComeBack();
                await WaitPendingAsync(third, p => p == 0);
                var status = (await third.Http.GetFromJsonAsync<JsonElement>("/api/v1/forwarding/sl651")).GetProperty("platforms")[0];
                Assert.Equal(("hydro", 0L), (status.GetProperty("name").GetString(), status.GetProperty("pending").GetInt64()));
                Assert.True(status.GetProperty("answered").GetInt64() > 0);
                var metrics = await third.Http.GetStringAsync("/metrics");
                Assert.Contains("iotmon_sl651_pending_packets{platform=\"hydro\"} 0", metrics, StringComparison.Ordinal);
                Assert.Matches("iotmon_sl651_packets_answered_total\\{platform=\"hydro\"\\} [1-9]", metrics);
            }

            var frames = centre.Frames.ToList();
            Assert.Empty(centre.Violations);

            // a serial number is one report: sent again only as the same bytes
            var reports = frames.Where(f => f.Function is 0x32 or 0x33 or 0x34).ToList();
            foreach (var same in reports.GroupBy(f => f.Serial))
            {
                Assert.Single(same.Select(f => f.Hex).Distinct());
            }

            // nothing twice as new: per function and observation time each new report has other content
            var fresh = reports.GroupBy(f => f.Serial).Select(g => g.First()).ToList();
            foreach (var g in fresh.GroupBy(f => (f.Function, f.Observed)))
            {
                Assert.Equal(g.Count(), g.Select(f => string.Concat(f.Elements.OrderBy(e => e.Key).Select(e => $"{e.Key:X2}{e.Value.Definition:X2}{Convert.ToHexString(e.Value.Data)}"))).Distinct().Count());
            }

            // hour 1 was sent twice (before and after the late reading), hour 2 once
            var hour1 = Local(t0 + 3600);
            var hour2 = Local(t0 + 7200);
            Assert.Equal(2, fresh.Count(f => f.Function == 0x34 && f.Observed == hour1));
            Assert.Single(fresh, f => f.Function == 0x34 && f.Observed == hour2);
            Assert.Equal(new[] { hour1, hour2 }, fresh.Where(f => f.Function == 0x34).Select(f => f.Observed!.Value).Distinct().Order());

            // the newest report of each hour equals what InfluxQL gives over that hour
            foreach (var end in new[] { t0 + 3600, t0 + 7200 })
            {
                var hourly = fresh.Last(f => f.Function == 0x34 && f.Observed == Local(end));
                var (buckets, read, hourRain) = await RainAsync(database, end - 3600, end);
                var f4 = hourly.Elements[0xF4].Data;
                for (var i = 0; i < 12; i++)
                {
                    Assert.Equal(read[i] ? (byte)Math.Round(buckets[i] * 10, MidpointRounding.AwayFromZero) : (byte)0xFF, f4[i]);
                }

                Assert.Equal(hourRain, hourly.Elements[0x1A].Number!.Value, 6);
                var levels = await influx.Server.RowsAsync(string.Create(CultureInfo.InvariantCulture, $"SELECT last(value) FROM water WHERE site = '{Site}' AND quantity = 'level' AND flags = 0 AND time >= {end - 3600}s AND time < {end}s GROUP BY time(5m) fill(none)"), database);
                var f5 = hourly.Elements[0xF5].Data;
                for (var i = 0; i < 12; i++)
                {
                    var bucket = (end - 3600 + (i * 300)) * 1_000_000_000L;
                    var row = levels.SingleOrDefault(r => r["time"].GetInt64() == bucket);
                    var expected = row is null ? 0xFFFF : (int)Math.Round(row["last"].GetDouble() * 100, MidpointRounding.AwayFromZero);
                    Assert.Equal(expected, (f5[2 * i] << 8) | f5[(2 * i) + 1]);
                }

                var last = levels.OrderBy(r => r["time"].GetInt64()).Last()["last"].GetDouble();
                Assert.Equal(last + 100, hourly.Elements[0x39].Number!.Value, 6);

                // the timed report of the same hour: its rain and the stage
                var timed = fresh.Last(f => f.Function == 0x32 && f.Observed == Local(end));
                Assert.Equal((hourRain, last + 100), (timed.Elements[0x20].Number!.Value, timed.Elements[0x39].Number!.Value));
            }

            // the late reading filled minute 25–30 of hour 1: the new report has it, the first one had FF there
            var hour1Reports = fresh.Where(f => f.Function == 0x34 && f.Observed == hour1).ToList();
            Assert.Equal((byte)0xFF, hour1Reports[0].Elements[0xF4].Data[5]);
            Assert.NotEqual((byte)0xFF, hour1Reports[1].Elements[0xF4].Data[5]);

            // one additional report: the 15-minute rain first reached 1.5 mm at the end of minute 75 (k = 14)
            var crossing = t0 + (15 * 300);
            var events = fresh.Where(f => f.Function == 0x33).ToList();
            var rainEvent = Assert.Single(events, e => e.Observed == Local(crossing));
            var (_, _, windowRain) = await RainAsync(database, crossing - 900, crossing);
            Assert.Equal(windowRain, rainEvent.Elements[0x20].Number!.Value, 6);
            Assert.True(windowRain >= 1.5);
        }
        finally
        {
            Directory.Delete(dataDir, true);
        }
    }

    private static List<Sl651Received> Reports(IReadOnlyList<Sl651Received> frames, byte function) =>
        frames.Where(f => f.Function == function).GroupBy(f => f.Serial).Select(g => g.First()).ToList();

    // rain per 5 minutes of [from, to) from the raw totals: each reading's total minus its predecessor's (by sequence number)
    private async Task<(double[] Buckets, bool[] Read, double Sum)> RainAsync(string database, long from, long to)
    {
        var rows = await influx.Server.RowsAsync(string.Create(CultureInfo.InvariantCulture, $"SELECT value, seq FROM rain WHERE site = '{Site}' AND quantity = 'total' AND flags = 0 AND time < {to}s"), database);
        var readings = rows.Select(r => (T: r["time"].GetInt64() / 1_000_000_000L, V: r["value"].GetDouble(), N: r["seq"].GetInt64())).OrderBy(r => r.N).ToList();
        var buckets = new double[(to - from) / 300];
        var read = new bool[buckets.Length];
        for (var i = 0; i < readings.Count; i++)
        {
            var r = readings[i];
            if (r.T < from)
            {
                continue;
            }

            var b = (int)((r.T - from) / 300);
            buckets[b] += i == 0 ? r.V : Math.Max(0, r.V - readings[i - 1].V);
            read[b] = true;
        }

        return (buckets, read, buckets.Sum());
    }

    private static long LocalDayStart(long t) => t - ((((t + (long)Offset.TotalSeconds) % 86400) + 86400) % 86400);

    private static DateTimeOffset Local(long t) => DateTimeOffset.FromUnixTimeSeconds(t).ToOffset(Offset);

    private static async Task WaitPendingAsync(InProcessGateway gateway, Func<long, bool> done)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var status = (await gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/forwarding/sl651")).GetProperty("platforms")[0];
            if (done(status.GetProperty("pending").GetInt64()))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"pending {status.GetProperty("pending").GetInt64()}");
            await Task.Delay(200);
        }
    }

    private static async Task PublishAsync(IMqttClient node, long t, (long Seq, string Quantity, double Value)[] readings)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"v\":1,\"fw\":\"1.0.0\",\"boot\":1,\"clk\":{DateTimeOffset.UtcNow.ToUnixTimeSeconds()},\"h\":{{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":2}},\"r\":[");
        sb.AppendJoin(',', readings.Select(r => string.Create(CultureInfo.InvariantCulture, $"[{r.Seq},{t},\"{r.Quantity}\",{r.Value},0]")));
        sb.Append("]}");
        var result = await GatewayHarness.PublishAsync(node, Payloads.Topic(Site, Device), Encoding.UTF8.GetBytes(sb.ToString()));
        Assert.True(result.IsSuccess, result.ReasonString);
    }
}
