using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Testing;
using Xunit.Abstractions;

namespace IoTMonitor.EndToEnd.Tests.Cellular;

/// <summary>
/// The mixed fleet the way an operator starts it, <c>iotmon simulate --cellular-every 2</c>, against the
/// real gateway and influxd: half the nodes report over the modem model (SIMCom and Quectel), their
/// network reaches the device list, and what the run reports as acknowledged is stored once — no
/// (boot, seq) twice, and no more than the nodes sampled.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed partial class SimulateCellular_Tests(InfluxDbFixture influx, ITestOutputHelper output)
{
    [Fact]
    public async Task Simulate_with_cellular_every_2_runs_a_mixed_fleet_into_the_gateway_once()
    {
        await using var gw = await GatewayUnderTest.StartAsync(influx.Server);
        var state = Directory.CreateTempSubdirectory("iotmon-cellular-cli-").FullName;
        try
        {
            var r = await Iotmon.RunAsync("simulate", "--gateway", gw.Url, "--api-key", GatewayUnderTest.AdminKey,
                "--devices", "6", "--cellular-every", "2", "--speedup", "1200", "--backfill", "6h", "--duration", "10s",
                "--sample-sec", "300", "--upload-sec", "10", "--outages-per-day", "0", "--faulty-share", "0", "--start-spread", "60s",
                "--mqtt-host", "127.0.0.1", "--mqtt-port", gw.MqttPort.ToString(CultureInfo.InvariantCulture), "--no-live", "--state-dir", state);
            Assert.True(r.ExitCode == 0, r.Err + r.Out);
            // the closing line, unwrapped (the console wraps it at its width)
            var at = r.Out.LastIndexOf("stopped: ", StringComparison.Ordinal);
            Assert.True(at >= 0, r.Out);
            var last = Regex.Replace(r.Out[at..], @"\s+", " ").Trim();
            output.WriteLine(last);
            var m = Totals().Match(last);
            Assert.True(m.Success, last);
            long sampled = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), sent = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), backlog = long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            Assert.DoesNotContain("errors", last, StringComparison.Ordinal);
            Assert.True(sent > 100, last);

            // Three cellular nodes (every 2nd of 6) reported their network.
            var devices = await gw.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices");
            var cellular = devices.EnumerateArray().Where(d => d.GetProperty("cellular").ValueKind == JsonValueKind.Object).ToList();
            Assert.Equal(3, cellular.Count);
            Assert.All(cellular, d =>
            {
                Assert.Equal("CHINA MOBILE", d.GetProperty("cellular").GetProperty("operator").GetString());
                Assert.Equal(7, d.GetProperty("cellular").GetProperty("act").GetInt64());
                Assert.Equal("89860012345678901234", d.GetProperty("cellular").GetProperty("iccid").GetString());
            });

            // What was acknowledged is stored, once; a reading stored but not yet acknowledged is still in a backlog.
            var ids = devices.EnumerateArray().Select(d => d.GetProperty("id").GetString()!).ToList();
            long stored = 0;
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                stored = (await Counts.PerDeviceAsync(influx.Server, gw.Database)).Values.Sum();
                if (stored >= sent)
                {
                    break;
                }

                await Task.Delay(250);
            }

            Assert.InRange(stored, sent, sent + backlog);
            Assert.True(stored <= sampled);
            var perDevice = await Counts.DuplicateSequencesAsync(influx.Server, gw.Database, ids);
            Assert.All(perDevice, d => Assert.True(d.Value.Duplicates.Count == 0, $"{d.Key}: (boot, seq) stored twice: {string.Join(" ", d.Value.Duplicates.Take(10))}"));
            Assert.All(cellular, d => Assert.True(perDevice[d.GetProperty("id").GetString()!].Points > 0, $"{d.GetProperty("id").GetString()} stored nothing"));
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [GeneratedRegex(@"readings sampled (\d+), sent (\d+), backlog (\d+)")]
    private static partial Regex Totals();
}
