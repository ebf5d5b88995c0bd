using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;
using MQTTnet;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>
/// The whole path with the real gateway and a real InfluxDB: readings in over MQTT → real-time, minute,
/// hourly and daily packets out to the simulated platform, each aggregate equal to an InfluxQL aggregate
/// the test computes itself over the same period; then the platform goes down, the gateway restarts,
/// a node's late backlog arrives, the platform comes back — every packet arrives, none twice as new.
/// </summary>
[Collection("influx")]
public sealed class Hj212EndToEnd_Tests(InfluxDbFixture influx)
{
    private const string Site = "river-1";
    private const string Device = "wq-1";
    private const string Mn = "SW330100001";
    private static readonly TimeSpan Offset = TimeSpan.FromHours(8);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private long _seq;

    [Fact]
    public async Task Readings_reach_the_platform_as_real_time_minute_hourly_and_daily_packets_through_an_outage_and_a_restart()
    {
        var dataDir = Directory.CreateTempSubdirectory("iotmon-hj212-e2e-").FullName;
        var database = GatewayHarness.NewDatabase();
        await using var platform = new Hj212PlatformSimulator();
        try
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var localDay = LocalDayStart(now);
            var day = localDay - 86400; // yesterday, local time: closed
            var t0 = day + (2 * 3600);

            // 1. history already in InfluxDB before the platform is connected (the gateway without forwarding)
            string secret;
            await using (var first = await GatewayHarness.StartAsync(influx.Server, database, dataDir))
            {
                secret = await first.EnrolAsync(Site, Device);
                using var node = await GatewayHarness.ConnectDeviceAsync(first.MqttPort, Device, secret);
                for (var k = 0; k < 60; k++)
                {
                    var t = t0 + (k * 120);
                    var flags = k == 10 ? 1 : 0; // OUT_OF_RANGE: left out of the aggregates
                    await PublishAsync(node, t, [("water.ph", k == 10 ? 7.5 : 7.0 + ((k % 7) * 0.03), flags), ("water.temp", 14 + ((k % 5) * 0.25), 0), ("water.ec", 500 + k, 0), ("water.turbidity", 3.2, 0)]);
                }

                Assert.Equal(240, await GatewayHarness.WaitForCountAsync(influx.Server, database, 240, Wait));
            }

            string[] forwarding =
            [
                "--Forwarding:Hj212:Platforms:0:Name=agency",
                "--Forwarding:Hj212:Platforms:0:Host=127.0.0.1",
                $"--Forwarding:Hj212:Platforms:0:Port={platform.Port}",
                "--Forwarding:Hj212:Platforms:0:Password=123456",
                $"--Forwarding:Hj212:Platforms:0:Sites:0:Site={Site}",
                $"--Forwarding:Hj212:Platforms:0:Sites:0:Mn={Mn}",
                "--Forwarding:Hj212:Platforms:0:Sites:0:St=21",
                $"--Forwarding:Hj212:StartFrom={DateTimeOffset.FromUnixTimeSeconds(day):O}",
                "--Forwarding:Hj212:SettleSeconds=2",
                "--Forwarding:Hj212:PollSeconds=1",
                "--Forwarding:Hj212:AnswerTimeoutSeconds=1",
                "--Forwarding:Hj212:RetryCount=1",
                "--Forwarding:Hj212:ReconnectSeconds=1",
            ];

            var realTime = new List<long>();

            // 2. forwarding on: the periods since StartFrom are built from InfluxDB; new readings go out as real-time data
            await using (var second = await GatewayHarness.StartAsync(influx.Server, database, dataDir, forwarding))
            {
                await platform.WaitForAsync(p => Count(p, "2051") >= 12 && Count(p, "2061") >= 2 && Count(p, "2031") >= 1, Wait);
                using var node = await GatewayHarness.ConnectDeviceAsync(second.MqttPort, Device, secret);
                for (var i = 0; i < 5; i++)
                {
                    var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60 + i;
                    realTime.Add(t);
                    await PublishAsync(node, t, [("water.ph", 7.2 + (i * 0.01), 0), ("water.do", 8.5, 64), ("water.turbidity", 3.4, 0)]);
                }

                await platform.WaitForAsync(p => Count(p, "2011") >= 5, Wait);

                // a history request for the first hour: 9011, the hour's packet, 9012, with the request's QN
                await platform.SendAsync(string.Create(CultureInfo.InvariantCulture, $"QN=20261121100000001;ST=21;CN=2061;PW=123456;MN={Mn};Flag=5;CP=&&BeginTime={Local(t0)};EndTime={Local(t0 + 1800)}&&"));
                var history = (await platform.WaitForAsync(p => p.Count(x => x.Qn == "20261121100000001") >= 3, Wait)).Where(x => x.Qn == "20261121100000001").ToList();
                Assert.Equal(["9011", "2061", "9012"], history.Select(x => x.Cn));
                Assert.Equal(("QnRtn=1", "ExeRtn=1", 4), (history[0].Cp, history[2].Cp, history[1].Flag));
                Assert.Equal(Local(t0), history[1].Items["DataTime"]);

                // 3. the platform goes down; readings keep coming; the gateway restarts while it is down
                platform.GoDown();
                for (var i = 0; i < 5; i++)
                {
                    var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 50 + i;
                    realTime.Add(t);
                    await PublishAsync(node, t, [("water.ph", 7.3 + (i * 0.01), 0), ("water.temp", 15.5, 8)]);
                }

                await Task.Delay(1500);
                var pending = await second.Http.GetFromJsonAsync<JsonElement>("/api/v1/forwarding/hj212");
                Assert.True(pending.GetProperty("platforms")[0].GetProperty("pending").GetInt64() >= 5);
                Assert.False(pending.GetProperty("platforms")[0].GetProperty("connected").GetBoolean());
            }

            var beforeRestart = platform.Packets.Count;
            await using (var third = await GatewayHarness.StartAsync(influx.Server, database, dataDir, forwarding))
            {
                using var node = await GatewayHarness.ConnectDeviceAsync(third.MqttPort, Device, secret);
                for (var i = 0; i < 3; i++)
                {
                    var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 40 + i;
                    realTime.Add(t);
                    await PublishAsync(node, t, [("water.ph", 7.4 + (i * 0.01), 0)]);
                }

                // a node's flash backlog: a reading of the first hour arrives now; its periods are sent again as the history they are
                await PublishAsync(node, t0 + 61, [("water.ph", 8.88, 0)]);
                platform.ComeBack();

                var all = await platform.WaitForAsync(p => Count(p, "2011") >= 13 && p.Any(x => x.Cn == "2061" && x.Items["DataTime"] == Local(t0) && x.Items["w01001-Max"] == "8.88") && p.Any(x => x.Cn == "2031" && x.Items.GetValueOrDefault("w01001-Max") == "8.88") && p.Any(x => x.Cn == "2051" && x.Items["DataTime"] == Local(t0) && x.Items.GetValueOrDefault("w01001-Max") == "8.88"), Wait);
                await WaitPendingAsync(third, 0);

                // periods made dirty by the last readings are built SettleSeconds (2) after they arrived: let them go out too
                await Task.Delay(4000);
                await WaitPendingAsync(third, 0);
                Assert.True(platform.Packets.Count > beforeRestart);

                var status = (await third.Http.GetFromJsonAsync<JsonElement>("/api/v1/forwarding/hj212")).GetProperty("platforms")[0];
                Assert.Equal(("agency", 0L), (status.GetProperty("name").GetString(), status.GetProperty("pending").GetInt64()));
                Assert.True(status.GetProperty("answered").GetInt64() > 0);
                var metrics = await third.Http.GetStringAsync("/metrics");
                Assert.Contains("iotmon_hj212_pending_packets{platform=\"agency\"} 0", metrics, StringComparison.Ordinal);
                Assert.Matches("iotmon_hj212_packets_answered_total\\{platform=\"agency\"\\} [1-9]", metrics);
            }

            var packets = platform.Packets.ToList();
            Assert.Empty(platform.Violations);

            // a QN is one packet: sent again only as the same bytes
            foreach (var same in packets.GroupBy(p => p.Qn).Where(g => g.Key != "20261121100000001"))
            {
                Assert.Single(same.Select(p => p.Raw).Distinct());
            }

            var fresh = packets.Where(p => p.Qn != "20261121100000001").GroupBy(p => p.Qn).Select(g => g.First()).ToList();

            // nothing twice as new: per CN and DataTime each new packet has other content
            foreach (var g in fresh.GroupBy(p => (p.Cn, p.Items["DataTime"])))
            {
                Assert.Equal(g.Count(), g.Select(p => p.Cp).Distinct().Count());
            }

            // real-time: one packet per sampling time, values and flags as sent, turbidity (no 2017 code) left out
            var rt = fresh.Where(p => p.Cn == "2011").ToList();
            Assert.Equal(realTime.Select(Local).Order(), rt.Select(p => p.Items["DataTime"]).Order());
            Assert.DoesNotContain(rt, p => p.Items["DataTime"] == Local(t0 + 61));
            Assert.All(rt, p => Assert.Equal(5, p.Flag));
            var firstRt = rt.Single(p => p.Items["DataTime"] == Local(realTime[0]));
            Assert.Equal(("7.2", "N", "8.5", "D"), (firstRt.Items["w01001-Rtd"], firstRt.Items["w01001-Flag"], firstRt.Items["w01009-Rtd"], firstRt.Items["w01009-Flag"]));
            Assert.DoesNotContain(rt, p => p.Cp.Contains("w01003", StringComparison.Ordinal));
            Assert.Equal("M", rt.Single(p => p.Items["DataTime"] == Local(realTime[5])).Items["w01010-Flag"]);

            // every period of the history has its packet, and the newest packet of each period equals InfluxQL over that period
            var expectedMinutes = Enumerable.Range(0, 12).Select(i => Local(t0 + (i * 600))).ToList();
            Assert.Subset(fresh.Where(p => p.Cn == "2051").Select(p => p.Items["DataTime"]).ToHashSet(), expectedMinutes.ToHashSet());
            Assert.Subset(fresh.Where(p => p.Cn == "2061").Select(p => p.Items["DataTime"]).ToHashSet(), new HashSet<string> { Local(t0), Local(t0 + 3600) });
            Assert.Contains(fresh, p => p.Cn == "2031" && p.Items["DataTime"] == Local(day));
            var checkedPeriods = 0;
            foreach (var latest in fresh.Where(p => p.Cn is "2051" or "2061" or "2031").GroupBy(p => (p.Cn, p.Items["DataTime"])).Select(g => g.Last()))
            {
                var start = DateTimeOffset.ParseExact(latest.Items["DataTime"] + "+08:00", "yyyyMMddHHmmsszzz", CultureInfo.InvariantCulture).ToUnixTimeSeconds();
                var length = latest.Cn switch { "2051" => 600, "2061" => 3600, _ => 86400 };
                var rows = await influx.Server.RowsAsync(string.Create(CultureInfo.InvariantCulture, $"SELECT min(value), mean(value), max(value) FROM water WHERE site = '{Site}' AND flags = 0 AND time >= {start}s AND time < {start + length}s GROUP BY quantity"), database);
                var expected = rows.Where(r => Codes.ContainsKey(r["quantity"].GetString()!)).ToDictionary(r => Codes[r["quantity"].GetString()!], r => (Min: r["min"].GetDouble(), Avg: r["mean"].GetDouble(), Max: r["max"].GetDouble()));
                Assert.Equal(expected.Keys.Order(), latest.Items.Keys.Where(k => k.EndsWith("-Avg", StringComparison.Ordinal)).Select(k => k[..^4]).Order());
                foreach (var (code, v) in expected)
                {
                    Close(v.Min, latest.Items[code + "-Min"], 2);
                    Close(v.Avg, latest.Items[code + "-Avg"], 5);
                    Close(v.Max, latest.Items[code + "-Max"], 2);
                }

                checkedPeriods++;
            }

            Assert.True(checkedPeriods >= 15, $"{checkedPeriods} periods checked");
        }
        finally
        {
            Directory.Delete(dataDir, true);
        }
    }

    private static readonly Dictionary<string, string> Codes = new() { ["ph"] = "w01001", ["temp"] = "w01010", ["ec"] = "w01014", ["do"] = "w01009" };

    private static void Close(double expected, string sent, int decimals)
    {
        var value = double.Parse(sent, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(value - expected) <= (0.5 * Math.Pow(10, -decimals)) + 1e-9, $"sent {sent}, InfluxQL {expected.ToString(CultureInfo.InvariantCulture)}");
    }

    private static int Count(IReadOnlyList<PlatformPacket> packets, string cn) => packets.Where(p => p.Cn == cn).Select(p => p.Qn).Distinct().Count();

    private static long LocalDayStart(long t) => t - (((t + (long)Offset.TotalSeconds) % 86400) + 86400) % 86400;

    private static string Local(long t) => DateTimeOffset.FromUnixTimeSeconds(t).ToOffset(Offset).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    private static async Task WaitPendingAsync(InProcessGateway gateway, long pending)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var status = (await gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/forwarding/hj212")).GetProperty("platforms")[0];
            if (status.GetProperty("pending").GetInt64() == pending)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"pending {status.GetProperty("pending").GetInt64()}");
            await Task.Delay(200);
        }
    }

    private async Task PublishAsync(IMqttClient node, long t, (string Quantity, double Value, int Flags)[] readings)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"v\":1,\"fw\":\"1.0.0\",\"boot\":1,\"clk\":{DateTimeOffset.UtcNow.ToUnixTimeSeconds()},\"h\":{{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":2}},\"r\":[");
        sb.AppendJoin(',', readings.Select(r => string.Create(CultureInfo.InvariantCulture, $"[{++_seq},{t},\"{r.Quantity}\",{r.Value},{r.Flags}]")));
        sb.Append("]}");
        var result = await GatewayHarness.PublishAsync(node, Payloads.Topic(Site, Device), Encoding.UTF8.GetBytes(sb.ToString()));
        Assert.True(result.IsSuccess, result.ReasonString);
    }
}
