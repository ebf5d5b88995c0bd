using System.Text;
using IoTMonitor.Gateway.Forwarding;
using IoTMonitor.Gateway.Forwarding.Hj212;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Query;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>The link to one platform against the simulated platform: 9014 awaited, withheld, connections dropped, the platform down and back, requests answered or refused.</summary>
public sealed class Hj212Link_Tests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-hj212-link-").FullName;
    private readonly Hj212PlatformSimulator _platform = new();
    private readonly Hj212Options _options = new() { AnswerTimeoutSeconds = 1, RetryCount = 2, ReconnectSeconds = 1 };
    private readonly InfluxQueryClient _noInflux = new(new InfluxConnection(new StorageOptions { Url = "http://127.0.0.1:9" }, new PlainClients()), new QueryOptions());
    private Hj212Link? _link;
    private SqliteForwardingOutbox? _outbox;

    private Hj212Platform Config => new()
    {
        Name = "sim",
        Host = "127.0.0.1",
        Port = _platform.Port,
        Password = "123456",
        Sites = [new Hj212Station { Site = "river-1", Mn = "SW330100001", St = "21" }],
    };

    public async ValueTask DisposeAsync()
    {
        await StopLinkAsync();
        await _platform.DisposeAsync();
        _noInflux.Dispose();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Every_packet_is_sent_once_and_marked_answered_when_the_platform_answers_9014()
    {
        StartLink();
        var qns = Enumerable.Range(0, 5).Select(i => Queue(i)).ToList();

        var got = await _platform.WaitForAsync(p => p.Count >= 5, Wait);
        await WaitPendingAsync(0);

        Assert.Empty(_platform.Violations);
        Assert.Equal(qns, got.Select(p => p.Qn));
        Assert.All(got, p => Assert.Equal((5, "2011", "SW330100001", "123456", "21"), (p.Flag, p.Cn, p.Mn, p.Pw, p.St)));
        Assert.Equal(5, Interlocked.Read(ref _link!.Counters.Answered));
        Assert.Equal(0, Interlocked.Read(ref _link.Counters.Resent));
    }

    [Fact]
    public async Task A_withheld_answer_makes_the_same_packet_go_again_after_the_timeout()
    {
        _platform.WithholdNext = 2;
        StartLink();
        var qn = Queue(0);

        var got = await _platform.WaitForAsync(p => p.Count >= 3, Wait);
        await WaitPendingAsync(0);

        Assert.Equal([qn, qn, qn], got.Select(p => p.Qn));
        Assert.Equal(1, _platform.Connections);
        Assert.Equal(2, Interlocked.Read(ref _link!.Counters.Resent));
        Assert.Empty(_platform.Violations);
    }

    [Fact]
    public async Task No_answer_after_the_retries_drops_the_connection_and_the_packet_waits_for_the_next_one()
    {
        _platform.Answer = false;
        StartLink();
        var qn = Queue(0);

        // RetryCount 2: three sends on the first connection, then a new connection sends it again
        await _platform.WaitForAsync(p => p.Count >= 4, Wait);
        Assert.True(_platform.Connections >= 2);
        Assert.Equal(1, _outbox!.Counts().Pending);
        _platform.Answer = true;
        await WaitPendingAsync(0);

        Assert.All(_platform.Packets, p => Assert.Equal(qn, p.Qn));
        Assert.Equal(1, _outbox.Counts().Answered);
        Assert.Empty(_platform.Violations);
    }

    [Fact]
    public async Task Packets_queued_while_the_platform_is_down_and_across_a_restart_arrive_once_each_in_order()
    {
        _platform.GoDown();
        StartLink();
        var qns = Enumerable.Range(0, 10).Select(i => Queue(i)).ToList();
        await Task.Delay(1500);
        Assert.Equal(10, _outbox!.Counts().Pending);

        // the gateway restarts: a new link on the same outbox file
        await StopLinkAsync();
        StartLink();
        qns.AddRange(Enumerable.Range(10, 5).Select(i => Queue(i)));
        _platform.ComeBack();

        var got = await _platform.WaitForAsync(p => p.Count >= 15, Wait);
        await WaitPendingAsync(0);
        await Task.Delay(500);

        Assert.Equal(qns, _platform.Packets.Select(p => p.Qn));
        Assert.Empty(_platform.Violations);
        Assert.Equal(15, _outbox!.Counts().Answered);
    }

    [Fact]
    public async Task A_connection_dropped_before_the_answer_resends_the_same_packet_on_the_next_connection()
    {
        _platform.WithholdNext = 1;
        StartLink();
        var first = Queue(0);
        await _platform.WaitForAsync(p => p.Count >= 1, Wait);
        _platform.DropConnections();
        var second = Queue(1);

        await WaitPendingAsync(0);
        var got = _platform.Packets.ToList();

        Assert.Equal(first, got[0].Qn);
        Assert.Equal([first, second], got.Select(p => p.Qn).Distinct());
        Assert.True(got.Count(p => p.Qn == first) >= 2);
        Assert.True(_platform.Connections >= 2);
        Assert.Empty(_platform.Violations);
    }

    [Fact]
    public async Task Time_query_is_answered_9011_then_1011_then_9012_with_the_requests_QN()
    {
        StartLink();
        await _platform.WaitConnectedAsync(Wait);
        await _platform.SendAsync("QN=20261121100000001;ST=21;CN=1011;PW=123456;MN=SW330100001;Flag=5;CP=&&PolId=w01001&&");

        var got = await _platform.WaitForAsync(p => p.Count >= 3, Wait);

        Assert.Equal(["9011", "1011", "9012"], got.Select(p => p.Cn));
        Assert.All(got, p => Assert.Equal("20261121100000001", p.Qn));
        Assert.Equal("QnRtn=1", got[0].Cp);
        Assert.Equal("w01001", got[1].Items["PolId"]);
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        var reported = DateTime.ParseExact(got[1].Items["SystemTime"], "yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange((now.DateTime - reported).TotalSeconds, -2, 10);
        Assert.Equal("ExeRtn=1", got[2].Cp);
        Assert.Equal(("91", "91"), (got[0].St, got[2].St));
        Assert.Empty(_platform.Violations);
    }

    [Theory]
    [InlineData("QN=20261121100000002;ST=21;CN=1012;PW=123456;MN=SW330100001;Flag=5;CP=&&SystemTime=20200101000000&&", "QnRtn=1", "ExeRtn=2")]
    [InlineData("QN=20261121100000003;ST=21;CN=1061;PW=123456;MN=SW330100001;Flag=5;CP=&&&&", "QnRtn=2", null)]
    [InlineData("QN=20261121100000004;ST=21;CN=1011;PW=654321;MN=SW330100001;Flag=5;CP=&&&&", "QnRtn=3", null)]
    [InlineData("QN=20261121100000005;ST=21;CN=1011;PW=123456;MN=SOMEONEELSE;Flag=5;CP=&&&&", "QnRtn=4", null)]
    [InlineData("QN=20261121100000006;ST=21;CN=2061;PW=123456;MN=SW330100001;Flag=5;CP=&&BeginTime=2026;EndTime=x&&", "QnRtn=1", "ExeRtn=3")]
    public async Task Requests_it_cannot_do_are_refused_or_reported_with_the_standards_codes(string request, string answer, string? result)
    {
        StartLink();
        await _platform.WaitConnectedAsync(Wait);
        await _platform.SendAsync(request);

        var got = await _platform.WaitForAsync(p => p.Count >= (result is null ? 1 : 2), Wait);
        await Task.Delay(300);

        Assert.Equal(answer, got[0].Cp);
        Assert.Equal("9011", got[0].Cn);
        if (result is null)
        {
            Assert.Single(_platform.Packets);
            Assert.Equal(1, Interlocked.Read(ref _link!.Counters.Refused));
        }
        else
        {
            Assert.Equal(("9012", result), (got[1].Cn, got[1].Cp));
        }

        Assert.Empty(_platform.Violations);
    }

    [Fact]
    public async Task Garbage_from_the_platform_is_counted_and_the_link_keeps_working()
    {
        StartLink();
        await _platform.WaitConnectedAsync(Wait);
        await _platform.SendRawAsync(Encoding.ASCII.GetBytes("hello\r\n##0010QN=1;CP=&&&&FFFF\r\n"));
        await _platform.SendRawAsync(new byte[3000]);
        await _platform.SendRawAsync(Encoding.ASCII.GetBytes("\r\n"));
        var qn = Queue(0);

        var got = await _platform.WaitForAsync(p => p.Count >= 1, Wait);
        await WaitPendingAsync(0);

        Assert.Equal(qn, got[0].Qn);
        Assert.Equal(3, Interlocked.Read(ref _link!.Counters.InvalidFrames));
        Assert.Equal(1, _platform.Connections);
    }

    private void StartLink()
    {
        var config = Config;
        var composer = new Hj212Composer(_options);
        _outbox = new SqliteForwardingOutbox(Path.Combine(_dir, "hj212-sim.db"));
        var counters = new ForwardingCounters();
        var requests = new Hj212Requests(config, _options, composer, new Hj212AggregateSource(_noInflux, composer.Time), counters, TimeProvider.System, NullLogger.Instance);
        _link = new Hj212Link(config, _outbox, _options, requests, counters, TimeProvider.System, NullLogger.Instance);
        _link.Start();
    }

    private async Task StopLinkAsync()
    {
        if (_link is not null)
        {
            await _link.DisposeAsync();
            _outbox!.Dispose();
            _link = null;
        }
    }

    private string Queue(int i)
    {
        var composer = new Hj212Composer(_options);
        var t = 1795134600L + (i * 60);
        IReadOnlyList<(string Qn, string Frame)> frames = [];
        Assert.True(_outbox!.AddStamped($"2011|river-1|dev|{t}", "2011", "river-1", t, stamp => frames = composer.RealTime(Config, Config.Sites[0], t, [new Reading { T = t, Quantity = Quantities.Find("water.ph")!, Value = 7 + (i / 100.0) }], false, () => composer.Time.Qn(stamp())), DateTimeOffset.UtcNow));
        Assert.False(_outbox.Add($"2011|river-1|dev|{t}", "2011", "river-1", t, frames, DateTimeOffset.UtcNow));
        _link!.Wake();
        return Assert.Single(frames).Qn;
    }

    private async Task WaitPendingAsync(long pending)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (_outbox!.Counts().Pending != pending)
        {
            Assert.True(DateTime.UtcNow < deadline, $"outbox still has {_outbox.Counts().Pending} pending");
            await Task.Delay(50);
        }
    }

    /// <summary>Plain clients: the link under test never reaches InfluxDB (the history answers it builds come from the outbox).</summary>
    private sealed class PlainClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }
}
