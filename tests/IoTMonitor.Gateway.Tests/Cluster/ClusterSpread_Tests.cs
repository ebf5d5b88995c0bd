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
public sealed partial class ClusterSpread_Tests(InfluxDbFixture influx, RabbitMqClusterFixture cluster, PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int Devices = 12;
    private const int Burst = 10; // per device, repeated until the second replica has its share
    private const int Messages = 60; // per device, after the join
    private const int LeaseSeconds = 4;
    private const string AdminKey = "spread-admin-key-0123456789"; // with a shared key store, /metrics asks for a key

    [Fact]
    public async Task Two_replicas_each_consume_a_share_and_the_survivor_of_a_kill_takes_every_partition()
    {
        var state = await postgres.Server.CreateDatabaseAsync("spread");
        await using var fleet = await ClusterFleet.StartAsync(cluster, output.WriteLine, influx.Server, Devices, replicas: 1,
            "--State:Provider=postgres", $"--State:ConnectionString={state}", "--Mqtt:Cluster:Balance=true",
            $"--Mqtt:Cluster:LeaseSeconds={LeaseSeconds}", "--Mqtt:Cluster:LeaseRenewMs=500", $"--Api:AdminKey={AdminKey}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var a = fleet.Replicas[0];
        await WaitAsync(async () => (await MetricsAsync(http, a)).Owned.Count == ClusterFleet.Partitions, TimeSpan.FromSeconds(30), "the first replica to take every partition");

        // a second replica joins while the fleet publishes short bursts; the first hands its surplus over mid-traffic
        var start = fleet.Now;
        long joinedAt = -1, balancedAt = -1, killedAt = -1;
        var join = Task.Run(async () =>
        {
            await fleet.StartReplicaAsync();
            joinedAt = fleet.Now;
        });
        var sent = 0;
        Snapshot? atBalance = null;
        while (atBalance is null)
        {
            Assert.True(fleet.Now - start < 120_000, $"no fair share 120 s after the second replica was started ({sent} messages per device sent)");
            await fleet.PublishAllAsync(Burst, _ => Task.CompletedTask, TimeSpan.FromMinutes(2), first: sent);
            sent += Burst;
            if (join.IsCompleted)
            {
                await join;
                var (ma, mb) = (await MetricsAsync(http, a), await MetricsAsync(http, fleet.Replicas[1]));
                if (ma.Owned.Count == ClusterFleet.Partitions / 2 && mb.Owned.Count == ClusterFleet.Partitions / 2)
                {
                    balancedAt = fleet.Now;
                    atBalance = new Snapshot(ma, mb);
                }
            }
        }

        var duringJoin = sent;

        // both consume their own share; mid-burst kill -9 of the first
        Snapshot? atKill = null;
        var phase = fleet.Now;
        await fleet.PublishAllAsync(Messages, async acked =>
        {
            if (acked == Devices * Messages / 3 && killedAt < 0)
            {
                atKill = new Snapshot(await MetricsAsync(http, a), await MetricsAsync(http, fleet.Replicas[1]));
                killedAt = fleet.Now;
                a.Kill(); // SIGKILL: its lease rows stay until they expire, its unacknowledged deliveries go back to their queues
            }
        }, TimeSpan.FromMinutes(3), first: sent);
        sent += Messages;
        var published = fleet.Now;
        Assert.True(killedAt > 0, "the replica was never killed");

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

        var readings = Devices * sent * 4;
        Assert.Equal(readings, await GatewayHarness.WaitForCountAsync(influx.Server, fleet.Database, readings, TimeSpan.FromSeconds(120)));
        var stored = fleet.Now;
        var last = await MetricsAsync(http, survivor);
        Assert.All(last.Waiting, w => Assert.Equal(0, w.Value));
        output.WriteLine($"join under traffic: {duringJoin} messages per device published while the second replica started and took its share, " +
            $"balanced {balancedAt - joinedAt} ms after it was up (seen between bursts); kill -9 of replica a: the survivor held every partition " +
            $"{(tookAllAt < 0 ? -1 : tookAllAt - killedAt)} ms after the kill (lease {LeaseSeconds} s, /metrics polled every 100 ms); " +
            $"{Devices * Messages} messages acknowledged in {published - phase} ms after the balance, all {readings} readings stored {stored - start} ms after the first burst; " +
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
