using IoTMonitor.Gateway.Forwarding;
using IoTMonitor.Gateway.Forwarding.Sl651;
using IoTMonitor.Gateway.Query;
using IoTMonitor.Gateway.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>
/// The SL 651 link against the simulated centre station: reports sent in order and confirmed; a
/// withheld confirmation makes the same frame go again; through the centre going down and the link
/// (the gateway) restarting, every report arrives, and a report is only ever sent as the same bytes.
/// </summary>
public sealed class Sl651Link_Tests : IAsyncDisposable
{
    private const string Station = "0012345678";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("iotmon-sl651-link-").FullName;
    private readonly Sl651PlatformSimulator _centre = new([Station]);
    private readonly InfluxQueryClient _noInflux = new(new InfluxConnection(new StorageOptions { Url = "http://127.0.0.1:9" }, new PlainClients()), new QueryOptions());
    private readonly Sl651Options _options = new() { AnswerTimeoutSeconds = 1, RetryCount = 1, ReconnectSeconds = 1 };
    private SqliteForwardingOutbox? _outbox;
    private Sl651Link? _link;

    private Sl651Platform Config => new() { Name = "sim", Host = "127.0.0.1", Port = _centre.Port, CentreAddress = 1, Password = "1234", Sites = [new Sl651Station { Site = "river-1", Station = Station, Category = "H" }] };

    public async ValueTask DisposeAsync()
    {
        await StopLinkAsync();
        await _centre.DisposeAsync();
        _noInflux.Dispose();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Reports_are_confirmed_and_a_withheld_confirmation_sends_the_same_frame_again()
    {
        StartLink();
        _centre.Answer = false;
        var first = Queue(0);
        await _centre.WaitForAsync(f => f.Count(x => x.Function == 0x34) >= 2, Wait);
        _centre.Answer = true;
        var second = Queue(1);
        await WaitPendingAsync(0);

        var reports = _centre.Frames.Where(f => f.Function == 0x34).ToList();
        Assert.Empty(_centre.Violations);
        Assert.True(reports.Count(r => r.Serial == first) >= 2);
        Assert.Single(reports.Where(r => r.Serial == first).Select(r => r.Hex).Distinct());
        Assert.Single(reports, r => r.Serial == second);
        Assert.True(Interlocked.Read(ref _link!.Counters.Resent) >= 1);
        Assert.Equal(2, Interlocked.Read(ref _link.Counters.Answered));
    }

    [Fact]
    public async Task Through_an_outage_and_a_restart_every_report_arrives_once_as_new()
    {
        StartLink();
        var serials = new List<int> { Queue(0), Queue(1) };
        await WaitPendingAsync(0);

        _centre.GoDown();
        serials.Add(Queue(2));
        serials.Add(Queue(3));
        await Task.Delay(1500);
        Assert.Equal(2, _outbox!.Counts().Pending);
        await StopLinkAsync();

        StartLink();
        serials.Add(Queue(4));
        _centre.ComeBack();
        await WaitPendingAsync(0);

        var reports = _centre.Frames.Where(f => f.Function == 0x34).ToList();
        Assert.Empty(_centre.Violations);
        Assert.Equal(serials.Order(), reports.Select(r => r.Serial).Distinct().Order());
        foreach (var same in reports.GroupBy(r => r.Serial))
        {
            Assert.Single(same.Select(r => r.Hex).Distinct());
        }

        Assert.Equal(5, serials.Distinct().Count());
    }

    [Fact]
    public async Task A_clock_query_is_answered_and_a_wrong_password_or_unknown_function_is_not()
    {
        StartLink();
        await _centre.WaitConnectedAsync(Wait);
        var now = DateTimeOffset.UtcNow;
        await _centre.SendAsync(Sl651PlatformSimulator.Downlink(Station, 0x51, Sl651PlatformSimulator.SerialAndTime(77, now), 0x05));
        await _centre.SendAsync(Sl651PlatformSimulator.Downlink(Station, 0x51, Sl651PlatformSimulator.SerialAndTime(78, now), 0x05, password: 0x9999));
        await _centre.SendAsync(Sl651PlatformSimulator.Downlink(Station, 0x47, Sl651PlatformSimulator.SerialAndTime(79, now), 0x05));
        await _centre.SendAsync([0x7E, 0x7E, 0x00, 0x01, 0x02]);
        await _centre.SendAsync(Sl651PlatformSimulator.Downlink(Station, 0x4A, Sl651PlatformSimulator.SerialAndTime(80, now), 0x05));
        var got = await _centre.WaitForAsync(f => f.Any(x => x.Function == 0x4A), Wait);

        Assert.Empty(_centre.Violations);
        var clock = Assert.Single(got, x => x.Function == 0x51);
        Assert.Equal(77, clock.Serial);
        Assert.True((clock.Sent - now).Duration() < TimeSpan.FromSeconds(3));
        Assert.Equal(80, Assert.Single(got, x => x.Function == 0x4A).Serial);
        Assert.Equal(2, Interlocked.Read(ref _link!.Counters.Refused));
        Assert.Equal(4, Interlocked.Read(ref _link.Counters.Requests));
    }

    private void StartLink()
    {
        var config = Config;
        _outbox = new SqliteForwardingOutbox(Path.Combine(_dir, "sl651-sim.db"));
        var counters = new ForwardingCounters();
        var requests = new Sl651Requests(config, new Sl651Composer(_options), new Sl651DataSource(_noInflux), counters, TimeProvider.System, NullLogger.Instance);
        _link = new Sl651Link(config, _outbox, _options, requests, counters, TimeProvider.System, NullLogger.Instance);
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

    private int Queue(int i)
    {
        var composer = new Sl651Composer(_options);
        var config = Config;
        var end = 1_795_136_400L + (i * 3600);
        var w = new SiteWindow(end - 3600, end, [(end - 100, 0.5 + i)], true, [(end - 50, 1.2)], []);
        var serial = _outbox!.NextCounter("serial:" + Station, 65535);
        var frame = composer.Report(config, config.Sites[0], Sl651Function.Hourly, serial, DateTimeOffset.UtcNow, DateTimeOffset.FromUnixTimeSeconds(end), composer.HourlyElements(config.Sites[0], end, w));
        Assert.True(_outbox.Add($"34|river-1|{end}", "34", "river-1", end, [(serial.ToString(System.Globalization.CultureInfo.InvariantCulture), Convert.ToHexString(frame))], DateTimeOffset.UtcNow));
        Assert.True(_outbox.Contains($"34|river-1|{end}"));
        _link!.Wake();
        return serial;
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

    private sealed class PlainClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }
}
