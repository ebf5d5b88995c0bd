using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTMonitor.EndToEnd.Tests.Support;
using IoTMonitor.Firmware.Host.Link;
using IoTMonitor.Firmware.Host.Node;
using IoTMonitor.Firmware.Host.Sensors;

namespace IoTMonitor.Cli.Tests;

/// <summary>
/// <c>iotmon calibrate</c> rehearsed end to end: a virtual water node (the real firmware core) whose
/// pH electrode has aged and reads 0.4 high, a real gateway and InfluxDB, and a technician who moves
/// the probe through the buffers when the tool asks. The record the tool builds from the probe's own
/// procedure must bring the reading back onto the buffer, through the gateway's remote config.
/// </summary>
public sealed class Calibrate_Tests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task An_aged_ph_probe_is_calibrated_on_site_and_reads_the_buffer_afterwards()
    {
        var configFile = fx.Configs["wq-0001"];
        // after the fixture's own wake (2 h back): a node's clock only moves on, and the latest-value
        // cache keeps the newest reading by sampling time
        var sim = new SimulationClock(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds(), 60);
        var spec = new NodeSpec("wei-xianyang", "wq-0001", "water", await File.ReadAllTextAsync(configFile))
        {
            Faults = new Dictionary<string, ProbeFault> { ["ph"] = new(ProbeFaultKind.Offset, 0, Offset: 0.4) },
        };
        using var node = new VirtualNode(spec, sim, new LinkOptions { MaxRealReceiveWaitMs = 500 }); // enough on loopback for a retained config
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var running = Task.Run(() => RunNode(node, sim, stop.Token));

        // the technician: pH 7.00 buffer (the default the tool offers), then a 4.01 buffer typed in
        var technician = new Technician(
            () => node.Board.PutInStandard("water.ph", 7.0), string.Empty,
            () => node.Board.PutInStandard("water.ph", 4.01), "4.01");
        var r = await Iotmon.RunAsync(technician, ["calibrate", "--device", "wq-0001", "--config", configFile, "--sensor", "ph", "--id", "cal-test-ph", "--timeout", "2m", .. fx.Key]);
        await stop.CancelAsync();
        await running;

        Assert.True(r.ExitCode == 0, r.Out + r.Err);
        Assert.Equal(2, technician.Prompts);
        Assert.Contains("captured raw", r.Out, StringComparison.Ordinal);
        var verified = r.Out.Split('\n').Single(l => l.StartsWith("In force:", StringComparison.Ordinal));
        var reads = double.Parse(verified.Split(' ')[5], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(reads is >= 3.96 and <= 4.06, r.Out); // in the 4.01 buffer: the 0.4 offset is gone

        // the gateway keeps the record in the overlay, and the calibration session's intervals are gone again
        var doc = await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/devices/wq-0001/config");
        Assert.Equal("applied", doc.GetProperty("state").GetString());
        var overlay = doc.GetProperty("desired").GetProperty("config");
        Assert.False(overlay.TryGetProperty("sampleSec", out _), overlay.GetRawText());
        Assert.False(overlay.TryGetProperty("uploadSec", out _), overlay.GetRawText());
        var record = Assert.Single(overlay.GetProperty("calibrations").EnumerateArray());
        Assert.Equal("ph", record.GetProperty("sensor").GetString());
        Assert.Equal("cal-test-ph", record.GetProperty("id").GetString());
        Assert.Equal(4.01, record.GetProperty("points").EnumerateArray().Select(p => p[1].GetDouble()).Min());

        // and the config file carries it for the next flashing
        var file = JsonNode.Parse(await File.ReadAllTextAsync(configFile))!;
        var ph = file["sensors"]!.AsArray().Single(s => (string?)s!["id"] == "ph")!;
        Assert.Equal("cal-test-ph", (string?)ph["calibration"]!["id"]);

        // the latest value the agencies see is calibrated and names the record
        var latest = await fx.Gateway.Http.GetFromJsonAsync<JsonElement>("/api/v1/latest?device=wq-0001&quantity=water.ph");
        Assert.Equal(0, latest[0].GetProperty("flags").GetInt64() & 16);
    }

    [Fact]
    public async Task A_sensor_without_a_calibration_procedure_is_refused_before_anything_is_sent()
    {
        var r = await Iotmon.RunAsync(["calibrate", "--device", "wq-0001", "--config", fx.Configs["wq-0001"], "--sensor", "temp", .. fx.Key]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("takes no calibration record", r.Err, StringComparison.Ordinal);
        var unknown = await Iotmon.RunAsync(["calibrate", "--device", "wq-0001", "--config", fx.Configs["wq-0001"], "--sensor", "orp", .. fx.Key]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no sensor 'orp'", unknown.Err, StringComparison.Ordinal);
    }

    /// <summary>Wakes the node when its simulated sleep is over, as its RTC alarm would.</summary>
    private static async Task RunNode(VirtualNode node, SimulationClock sim, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var next = node.Wake();
            while (sim.NowUtcMs < next && !stop.IsCancellationRequested)
            {
                await Task.Delay(20, CancellationToken.None);
            }
        }
    }

    /// <summary>What the technician types at each prompt, after doing what the step says.</summary>
    private sealed class Technician(params object[] script) : TextReader
    {
        private int _next;

        public int Prompts { get; private set; }

        public override string? ReadLine()
        {
            if (_next >= script.Length)
            {
                return "q";
            }

            Prompts++;
            ((Action)script[_next++])();
            return (string)script[_next++];
        }
    }
}
