using System.Text.Json.Nodes;
using IoTMonitor.Gateway.Downlink;
using IoTMonitor.Gateway.Tests.State;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Tests.Downlink;

/// <summary>
/// The downlink stores, SQLite on a real file and PostgreSQL on a real server, with the same tests:
/// revisions, ack bookkeeping, expiry, and what a reopen keeps; and two PostgreSQL stores on one
/// database (two replicas) setting configs and recording acks at once.
/// </summary>
public sealed class DownlinkStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Providers => StoreStorage.Providers;

    private static DesiredConfig Set(IDownlinkStore store, string json, DateTimeOffset at) =>
        store.SetConfig("wq-1", _ => ((JsonObject)JsonNode.Parse(json)!, null), "duty desk", at, out _)!;

    /// <summary>A store on the storage, as one gateway (replica) opens it.</summary>
    private static IDownlinkStore Open(StoreStorage storage) =>
        storage.IsPostgres ? new PostgresDownlinkStore(storage.Replica()) : storage.Own(new SqliteDownlinkStore(storage.File("registry.db")));

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Revisions_grow_per_device_and_survive_a_reopen(string provider)
    {
        using var storage = await StoreStorage.OpenAsync(provider, postgres.Server);
        {
            var store = Open(storage);
            Assert.Equal(1, Set(store, """{"sampleSec":600}""", T0).Rev);
            Assert.Equal(2, Set(store, """{"sampleSec":300}""", T0.AddMinutes(1)).Rev);
            Assert.Equal(1, store.SetConfig("wq-2", _ => (new JsonObject(), null), "x", T0, out _)!.Rev);
            Assert.Null(store.SetConfig("wq-1", _ => (null, "refused"), "x", T0, out var error));
            Assert.Equal("refused", error);
            (store as IDisposable)?.Dispose();
        }

        var reopened = Open(storage);
        var status = reopened.ConfigOf("wq-1");
        Assert.Equal(2, status.Desired!.Rev);
        Assert.Equal("""{"sampleSec":300}""", status.Desired.Config.ToJsonString());
        Assert.Equal("duty desk", status.Desired.By);
        Assert.Equal(T0.AddMinutes(1), status.Desired.At);
        Assert.Equal(ConfigState.Pending, status.State);
        Assert.Equal(3, Set(reopened, "{}", T0.AddMinutes(2)).Rev);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Config_acks_move_the_state_and_stale_or_unknown_revisions_do_not(string provider)
    {
        using var storage = await StoreStorage.OpenAsync(provider, postgres.Server);
        var store = Open(storage);
        Assert.Equal(AckOutcome.Unknown, store.RecordConfigAck("wq-1", 1, true, 0, T0)); // nothing sent yet
        Assert.Equal(ConfigState.None, store.ConfigOf("wq-1").State);

        Set(store, """{"sampleSec":600}""", T0);
        Assert.Equal(AckOutcome.Recorded, store.RecordConfigAck("wq-1", 1, false, 3, T0.AddMinutes(1)));
        Assert.Equal(ConfigState.Rejected, store.ConfigOf("wq-1").State);
        Assert.Equal("BadValue", store.ConfigOf("wq-1").Acked!.ErrName);

        Set(store, """{"sampleSec":900}""", T0.AddMinutes(2));
        Assert.Equal(ConfigState.Pending, store.ConfigOf("wq-1").State);
        Assert.Equal(AckOutcome.Unknown, store.RecordConfigAck("wq-1", 3, true, 0, T0.AddMinutes(3)));
        Assert.Equal(AckOutcome.Unknown, store.RecordConfigAck("wq-1", 0, true, 0, T0.AddMinutes(3)));
        Assert.Equal(AckOutcome.Recorded, store.RecordConfigAck("wq-1", 2, true, 0, T0.AddMinutes(4)));
        Assert.Equal(ConfigState.Applied, store.ConfigOf("wq-1").State);

        // a late answer to revision 1 does not overwrite the answer to revision 2
        Assert.Equal(AckOutcome.Duplicate, store.RecordConfigAck("wq-1", 1, false, 3, T0.AddMinutes(5)));
        Assert.Equal(2, store.ConfigOf("wq-1").Acked!.Rev);

        // the node answers the retained revision again at its next connection: the time moves on
        Assert.Equal(AckOutcome.Recorded, store.RecordConfigAck("wq-1", 2, true, 0, T0.AddMinutes(30)));
        Assert.Equal(T0.AddMinutes(30), store.ConfigOf("wq-1").Acked!.At);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Commands_expire_unanswered_and_record_one_answer_per_id_even_a_late_one(string provider)
    {
        using var storage = await StoreStorage.OpenAsync(provider, postgres.Server);
        var store = Open(storage);
        var request = new CommandRequest("set_interval", 300, false);
        var a = store.AddCommand("wq-1", "site-1", request, "duty desk", T0, TimeSpan.FromMinutes(10));
        var b = store.AddCommand("wq-1", "site-1", new CommandRequest("sample_now", null, false), "duty desk", T0.AddMinutes(1), TimeSpan.FromMinutes(10));
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal("""{"sec":300}""", a.Args.ToJsonString());

        Assert.Equal(AckOutcome.Unknown, store.RecordCommandAck("wq-2", a.Id, true, 0, T0)); // another device's id
        Assert.Equal(AckOutcome.Unknown, store.RecordCommandAck("wq-1", "c-999", true, 0, T0));
        Assert.Equal(AckOutcome.Recorded, store.RecordCommandAck("wq-1", b.Id, false, 1, T0.AddMinutes(2)));
        Assert.Equal(AckOutcome.Duplicate, store.RecordCommandAck("wq-1", b.Id, true, 0, T0.AddMinutes(3)));

        var later = store.Commands("wq-1", 10, T0.AddMinutes(11));
        Assert.Equal([b.Id, a.Id], later.Select(c => c.Id)); // newest first
        Assert.Equal(CommandState.Failed, later[0].State);
        Assert.Equal("UnknownCommand", later[0].ErrName);
        Assert.Equal(CommandState.Expired, later[1].State);

        // the node ran it after all: its answer is recorded
        Assert.Equal(AckOutcome.Recorded, store.RecordCommandAck("wq-1", a.Id, true, 0, T0.AddMinutes(12)));
        Assert.Equal(CommandState.Acked, store.Command("wq-1", a.Id, T0.AddMinutes(13))!.State);
        Assert.Single(store.Commands("wq-1", 1, T0.AddMinutes(13)));
    }

    /// <summary>
    /// Two replicas change one device's config at once, 40 times each: every change gets its own
    /// revision (1…80, none twice), and each overlay builds on the one before it, so no change is lost.
    /// </summary>
    [Fact]
    public async Task Two_replicas_setting_one_config_at_once_get_distinct_revisions_and_lose_no_change()
    {
        using var storage = await StoreStorage.OpenAsync(IoTMonitor.Gateway.State.StateOptions.Postgres, postgres.Server);
        var replicas = new[] { Open(storage), Open(storage) };
        var revisions = new System.Collections.Concurrent.ConcurrentBag<long>();

        await Task.WhenAll(replicas.Select((store, r) => Task.Run(() =>
        {
            for (var i = 0; i < 40; i++)
            {
                var name = $"r{r}-{i}";
                var set = store.SetConfig("wq-1", current =>
                {
                    var next = (JsonObject)current.DeepClone();
                    next[name] = true;
                    return (next, null);
                }, $"replica {r}", T0, out _);
                revisions.Add(set!.Rev);
            }
        })));

        Assert.Equal(Enumerable.Range(1, 80).Select(i => (long)i), revisions.Order());
        var final = replicas[1].ConfigOf("wq-1").Desired!;
        Assert.Equal(80, final.Rev);
        Assert.Equal(80, final.Config.Count);
    }

    /// <summary>
    /// A command sent through replica A is answered on replica B; the broker delivers the ack (QoS 1)
    /// to both at once 20 times over: recorded exactly once, every other delivery a Duplicate.
    /// </summary>
    [Fact]
    public async Task An_ack_delivered_to_two_replicas_at_once_is_recorded_once()
    {
        using var storage = await StoreStorage.OpenAsync(IoTMonitor.Gateway.State.StateOptions.Postgres, postgres.Server);
        var a = Open(storage);
        var b = Open(storage);
        for (var round = 0; round < 20; round++)
        {
            var sent = a.AddCommand("wq-1", "site-1", new CommandRequest("sample_now", null, false), "duty desk", T0, TimeSpan.FromMinutes(10));
            Set(a, $$"""{"sampleSec":{{600 + round}}}""", T0);
            var rev = a.ConfigOf("wq-1").Desired!.Rev;

            var outcomes = await Task.WhenAll(
                Task.Run(() => a.RecordCommandAck("wq-1", sent.Id, true, 0, T0.AddMinutes(1))),
                Task.Run(() => b.RecordCommandAck("wq-1", sent.Id, true, 0, T0.AddMinutes(1))));
            var configOutcomes = await Task.WhenAll(
                Task.Run(() => a.RecordConfigAck("wq-1", rev, true, 0, T0.AddMinutes(1))),
                Task.Run(() => b.RecordConfigAck("wq-1", rev - 1, true, 0, T0.AddMinutes(1))));

            Assert.Single(outcomes, o => o == AckOutcome.Recorded);
            Assert.Single(outcomes, o => o == AckOutcome.Duplicate);
            Assert.Equal(CommandState.Acked, b.Command("wq-1", sent.Id, T0.AddMinutes(2))!.State);
            Assert.Equal(AckOutcome.Recorded, configOutcomes[0]);
            Assert.Equal(rev, b.ConfigOf("wq-1").Acked!.Rev); // the older revision's late answer never overwrites the newer one
            Assert.Equal(ConfigState.Applied, b.ConfigOf("wq-1").State);
        }
    }
}
