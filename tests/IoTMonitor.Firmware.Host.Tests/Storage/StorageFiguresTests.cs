using System.Globalization;
using System.Text.RegularExpressions;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Queue;
using IoTMonitor.Firmware.Host.Node;
using IoTMonitor.Firmware.Core.Tests;
using IoTMonitor.Firmware.RuntimeModel.LittleFs;
using Xunit.Abstractions;

namespace IoTMonitor.Firmware.Host.Tests.Storage;

/// <summary>
/// Capacity (hours of outage before the first dropped reading) and flash wear of each shipped node
/// type, measured on the LittleFS model at the configs' default intervals, and bound to the table
/// in firmware/README.md so the published figures cannot drift.
/// </summary>
public partial class StorageFiguresTests(ITestOutputHelper output)
{
    internal sealed record Figures(string Type, int SampleSec, double ReadingsPerWake, double OutageHours, double ErasesPerReading, double ErasesPerDay, int DynamicBlocks, double Years);

    internal static Figures Measure(string type)
    {
        // Outage: the network is down from the first wake until the queue first drops a reading.
        var outage = new StorageFigures(type);
        var down = new DownLink();
        long lastSampleBeforeDrop = outage.StartUtc;
        int sampleSec = 0;
        for (int i = 0; i < 20_000; i++)
        {
            var before = outage.NowUtc;
            var sampledBefore = outage.Sampled;
            var cycle = outage.Wake(down);
            sampleSec = cycle.Config.SampleSec;
            if (cycle.Queue.Dropped > 0)
            {
                break;
            }

            if (outage.Sampled > sampledBefore)
            {
                lastSampleBeforeDrop = before;
            }

            Assert.True(i < 19_999, "the queue never filled");
        }

        double outageHours = (lastSampleBeforeDrop - outage.StartUtc) / 3600.0;
        double readingsPerWake = (double)outage.Sampled / Math.Max(1, outage.Wakes);

        // Wear: normal operation for 14 days, uploads acknowledged.
        var normal = new StorageFigures(type);
        var ack = new AckLink();
        while (normal.NowUtc - normal.StartUtc < 2 * 86_400)
        {
            normal.Wake(ack); // settle: first boot, first files
        }

        var e0 = normal.Flash.Counters.Erases;
        var s0 = normal.Sampled;
        var t0 = normal.NowUtc;
        while (normal.NowUtc - t0 < 14 * 86_400)
        {
            normal.Wake(ack);
        }

        double erases = normal.Flash.Counters.Erases - e0;
        double days = (normal.NowUtc - t0) / 86_400.0;
        double perReading = erases / (normal.Sampled - s0);
        double perDay = erases / days;
        int dynamicBlocks = normal.Flash.Geometry.BlockCount - normal.StaticBlocks();
        double years = dynamicBlocks * StorageFigures.EraseCyclesPerSector / perDay / 365.25;
        return new Figures(type, sampleSec, readingsPerWake, outageHours, perReading, perDay, dynamicBlocks, years);
    }

    [Theory]
    [InlineData("water")]
    [InlineData("soil")]
    [InlineData("air")]
    public void Each_shipped_node_type_holds_a_week_of_outage_and_matches_the_published_figures(string type)
    {
        var f = Measure(type);
        output.WriteLine($"| {f.Type} | {f.SampleSec} s | {f.ReadingsPerWake:F1} | {f.OutageHours:F0} h ({f.OutageHours / 24:F1} d) | {f.ErasesPerReading:F3} | {f.ErasesPerDay:F0} | {f.Years:F0} |");
        Assert.True(f.OutageHours >= 7 * 24, $"{type}: {f.OutageHours:F0} h of outage, less than 7 days");

        var row = PublishedRow(type);
        Assert.Equal(f.SampleSec, int.Parse(row.Groups["sample"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(Math.Round(f.OutageHours), double.Parse(row.Groups["hours"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(Math.Round(f.ErasesPerReading, 3), double.Parse(row.Groups["epr"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(Math.Round(f.ErasesPerDay), double.Parse(row.Groups["epd"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(Math.Round(f.Years), double.Parse(row.Groups["years"].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_queue_budget_fits_the_partition_beside_its_neighbours_at_their_largest()
    {
        // config.json, the runtime's config files with a 2 KB CA certificate, both remote-config
        // files at the largest size the parser accepts, both state files, and a full queue; then
        // a remote config rewrite (copy-on-write) and an append: no IOException, nothing dropped.
        var config = File.ReadAllBytes(RepoPaths.Combine("firmware", "IoTMonitor.Firmware", "config", "air.json"));
        var flash = FlashVolumes.Esp32With(config, certificateBytes: 2048);
        var files = new ModelFileStore(flash);
        var state = new NodeState(files);
        var remote = new byte[NodeState.MaxRemoteConfigBytes];
        state.SaveRemoteConfig(remote, remote.Length);
        state.SaveRemoteConfig(remote, remote.Length);
        state.Save();
        state.Save();

        var queue = new FlashQueue(files, VirtualNode.QueueBudgetBytes);
        queue.Open();
        int seq = 0;
        while (queue.Segments < queue.MaxSegments || queue.PendingCount > 0 || !Full(queue))
        {
            for (int i = 0; i < 8; i++)
            {
                var r = new Core.Protocol.Reading { Seq = ++seq, Time = 1_764_316_800 + (seq * 100), Quantity = 1, Value = seq, Raw = seq, HasRaw = true };
                queue.Append(ref r, 1);
            }

            queue.Persist();
            Assert.True(seq < 100_000);
        }

        Assert.Equal(0, queue.Dropped);
        state.SaveRemoteConfig(remote, remote.Length);
        state.Save();
        output.WriteLine($"{flash.BlocksUsed} of {flash.Geometry.BlockCount} blocks used with a full queue ({queue.Segments} segments) and every neighbour at its largest");
        Assert.InRange(flash.BlocksUsed, 1, flash.Geometry.BlockCount - 1);
    }

    private static bool Full(FlashQueue q) => q.Segments == q.MaxSegments;

    private static Match PublishedRow(string type)
    {
        var readme = File.ReadAllText(RepoPaths.Combine("firmware", "README.md"));
        var m = RowPattern().Matches(readme).FirstOrDefault(x => x.Groups["type"].Value == type);
        Assert.True(m is not null, $"firmware/README.md has no storage figures row for {type}");
        return m!;
    }

    // | water | 900 s | 7.0 | 254 h (10.6 d) | 0.160 | 108 | 146 |
    [GeneratedRegex(@"^\| (?<type>water|soil|air) \| (?<sample>\d+) s \| [\d.]+ \| (?<hours>\d+) h \([\d.]+ d\) \| (?<epr>[\d.]+) \| (?<epd>\d+) \| (?<years>\d+) \|", RegexOptions.Multiline)]
    private static partial Regex RowPattern();
}
