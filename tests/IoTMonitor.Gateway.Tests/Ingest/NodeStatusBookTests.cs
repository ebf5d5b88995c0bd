using System.Buffers;
using System.Text;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Tests.Ingest;

/// <summary>The newest node status per device (protocol §5) that GET /api/v1/devices/{device}/status serves.</summary>
public sealed class NodeStatusBookTests : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-status-").FullName;
    private readonly GatewayCounters _counters = new();
    private readonly DeadLetterStore _dead;
    private readonly NodeStatusBook _book;

    public NodeStatusBookTests()
    {
        _dead = new DeadLetterStore(Path.Combine(_dir, "dead.jsonl"), 1 << 20, 64);
        _book = new NodeStatusBook(_counters, _dead, TimeProvider.System);
    }

    private bool Record(string json) => _book.Record("c1", "iotmon/v1/s1/wq-1/status", "s1", "wq-1", new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void An_online_status_is_kept_and_a_later_sleeping_one_keeps_it()
    {
        Assert.True(Record("""{"v":1,"state":"online","fw":"1.0.0","boot":17,"cfg":"9f3a61c2","wake":900,"rst":2,"cfgErr":0,"clk":1764317700}"""));
        Assert.True(Record("""{"v":1,"state":"sleeping","next":1764318600,"clk":1764317712}"""));
        var s = _book.Of("wq-1");
        Assert.NotNull(s);
        Assert.Equal("sleeping", s.Value.State);
        Assert.Equal("9f3a61c2", s.Value.Online!.Cfg);
        Assert.Equal(17, s.Value.Online.Boot);
        Assert.Equal(0, s.Value.Online.CfgErr);
        Assert.Equal("s1", s.Value.Online.Site);
        Assert.Null(_book.Of("wq-2"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"v":2,"state":"online"}""")]
    [InlineData("""{"v":1,"state":"dancing"}""")]
    [InlineData("""{"v":1,"state":"online","fw":"1.0.0","boot":1,"cfgErr":0}""")]
    [InlineData("""{"v":1,"state":"online","boot":"one","cfg":"9f3a61c2","cfgErr":0}""")]
    public void A_status_that_is_not_protocol_is_dead_lettered_and_counted(string json)
    {
        Assert.False(Record(json));
        Assert.Equal(1, _counters.DeadLetters);
        Assert.Equal(1, _dead.Added);
        Assert.Null(_book.Of("wq-1"));
    }

    public async ValueTask DisposeAsync()
    {
        await _dead.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
