using System.Text.Json.Nodes;
using IoTMonitor.Gateway.Downlink;

namespace IoTMonitor.Gateway.Tests.Downlink;

/// <summary>The downlink's SQLite store on a real file: revisions, ack bookkeeping, expiry, and what a reopen keeps.</summary>
public sealed class DownlinkStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-downlink-store-").FullName;

    private string Path => System.IO.Path.Combine(_dir, "registry.db");

    private static DesiredConfig Set(DownlinkStore store, string json, DateTimeOffset at) =>
        store.SetConfig("wq-1", _ => ((JsonObject)JsonNode.Parse(json)!, null), "duty desk", at, out _)!;

    [Fact]
    public void Revisions_grow_per_device_and_survive_a_reopen()
    {
        using (var store = new DownlinkStore(Path))
        {
            Assert.Equal(1, Set(store, """{"sampleSec":600}""", T0).Rev);
            Assert.Equal(2, Set(store, """{"sampleSec":300}""", T0.AddMinutes(1)).Rev);
            Assert.Equal(1, store.SetConfig("wq-2", _ => (new JsonObject(), null), "x", T0, out _)!.Rev);
            Assert.Null(store.SetConfig("wq-1", _ => (null, "refused"), "x", T0, out var error));
            Assert.Equal("refused", error);
        }

        using var reopened = new DownlinkStore(Path);
        var status = reopened.ConfigOf("wq-1");
        Assert.Equal(2, status.Desired!.Rev);
        Assert.Equal("""{"sampleSec":300}""", status.Desired.Config.ToJsonString());
        Assert.Equal("duty desk", status.Desired.By);
        Assert.Equal(T0.AddMinutes(1), status.Desired.At);
        Assert.Equal(ConfigState.Pending, status.State);
        Assert.Equal(3, Set(reopened, "{}", T0.AddMinutes(2)).Rev);
    }

    [Fact]
    public void Config_acks_move_the_state_and_stale_or_unknown_revisions_do_not()
    {
        using var store = new DownlinkStore(Path);
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

    [Fact]
    public void Commands_expire_unanswered_and_record_one_answer_per_id_even_a_late_one()
    {
        using var store = new DownlinkStore(Path);
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

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
