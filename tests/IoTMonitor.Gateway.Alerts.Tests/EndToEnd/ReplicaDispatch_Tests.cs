using System.Diagnostics;
using System.Text.Json;
using IoTMonitor.Gateway.State.Leases;
using IoTMonitor.Gateway.Alerts.Store.Postgres;
using IoTMonitor.Gateway.Alerts.Tests.Alerts.Store;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

/// <summary>
/// The outbox sent by two replicas on one real PostgreSQL to a real webhook receiver on loopback
/// that counts every request: a replica that loses its partitions while its sends are in flight
/// does not get them sent a second time by the new owner, and a replica killed in the middle of a
/// send has the notice sent again by the survivor (same idempotency key), not lost.
/// </summary>
public sealed class ReplicaDispatch_Tests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int LeaseSeconds = 4;

    [Fact]
    public async Task Notices_in_flight_when_their_partition_moves_are_sent_once_not_again_by_the_new_owner()
    {
        using var storage = await StoreProviders.CreateAsync(StoreProviders.Postgres, postgres.Server);
        var a = (PostgresAlertStore)storage.Open("replica-a", leaseSeconds: 30);
        var b = (PostgresAlertStore)storage.Open("replica-b", leaseSeconds: 30);
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hook.BeforeAnswer = _ => answer.Task; // a slow receiver: every send stays in flight until the test lets it answer
        hook.Start();
        var options = new AlertsOptions { Webhook = { Urls = [hook.Url], Secret = Packs.WebhookSecret }, Influx = { Enabled = false } };
        const int notices = 5;
        for (var i = 0; i < notices; i++)
        {
            Enqueue(a, hook.Url, $"a{i}");
        }

        await using var dispatcherA = new OutboxDispatcher(a, new OutboxOptions { PollMs = 100, TimeoutSeconds = 20 }, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
        await using var dispatcherB = new OutboxDispatcher(b, new OutboxOptions { PollMs = 100, TimeoutSeconds = 20 }, TestChannels.Of(options), TimeProvider.System, NullLogger.Instance);
        dispatcherA.Start();
        await GatewayHost.WaitUntilAsync(() => hook.Calls.Count >= 1, TimeSpan.FromSeconds(10), "replica a's first send");

        // a loses its partitions while its sends wait for the receiver (paused past its lease, cut off
        // from the database); b now owns the site and polls the outbox many times meanwhile
        a.Leases.Release();
        Assert.True(b.Leases.Renew());
        Assert.Equal(PartitionLeases.Partitions, b.Leases.HeldTokens.Count);
        dispatcherB.Start();
        await Task.Delay(1500);
        answer.SetResult();

        await GatewayHost.WaitUntilAsync(() => a.Outbox(status: "sent").Count == notices, TimeSpan.FromSeconds(20), "every notice recorded as sent");
        await Task.Delay(1000); // b polls ten more times: nothing is left for it to send
        var calls = hook.Calls;
        Assert.Equal(notices, calls.Count);
        Assert.Equal(notices, calls.Select(c => c.IdempotencyKey).Distinct().Count());
        Assert.All(a.Outbox(), o => Assert.Equal(("sent", 1), (o.Status, o.Attempts)));
    }

    [Fact]
    public async Task A_replica_killed_mid_send_has_its_notice_sent_again_by_the_survivor_with_the_same_key()
    {
        var db = await postgres.Server.CreateDatabaseAsync("dispatch-kill");
        using var hook = new WebhookReceiver(Packs.WebhookSecret);
        var dataDir = Directory.CreateTempSubdirectory("iotmon-dispatch-a-").FullName;
        var pack = Path.Combine(dataDir, "rules.json");
        await File.WriteAllTextAsync(pack, Pack);
        using var a = new GatewayProcess(
            dataDir,
            FreePort.Next(),
            FreePort.Next(),
            [.. Settings(db, hook.Url, "replica-a").Select(kv => $"--{kv.Key}={kv.Value}"), $"--Alerts:RulePackPath={pack}", $"--Storage:Url=http://127.0.0.1:{FreePort.Next()}", "--Alerts:Influx:Enabled=false", "--Registry:RequireAuthentication=false", "--Logging:LogLevel:Default=Warning"]);
        // a is killed by the receiver the moment a's request arrives, so it is never answered and a
        // cannot time out and record anything first, however loaded the machine
        var clock = new Stopwatch();
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        var killedAt = DateTimeOffset.MaxValue;
        hook.BeforeAnswer = _ =>
        {
            if (Interlocked.Exchange(ref first, 1) == 0)
            {
                clock.Start();
                killedAt = DateTimeOffset.UtcNow;
                a.Kill();
                killed.SetResult();
            }

            return Task.CompletedTask;
        };
        hook.Start();
        try
        {
            await a.StartAsync();
            await GatewayHost.WaitUntilAsync(() => HeldBy(db, "replica-a") == PartitionLeases.Partitions, TimeSpan.FromSeconds(10), "replica a to hold every partition");
            await using var b = new GatewayHost(Pack, Settings(db, hook.Url, "replica-b"));
            await b.StartAsync();

            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            await using (var node = new VirtualNode("river-1", "wl-01"))
            {
                await node.ConnectAsync(a.MqttPort, "any");
                await node.PublishAsync(VirtualNode.Batch(boot: 1, firstSeq: 1, "water.level", 3.9, (now, 4.0)));
            }

            await killed.Task.WaitAsync(TimeSpan.FromSeconds(30)); // a's send arrived and a was killed mid-send
            await GatewayHost.WaitUntilAsync(() => hook.Calls.Count >= 2, TimeSpan.FromSeconds(30), "the survivor's send of the notice");
            var resent = clock.Elapsed;
            await GatewayHost.WaitUntilAsync(() => b.Alerts.Store.Outbox(status: "sent").Any(o => o.Channel == "webhook"), TimeSpan.FromSeconds(10), "the notice recorded as sent");
            await Task.Delay(1500);
            output.WriteLine($"kill -9 mid-send: the survivor sent the notice again {resent.TotalMilliseconds:0} ms after the kill (lease {LeaseSeconds} s, send timeout 2 s, claim 4 s)");

            var calls = hook.Calls;
            Assert.Single(calls.Select(c => (c.IdempotencyKey, c.EventId)).Distinct());
            var alert = Assert.Single(b.Alerts.Store.ListAlerts(new AlertQuery()));
            Assert.Equal(alert.Id, calls[1].AlertId);
            var row = Assert.Single(b.Alerts.Store.Outbox(alert.Id), o => o.Channel == "webhook");
            Assert.Equal("sent", row.Status);

            // a died before recording anything: every recorded attempt is b's, after the kill (one, unless b's own first
            // try timed out while the receiver was still busy killing a, and b tried again: a CI run recorded 2)
            var attempts = b.Alerts.Store.Attempts(row.Id);
            output.WriteLine($"recorded attempts: {string.Join("; ", attempts.Select(x => $"{x.At:HH:mm:ss.fff} ok={x.Ok} {x.Detail}"))}");
            Assert.Equal(row.Attempts, attempts.Count);
            Assert.All(attempts, x => Assert.True(x.At >= killedAt.AddMilliseconds(-5), $"an attempt recorded at {x.At:O}, before the kill at {killedAt:O}"));
            Assert.True(attempts[^1].Ok);

            // a's call (never answered) and b's: at-least-once, one idempotency key; a timed-out try of b's may or may not have arrived
            Assert.InRange(calls.Count, 2, row.Attempts + 1);
            Assert.True(resent < TimeSpan.FromSeconds(LeaseSeconds * 3), $"resent after {resent.TotalMilliseconds:0} ms");
        }
        finally
        {
            a.Kill();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private const string Pack = """
        {"name":"dispatch","rules":[
          {"id":"level.high","name":"Water level above warning stage","kind":"threshold","quantity":"water.level","severity":"critical",
           "above":3.5,"hysteresis":0.1,"source":"site-specific (test)","action":"Warn people downstream"}
        ]}
        """;

    /// <summary>An alert of site river-1 and its webhook notice, committed as the engine commits them.</summary>
    private static void Enqueue(PostgresAlertStore store, string url, string alertId)
    {
        var t = DateTimeOffset.UtcNow;
        var notice = SampleNotices.WaterLevel();
        notice.AlertId = alertId;
        notice.EventId = alertId + "-e";
        store.InTransaction(() =>
        {
            store.SaveAlert(new Alert { Id = alertId, RuleId = "level.high", Subject = alertId, Site = "river-1", Device = "wl-01", DetectedAt = t, Since = t });
            return store.Enqueue($"{notice.EventId}:webhook:{url}", alertId, notice.EventId, AlertEventTypes.Opened, "webhook", url, JsonSerializer.Serialize(notice, AlertRule.Json), t, t);
        });
    }

    private static long HeldBy(string db, string replica) =>
        (long)PostgresServer.ScalarAsync(db, $"SELECT count(*) FROM alert_leases WHERE holder = '{replica}' AND expires > now()").GetAwaiter().GetResult()!;

    private static Dictionary<string, string> Settings(string db, string hookUrl, string replica) => new()
    {
        ["State:Provider"] = "postgres",
        ["State:ConnectionString"] = db,
        ["Alerts:Lease:Seconds"] = LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Alerts:Lease:RenewMs"] = "250",
        ["Alerts:Lease:Replica"] = replica,
        ["Alerts:Lease:Balance"] = "false", // a keeps river-1 (and sends its notice) while b runs: an active/standby pair
        ["Alerts:Outbox:TimeoutSeconds"] = "2",
        ["Alerts:Webhook:Urls:0"] = hookUrl,
        ["Alerts:Webhook:Secret"] = Packs.WebhookSecret,
    };
}
