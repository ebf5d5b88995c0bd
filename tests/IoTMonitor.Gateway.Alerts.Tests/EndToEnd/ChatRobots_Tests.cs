using IoTMonitor.Gateway.Alerts.Channels.DingTalk;
using IoTMonitor.Gateway.Alerts.Channels.WeCom;
using IoTMonitor.Gateway.Alerts.Tests.Support;

namespace IoTMonitor.Gateway.Alerts.Tests.EndToEnd;

/// <summary>
/// WeCom and DingTalk group robots end to end: the real gateway (embedded broker, WAL, alert stage,
/// outbox) posting to local receivers that check the vendors' documented request format and answer
/// with their documented codes.
/// </summary>
[Collection(AlertsCollection.Name)]
public sealed class ChatRobots_Tests
{
    private const string WeComKey = "693a91f6-test-4bc4-97a0-0ec2aa5aaaaa";
    private const string DingToken = "ding-token-0123456789abcdef";
    private const string DingSecret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";

    /// <summary>The level rule with its Chinese name and action, as the default rule pack carries them.</summary>
    private const string Pack = """
        {"name":"test-level-zh","rules":[
          {"id":"level.high","name":"Water level above warning stage","nameZh":"水位超过警戒水位","kind":"threshold","quantity":"water.level","severity":"critical",
           "above":3.5,"hysteresis":0.1,"source":"site-specific (test)","action":"Warn people downstream","actionZh":"通知下游群众"}
        ]}
        """;

    private static Dictionary<string, string> Settings(Dictionary<string, string> robots) => new(robots)
    {
        ["Alerts:Sites:river-1:Name"] = "清水桥",
        ["Alerts:Sites:river-1:Type"] = "river",
    };

    private static async Task RaiseAsync(GatewayHost gw, string device)
    {
        await using var node = await gw.ConnectNodeAsync("river-1", device);
        await node.SendAsync("water.level", (DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 4.0));
    }

    [Fact]
    public async Task WeCom_and_DingTalk_robots_each_get_one_Chinese_message_per_event_in_the_documented_format()
    {
        using var wecom = new ChatRobotReceiver(ChatRobotReceiver.Kind.WeCom, WeComKey);
        using var ding = new ChatRobotReceiver(ChatRobotReceiver.Kind.DingTalk, DingToken, DingSecret);
        wecom.Start();
        ding.Start();
        await using var gw = new GatewayHost(Pack, Settings(new()
        {
            ["Alerts:Channels:WeCom:Robots:duty:Url"] = wecom.Url,
            ["Alerts:Channels:DingTalk:Robots:duty:Url"] = ding.Url,
            ["Alerts:Channels:DingTalk:Robots:duty:Secret"] = DingSecret,
            ["Alerts:Channels:DingTalk:MessageType"] = "markdown",
            ["Alerts:FlapWindowSeconds"] = "0", // the resolved notice at once, not after the flap window
        }));
        await gw.StartAsync();
        await using var node = await gw.ConnectNodeAsync("river-1", "wl-01");
        await node.SendAsync("water.level", (DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 4.0));

        await GatewayHost.WaitUntilAsync(() => wecom.Accepted.Count >= 1 && ding.Accepted.Count >= 1, TimeSpan.FromSeconds(20), "both robots to get the alert");
        var alert = Assert.Single(gw.Alerts.Store.ListActive());
        await Task.Delay(1000);

        var w = Assert.Single(wecom.Calls);
        Assert.Empty(w.Violations);
        Assert.Equal("text", w.MsgType);
        var lines = w.Content.Split('\n');
        Assert.Equal("【严重·告警】清水桥(river-1)", lines[0]);
        Assert.Equal("水位 4 m(限值 > 3.5 m)", lines[1]);
        Assert.StartsWith("时间:", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("起(UTC+8)", lines[2], StringComparison.Ordinal);
        var since = DateTimeOffset.ParseExact(lines[2]["时间:".Length..^"起(UTC+8)".Length].Trim(), "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        var sinceChina = alert.Since.ToOffset(TimeSpan.FromHours(8));
        Assert.Equal(new DateTime(sinceChina.Year, sinceChina.Month, sinceChina.Day, sinceChina.Hour, sinceChina.Minute, 0), since.UtcDateTime);
        Assert.Equal("规则:水位超过警戒水位", lines[3]);
        Assert.Equal("处置:通知下游群众", lines[4]);
        Assert.Equal($"设备:wl-01 · 编号 {alert.Id[..12]}", lines[5]);

        var d = Assert.Single(ding.Calls);
        Assert.Empty(d.Violations); // signature recomputed and equal, timestamp within the hour
        Assert.Equal("markdown", d.MsgType);
        Assert.StartsWith("**【严重·告警】清水桥(river-1)**", d.Content, StringComparison.Ordinal);
        Assert.Contains("水位 4 m", d.Content, StringComparison.Ordinal);

        var outbox = gw.Alerts.Store.Outbox(alert.Id);
        Assert.Equal("sent", Assert.Single(outbox, o => o.Channel == WeComChannel.ChannelName).Status);
        Assert.Equal("duty", Assert.Single(outbox, o => o.Channel == DingTalkChannel.ChannelName).Recipient); // the robot's name, never its key

        // resolved: one more message each, in words
        await node.SendAsync("water.level", (DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3.0));
        await GatewayHost.WaitUntilAsync(() => wecom.Accepted.Count >= 2 && ding.Accepted.Count >= 2, TimeSpan.FromSeconds(20), "the resolved notice");
        Assert.StartsWith("【严重·已恢复】清水桥(river-1)", wecom.Calls[1].Content, StringComparison.Ordinal);
        Assert.Equal(2, wecom.Calls.Count);
        Assert.Equal(2, ding.Calls.Count);
    }

    [Fact]
    public async Task A_rate_limited_message_is_deferred_and_delivered_exactly_once()
    {
        using var wecom = new ChatRobotReceiver(ChatRobotReceiver.Kind.WeCom, WeComKey);
        using var ding = new ChatRobotReceiver(ChatRobotReceiver.Kind.DingTalk, DingToken, DingSecret);
        wecom.Script(WeComChannel.RateLimitedCode);
        ding.Script(DingTalkChannel.RateLimitedCode);
        wecom.Start();
        ding.Start();
        await using var gw = new GatewayHost(Pack, Settings(new()
        {
            ["Alerts:Channels:WeCom:Robots:duty:Url"] = wecom.Url,
            ["Alerts:Channels:WeCom:RateLimitedRetrySeconds"] = "1",
            ["Alerts:Channels:DingTalk:Robots:duty:Url"] = ding.Url,
            ["Alerts:Channels:DingTalk:Robots:duty:Secret"] = DingSecret,
            ["Alerts:Channels:DingTalk:RateLimitedRetrySeconds"] = "1",
            ["Alerts:Outbox:MaxAttempts"] = "1", // a deferral must not count as an attempt
        }));
        await gw.StartAsync();
        await RaiseAsync(gw, "wl-02");

        await GatewayHost.WaitUntilAsync(() => wecom.Accepted.Count >= 1 && ding.Accepted.Count >= 1, TimeSpan.FromSeconds(20), "delivery after the rate limit");
        await Task.Delay(1500);

        foreach (var (receiver, channel, code) in new[] { (wecom, WeComChannel.ChannelName, WeComChannel.RateLimitedCode), (ding, DingTalkChannel.ChannelName, DingTalkChannel.RateLimitedCode) })
        {
            Assert.Equal([code, 0], receiver.Calls.Select(c => c.ErrCode));
            Assert.All(receiver.Calls, c => Assert.Empty(c.Violations));
            Assert.Equal(receiver.Calls[0].Content, receiver.Calls[1].Content);
            var entry = Assert.Single(gw.Alerts.Store.Outbox(), o => o.Channel == channel);
            Assert.Equal("sent", entry.Status);
            var attempts = gw.Alerts.Store.Attempts(entry.Id);
            Assert.Equal(2, attempts.Count);
            Assert.StartsWith("deferred: ", attempts[0].Detail, StringComparison.Ordinal);
            Assert.Contains(code.ToString(System.Globalization.CultureInfo.InvariantCulture), attempts[0].Detail, StringComparison.Ordinal);
            Assert.True(attempts[1].Ok);
        }
    }

    [Fact]
    public async Task Past_the_per_robot_limit_messages_wait_in_the_outbox_instead_of_being_sent()
    {
        using var wecom = new ChatRobotReceiver(ChatRobotReceiver.Kind.WeCom, WeComKey);
        wecom.Start();
        await using var gw = new GatewayHost(Pack, Settings(new()
        {
            ["Alerts:Channels:WeCom:Robots:duty:Url"] = wecom.Url,
            ["Alerts:Channels:WeCom:RateLimitPerMinute"] = "2",
        }));
        await gw.StartAsync();
        await RaiseAsync(gw, "wl-03");
        await RaiseAsync(gw, "wl-04");
        await RaiseAsync(gw, "wl-05");

        await GatewayHost.WaitUntilAsync(
            () => gw.Alerts.Store.Outbox(status: "pending").Any(o => o.Channel == WeComChannel.ChannelName && o.LastError?.StartsWith("deferred: ", StringComparison.Ordinal) == true),
            TimeSpan.FromSeconds(20),
            "the third message to be deferred");
        await Task.Delay(1000);

        Assert.Equal(2, wecom.Calls.Count); // the third was never sent to be refused
        var entries = gw.Alerts.Store.Outbox().Where(o => o.Channel == WeComChannel.ChannelName).ToList();
        Assert.Equal(3, entries.Count);
        Assert.Equal(2, entries.Count(e => e.Status == "sent"));
        var waiting = Assert.Single(entries, e => e.Status == "pending");
        Assert.Equal(0, waiting.Attempts);
        Assert.True(waiting.Due > DateTimeOffset.UtcNow.AddSeconds(30), $"due {waiting.Due:O}: when the first send leaves the minute");
    }

    [Fact]
    public async Task A_wrong_DingTalk_secret_is_refused_for_good_with_its_code()
    {
        using var ding = new ChatRobotReceiver(ChatRobotReceiver.Kind.DingTalk, DingToken, DingSecret);
        ding.Start();
        await using var gw = new GatewayHost(Pack, Settings(new()
        {
            ["Alerts:Channels:DingTalk:Robots:duty:Url"] = ding.Url,
            ["Alerts:Channels:DingTalk:Robots:duty:Secret"] = "SECnot-the-robots-secret",
        }));
        await gw.StartAsync();
        await RaiseAsync(gw, "wl-06");

        await GatewayHost.WaitUntilAsync(() => gw.Alerts.Store.Outbox(status: "failed").Any(o => o.Channel == DingTalkChannel.ChannelName), TimeSpan.FromSeconds(20), "the refusal");
        await Task.Delay(1000);

        var call = Assert.Single(ding.Calls);
        Assert.Equal(310000, call.ErrCode);
        Assert.Contains(call.Violations, v => v.StartsWith("sign ", StringComparison.Ordinal));
        var entry = Assert.Single(gw.Alerts.Store.Outbox(), o => o.Channel == DingTalkChannel.ChannelName);
        Assert.Equal(1, entry.Attempts);
        Assert.Contains("310000", entry.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gateway_restart_before_the_robots_answer_still_delivers_exactly_once()
    {
        // robots unreachable: the alert is detected, its messages wait in the outbox
        using var wecom = new ChatRobotReceiver(ChatRobotReceiver.Kind.WeCom, WeComKey);
        using var ding = new ChatRobotReceiver(ChatRobotReceiver.Kind.DingTalk, DingToken, DingSecret);
        await using var gw = new GatewayHost(Pack, Settings(new()
        {
            ["Alerts:Channels:WeCom:Robots:duty:Url"] = wecom.Url,
            ["Alerts:Channels:DingTalk:Robots:duty:Url"] = ding.Url,
            ["Alerts:Channels:DingTalk:Robots:duty:Secret"] = DingSecret,
        }));
        await gw.StartAsync();
        await RaiseAsync(gw, "wl-07");
        await GatewayHost.WaitUntilAsync(
            () => gw.Alerts.Store.Outbox(status: "pending").Count(o => o.Channel is WeComChannel.ChannelName or DingTalkChannel.ChannelName && o.Attempts >= 1) == 2,
            TimeSpan.FromSeconds(20),
            "a failed attempt on each robot");
        var alert = Assert.Single(gw.Alerts.Store.ListActive());
        await gw.StopAsync();

        wecom.Start();
        ding.Start();
        await gw.StartAsync();
        await GatewayHost.WaitUntilAsync(() => wecom.Calls.Count >= 1 && ding.Calls.Count >= 1, TimeSpan.FromSeconds(20), "delivery after the restart");
        await Task.Delay(1500);

        Assert.True(Assert.Single(wecom.Calls).Accepted);
        Assert.True(Assert.Single(ding.Calls).Accepted);
        Assert.Empty(ding.Calls[0].Violations);
        Assert.EndsWith(alert.Id[..12], wecom.Calls[0].Content, StringComparison.Ordinal);
        foreach (var channel in new[] { WeComChannel.ChannelName, DingTalkChannel.ChannelName })
        {
            var entry = Assert.Single(gw.Alerts.Store.Outbox(alert.Id), o => o.Channel == channel);
            Assert.Equal("sent", entry.Status);
            var attempts = gw.Alerts.Store.Attempts(entry.Id);
            Assert.False(attempts[0].Ok);
            Assert.True(attempts[^1].Ok);
        }
    }
}
