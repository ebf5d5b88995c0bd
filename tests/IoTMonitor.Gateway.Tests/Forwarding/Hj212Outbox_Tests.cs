using IoTMonitor.Gateway.Forwarding;
using IoTMonitor.Gateway.Forwarding.Hj212;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>The per-platform outbox: a message stored once under its identity, parts in one transaction, state and periods kept across reopen, pruning spares pending packets.</summary>
public sealed class Hj212Outbox_Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-hj212-outbox-").FullName;

    private string PathOf => Path.Combine(_dir, "hj212-p.db");

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void A_message_is_stored_once_and_its_state_and_periods_survive_a_reopen()
    {
        var now = DateTimeOffset.UtcNow;
        using (var o = new ForwardingOutbox(PathOf))
        {
            Assert.True(o.Add("2061|s|100|abc", "2061", "s", 100, [("q1", "f1"), ("q2", "f2")], now));
            Assert.False(o.Add("2061|s|100|abc", "2061", "s", 100, [("q3", "f3"), ("q4", "f4")], now));
            Assert.True(o.Add("2011|s|d|5", "2011", "s", 5, [("q5", "f5")], now));
            var pending = o.NextPending(10);
            Assert.Equal(["q1", "q2", "q5"], pending.Select(e => e.Qn));
            o.MarkDone(pending[0].Id, true, now);
            o.SetNextPeriod("s", "2061", 3600);
            o.MarkDirty("s", "2051", 600, 10);
        }

        using (var o = new ForwardingOutbox(PathOf))
        {
            Assert.Equal(new ForwardingOutboxCounts(2, 0, 1, o.Counts().OldestPending), o.Counts());
            Assert.Equal(["q2", "q5"], o.NextPending(10).Select(e => e.Qn));
            Assert.Equal(3600, o.NextPeriod("s", "2061"));
            Assert.Null(o.NextPeriod("s", "2031"));
            Assert.Empty(o.DueDirty(9, 10));
            var dirty = Assert.Single(o.DueDirty(10, 10));
            Assert.Equal(("s", "2051", 600L, 10L), dirty);

            // marked again later while being built: it stays for the next pass
            o.MarkDirty("s", "2051", 600, 20);
            o.ClearDirty("s", "2051", 600, dirty.Due);
            Assert.Single(o.DueDirty(20, 10));
        }
    }

    [Fact]
    public void Pruning_deletes_only_packets_done_before_the_cutoff()
    {
        var now = DateTimeOffset.UtcNow;
        using var o = new ForwardingOutbox(PathOf);
        o.Add("a", "2011", "s", 1, [("q1", "f1")], now);
        o.Add("b", "2011", "s", 2, [("q2", "f2")], now);
        o.MarkDone(o.NextPending(1)[0].Id, false, now.AddDays(-100));

        Assert.Equal(1, o.Prune(now.AddDays(-90)));
        Assert.Equal(0, o.Prune(now.AddDays(1)));
        Assert.Equal(1, o.Counts().Pending);
    }
}
