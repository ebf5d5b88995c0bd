using System.Security.Cryptography;
using System.Text;
using IoTMonitor.Gateway.Alerts.Channels;
using IoTMonitor.Gateway.Alerts.Channels.DingTalk;
using IoTMonitor.Gateway.Alerts.NoticeText;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Channels;

/// <summary>The pure parts of the robot channels: start-up validation, signing, the send window, the message text.</summary>
public sealed class ChatRobotChannelTests
{
    private static IReadOnlyList<string> Errors(Dictionary<string, string?> alerts)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(alerts).Build();
        return new ServiceCollection().AddAlertChannels(config, new AlertsOptions());
    }

    [Fact]
    public void A_robot_without_a_usable_address_or_with_an_unknown_event_is_a_start_up_error()
    {
        var errors = Errors(new()
        {
            ["Channels:WeCom:Robots:duty:Url"] = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", // no key
            ["Channels:WeCom:Events:0"] = "opend",
            ["Channels:DingTalk:Robots:duty:Url"] = "https://oapi.dingtalk.com/robot/send?access_token=t",
            ["Channels:DingTalk:Robots:duty:Secret"] = "not-a-dingtalk-secret",
            ["Channels:DingTalk:MessageType"] = "card",
        });
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Alerts:Channels:WeCom:Robots:duty:Url", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Alerts:Channels:WeCom:Events: 'opend'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Alerts:Channels:DingTalk:Robots:duty:Secret", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Alerts:Channels:DingTalk:MessageType", StringComparison.Ordinal));
    }

    [Fact]
    public void A_robot_routes_the_people_events_by_default_and_late_ones_only_when_named()
    {
        var options = new AlertsOptions { Mqtt = { Enabled = false }, Influx = { Enabled = false } };
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Channels:WeCom:Robots:duty:Url"] = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
            ["Channels:DingTalk:Robots:ops:Url"] = "https://oapi.dingtalk.com/robot/send?access_token=t",
            ["Channels:DingTalk:Events:0"] = "opened",
        }).Build();
        var services = new ServiceCollection();
        Assert.Empty(services.AddAlertChannels(config, options));
        var channels = services.BuildServiceProvider().GetServices<IAlertChannel>().ToDictionary(c => c.Name);
        Assert.Equal(["dingtalk", "wecom"], channels.Keys.Order(StringComparer.Ordinal));

        var wecom = channels["wecom"];
        foreach (var type in new[] { "opened", "renotified", "escalated", "acknowledged", "resolved", "flapping" })
        {
            Assert.Equal(["duty"], wecom.Recipients(type, late: false));
        }

        Assert.Empty(wecom.Recipients("reopened", late: false));
        Assert.Empty(wecom.Recipients("late", late: true));
        Assert.Equal(["ops"], channels["dingtalk"].Recipients("opened", late: false));
        Assert.Empty(channels["dingtalk"].Recipients("resolved", late: false));

        options.LateChannels = ["wecom"];
        Assert.Equal(["duty"], wecom.Recipients("late", late: true));
    }

    [Fact]
    public void The_DingTalk_signature_is_HMAC_SHA256_of_timestamp_newline_secret_Base64_then_URL_encoded()
    {
        const string secret = "SECtest-secret";
        const long ts = 1_700_000_000_000;
        var expected = Convert.ToBase64String(new HMACSHA256(Encoding.UTF8.GetBytes(secret)).ComputeHash(Encoding.UTF8.GetBytes("1700000000000\n" + secret)));
        Assert.Equal(expected, DingTalkChannel.Sign(secret, ts));

        var address = DingTalkChannel.Address(new DingTalkRobot { Url = "https://oapi.dingtalk.com/robot/send?access_token=t", Secret = secret }, DateTimeOffset.FromUnixTimeMilliseconds(ts));
        Assert.Equal($"https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign={Uri.EscapeDataString(expected)}", address);
        Assert.DoesNotContain('+', address[address.IndexOf("sign=", StringComparison.Ordinal)..]);
        Assert.Equal("https://x/robot/send?access_token=t", DingTalkChannel.Address(new DingTalkRobot { Url = "https://x/robot/send?access_token=t" }, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void The_send_window_takes_the_limit_per_minute_per_robot_then_says_how_long_to_wait()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero));
        var window = new SendRateWindow(20, TimeSpan.FromMinutes(1), clock);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(window.TryTake("duty", out _));
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.False(window.TryTake("duty", out var wait));
        Assert.Equal(TimeSpan.FromSeconds(40), wait); // the first send (t = 0) leaves the minute at t = 60, now t = 20
        Assert.True(window.TryTake("ops", out _)); // per robot
        clock.Advance(wait);
        Assert.True(window.TryTake("duty", out _));

        window.Fill("duty", TimeSpan.FromMinutes(10)); // the robot was throttled
        Assert.False(window.TryTake("duty", out wait));
        Assert.Equal(TimeSpan.FromMinutes(10), wait);
    }

    [Fact]
    public void The_Chinese_text_puts_site_quantity_value_level_and_China_time_first_and_fits_the_limits()
    {
        var n = new AlertNotice
        {
            AlertId = "0193a1b2c3d4e5f6",
            Type = AlertEventTypes.Escalated,
            Severity = "warning",
            RuleName = "Dissolved oxygen below class III (5 mg/L)",
            RuleNameZh = "溶解氧低于 III 类标准(5 mg/L)",
            Site = "lake-2",
            SiteName = "太湖 2 号",
            Device = "do-7",
            Quantity = "water.do",
            Unit = "mg/L",
            Value = 3.2,
            Worst = 2.9,
            LimitZh = "< 5 mg/L",
            Since = new DateTimeOffset(2026, 7, 1, 16, 30, 0, TimeSpan.Zero),
            At = new DateTimeOffset(2026, 7, 1, 17, 45, 0, TimeSpan.Zero),
            Action = "Check for organic pollution",
        };
        var lines = ChineseNoticeText.Text(n).Split('\n');
        Assert.Equal("【警告·告警升级】太湖 2 号(lake-2)", lines[0]);
        Assert.Equal("溶解氧 3.2 mg/L(限值 < 5 mg/L),最严重 2.9", lines[1]);
        Assert.Equal("时间:2026-07-02 01:45,2026-07-02 00:30 起(UTC+8)", lines[2]);
        Assert.Equal("处置:Check for organic pollution", lines[4]); // no Chinese action in the pack: the English one, not nothing

        var cut = ChineseNoticeText.CutUtf8(new string('水', 1000), 2048);
        Assert.True(Encoding.UTF8.GetByteCount(cut) <= 2048);
        Assert.EndsWith("…", cut, StringComparison.Ordinal);
        Assert.Equal(682, cut.Length); // 681 three-byte characters + the three-byte ellipsis = 2046 bytes
    }
}
