using System.Globalization;
using System.Text.RegularExpressions;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;
using Xunit.Abstractions;

namespace IoTMonitor.Gateway.Tests.Cluster;

/// <summary>
/// Partitions spread over the replicas by lease rows in a real PostgreSQL (3 RabbitMQ nodes, gateway
/// processes, InfluxDB): a replica that joins mid-burst gets its share (the first hands the surplus over
/// after its in-flight deliveries are acknowledged), then both consume, each only its own partitions;
/// after kill -9 of one the survivor takes every partition. Every reading is stored exactly once.
/// </summary>
[Collection("influx")]
public sealed partial class ClusterSpread_Tests(InfluxDbFixture influx, PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int Devices = 16;
    private const int Messages = 120; // per device: 1,920 messages, 7,680 readings
    private const int LeaseSeconds = 4;

    [Fact]
    public async Task Two_replicas_each_consume_a_share_and_the_survivor_of_a_kill_takes_every_partition()
    {
        var state = await postgres.Server.CreateDatabaseAsync("spread");
        await using var fleet = await ClusterFleet.StartAsync(influx.Server, Devices, replicas: 1,
            "--State:Provider=postgres", $"--State:ConnectionString={state}",
            $"--Mqtt:Cluster:LeaseSeconds={LeaseSeconds}", "--Mqtt:Cluster:LeaseRenewMs=500");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var a = fleet.Replicas[0];
        await WaitAsync(async () => (await MetricsAsync(http, a)).Owned.Count == ClusterFleet.Partitions, TimeSpan.FromSeconds(30), "the first replica to take every partition");

        const int total = Devices * Messages;
        Task? join = null;
        Task<Snapshot>? balanced = null;
        long joinedAt = -1, balancedAt = -1, killedAt = -1;
        Snapshot? atKill = null;
        var start = fleet.Now;
        await fleet.PublishAllAsync(Messages, async acked =>
        {
            if (acked == total / 5 && join is null)
            {
                // a second replica joins mid-burst (in the background: a process start takes seconds)
                join = Task.Run(async () =>
                {
                    await fleet.StartReplicaAsync();
                    joinedAt = fleet.Now;
                });
                balanced = Task.Run(async () =>
                {
                    await join;
                    var b = fleet.Replicas[1];
                    while (true)
                    {
                        var (ma, mb) = (await MetricsAsync(http, a), await MetricsAsync(http, b));
                        if (ma.Owned.Count == ClusterFleet.Partitions / 2 && mb.Owned.Count == ClusterFleet.Partitions / 2)
                        {
                            balancedAt = fleet.Now;
                            return new Snapshot(ma, mb);
                        }

                        Assert.True(fleet.Now - joinedAt < 30_000, $"no fair share 30 s after the join: {ma.Owned.Count} and {mb.Owned.Count} of {ClusterFleet.Partitions}");
                        await Task.Delay(100);
                    }
                });
            }

            if (acked >= total * 3 / 5 && balanced is { IsCompleted: true } && killedAt < 0)
            {
                var b = fleet.Replicas[1];
                atKill = new Snapshot(await MetricsAsync(http, a), await MetricsAsync(http, b));
                killedAt = fleet.Now;
                a.Kill(); // SIGKILL: its lease rows stay until they expire, its unacknowledged deliveries go back to their queues
            }
        }, TimeSpan.FromMinutes(3));
        var published = fleet.Now;

        Assert.True(balanced is not null, "the second replica never joined");
        var atBalance = await balanced!;
        Assert.True(killedAt > 0, $"the replicas were balanced only after 3/5 of the burst (balanced at {balancedAt} ms, the burst ended at {published} ms)");

        // between the balance and the kill each replica took deliveries, and only from the partitions it held
        var byA = Grew(atBalance.A, atKill!.A);
        var byB = Grew(atBalance.B, atKill.B);
        output.WriteLine($"balanced: replica a owns {string.Join(',', atBalance.A.Owned.Order())}, b owns {string.Join(',', atBalance.B.Owned.Order())}; " +
            $"deliveries until the kill: a {atKill.A.Deliveries.Values.Sum() - atBalance.A.Deliveries.Values.Sum()} on {string.Join(',', byA.Order())}, " +
            $"b {atKill.B.Deliveries.Values.Sum() - atBalance.B.Deliveries.Values.Sum()} on {string.Join(',', byB.Order())}; hand-overs by a: {atKill.A.HandedOver}");
        Assert.NotEmpty(byA);
        Assert.NotEmpty(byB);
        Assert.Subset(atBalance.A.Owned, byA);
        Assert.Subset(atBalance.B.Owned, byB);
        Assert.True(atKill.A.HandedOver >= ClusterFleet.Partitions / 2, $"replica a handed over {atKill.A.HandedOver} partitions");

        // the survivor takes every partition once the killed replica's leases expire, and is the one active consumer on each
        var survivor = fleet.Replicas[1];
        long tookAllAt = -1;
        await WaitAsync(async () =>
        {
            if ((await MetricsAsync(http, survivor)).Owned.Count < ClusterFleet.Partitions)
            {
                return false;
            }

            tookAllAt = tookAllAt < 0 ? fleet.Now : tookAllAt;
            return true;
        }, TimeSpan.FromSeconds(LeaseSeconds * 5), "the survivor to take every partition");
        Assert.Equal((ClusterFleet.Partitions, ClusterFleet.Partitions), await fleet.ConsumersAsync());

        const int readings = Devices * Messages * 4;
        Assert.Equal(readings, await GatewayHarness.WaitForCountAsync(influx.Server, fleet.Database, readings, TimeSpan.FromSeconds(120)));
        var stored = fleet.Now;
        var last = await MetricsAsync(http, survivor);
        Assert.All(last.Waiting, w => Assert.Equal(0, w.Value));
        output.WriteLine($"join mid-burst: balanced {balancedAt - joinedAt} ms after the new replica was up; kill -9 of replica a: the survivor held every partition " +
            $"{(tookAllAt < 0 ? -1 : tookAllAt - killedAt)} ms after the kill (lease {LeaseSeconds} s, /metrics polled every 100 ms); " +
            $"{total} messages acknowledged in {published - start} ms, all {readings} readings stored {stored - start} ms after the start; " +
            $"largest PUBACK gap after the kill {fleet.LargestAckGapAfter(killedAt)} ms");
    }

    private static HashSet<int> Grew(Metrics before, Metrics after) =>
        after.Deliveries.Where(d => d.Value > before.Deliveries.GetValueOrDefault(d.Key)).Select(d => d.Key).ToHashSet();

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {timeout} waiting for {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>A replica's partition lines of /metrics (deliveries, owned, waiting per queue) and its hand-over count.</summary>
    private static async Task<Metrics> MetricsAsync(HttpClient http, GatewayProcess replica)
    {
        var text = await http.GetStringAsync($"http://127.0.0.1:{replica.HttpPort}/metrics");
        var deliveries = new Dictionary<int, long>();
        var owned = new HashSet<int>();
        var waiting = new Dictionary<int, long>();
        long handedOver = 0;
        foreach (Match m in PartitionLine().Matches(text))
        {
            var partition = int.Parse(m.Groups["p"].Value, CultureInfo.InvariantCulture);
            var value = (long)double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
            switch (m.Groups["name"].Value)
            {
                case "deliveries_total":
                    deliveries[partition] = value;
                    break;
                case "owned" when value == 1:
                    owned.Add(partition);
                    break;
                case "waiting":
                    waiting[partition] = value;
                    break;
            }
        }

        if (HandedOverLine().Match(text) is { Success: true } h)
        {
            handedOver = long.Parse(h.Groups["v"].Value, CultureInfo.InvariantCulture);
        }

        Assert.True(deliveries.Count == ClusterFleet.Partitions, $"/metrics of the replica on {replica.HttpPort} has no partition lines:\n{text}");
        return new Metrics(deliveries, owned, waiting, handedOver);
    }

    [GeneratedRegex(@"^iotmon_cluster_partition_(?<name>deliveries_total|owned|waiting)\{queue=""iotmon\.uplink\.(?<p>\d+)""\} (?<v>[0-9.eE+-]+)$", RegexOptions.Multiline)]
    private static partial Regex PartitionLine();

    [GeneratedRegex(@"^iotmon_cluster_partitions_handed_over_total (?<v>\d+)$", RegexOptions.Multiline)]
    private static partial Regex HandedOverLine();

    private sealed record Metrics(Dictionary<int, long> Deliveries, HashSet<int> Owned, Dictionary<int, long> Waiting, long HandedOver);

    private sealed record Snapshot(Metrics A, Metrics B);
}
