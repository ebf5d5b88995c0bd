using System.Text.Json;
using IoTMonitor.Gateway.Alerts.Channels.Email;
using IoTMonitor.Gateway.Alerts.Channels.Mqtt;
using IoTMonitor.Gateway.Alerts.Channels.Sms;
using IoTMonitor.Gateway.Alerts.Channels.WeCom;
using IoTMonitor.Gateway.Alerts.Channels.Webhook;
using IoTMonitor.Gateway.Alerts.NoticeText;
using IoTMonitor.Gateway.Alerts.Tests.Support;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Alerts.Tests.Alerts.Channels;

/// <summary>
/// Each channel delivers the notice in the language chosen for the recipient, to a real receiver:
/// aiosmtpd for e-mail, an HTTP listener for the SMS gateway and the webhook, mosquitto for MQTT.
/// </summary>
public sealed class LocalizedChannelTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Email_goes_out_in_Chinese_by_default_and_in_English_to_a_recipient_who_asked()
    {
        using var smtp = await SmtpServer.StartNewAsync();
        var alerts = new AlertsOptions { RecipientLanguages = { ["field@example.org"] = "en" } };
        var channel = new EmailChannel(new EmailOptions { Host = "127.0.0.1", Port = smtp.Port, Security = "None", From = "iotmonitor@example.org" }, alerts);
        var n = SampleNotices.WaterLevel();

        await channel.SendAsync(SampleNotices.Entry(n, "email", "duty@example.org"), n, Ct);
        await channel.SendAsync(SampleNotices.Entry(n, "email", "field@example.org"), n, Ct);

        var mails = smtp.Messages();
        var zh = Assert.Single(mails, m => m.To.Mailboxes.Single().Address == "duty@example.org");
        Assert.Equal("【严重·告警】清水桥(river-1) 水位超过警戒水位", zh.Subject);
        Assert.Equal("zh-CN", zh.Body!.Headers[MimeKit.HeaderId.ContentLanguage]);
        var lines = zh.TextBody!.Split('\n');
        Assert.Equal("水位 3.72 m(限值 > 3.5 m),最严重 3.8", lines[1]);
        Assert.Equal("时间:2026-07-01 20:00 起(UTC+8)", lines[2]);

        var en = Assert.Single(mails, m => m.To.Mailboxes.Single().Address == "field@example.org");
        Assert.Equal("[CRITICAL] Water level above warning stage at 清水桥 (river-1)", en.Subject); // the site name stays as entered
        Assert.Equal("en", en.Body!.Headers[MimeKit.HeaderId.ContentLanguage]);
        Assert.Contains("How bad: critical, 3.72 m (limit > 3.5 m), worst 3.8", en.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sms_reaches_the_gateway_in_each_recipients_language_with_the_facts_in_the_first_segment()
    {
        using var gateway = new SmsGatewayReceiver();
        var alerts = new AlertsOptions { RecipientLanguages = { ["+447700900123"] = "en" } };
        var channel = new SmsChannel(new SmsOptions { UrlTemplate = gateway.Url + "send?ref={id}" }, alerts, new SingleClientFactory());
        var n = SampleNotices.WaterLevel();

        var zhReceipt = await channel.SendAsync(SampleNotices.Entry(n, "sms", "+8613800138000"), n, Ct);
        var enReceipt = await channel.SendAsync(SampleNotices.Entry(n, "sms", "+447700900123"), n, Ct);

        var calls = gateway.Calls;
        Assert.Equal(2, calls.Count);
        var zh = JsonDocument.Parse(calls[0].Body).RootElement;
        Assert.Equal("+8613800138000", zh.GetProperty("to").GetString());
        var zhText = zh.GetProperty("text").GetString()!;
        var zhParts = SmsSegments.Split(zhText);
        Assert.Equal(SmsEncoding.Ucs2, zhParts.Encoding);
        Assert.StartsWith("【严重·告警】清水桥 水位 3.72 m(限值 > 3.5 m),最严重 3.8,07-01 20:00起。", zhParts.Parts[0], StringComparison.Ordinal);
        Assert.EndsWith($"({zhParts.Count} segments, UCS-2)", zhReceipt, StringComparison.Ordinal);
        Assert.StartsWith("HTTP 200 {\"messageId\":\"m1\"}", zhReceipt, StringComparison.Ordinal);

        var enText = JsonDocument.Parse(calls[1].Body).RootElement.GetProperty("text").GetString()!;
        var enParts = SmsSegments.Split(enText);
        Assert.Equal(SmsEncoding.Ucs2, enParts.Encoding); // the site name as entered is Chinese: the message cannot be GSM-7
        Assert.StartsWith("[CRITICAL] 清水桥 water level 3.72m, limit > 3.5m, 01 Jul 20:00 UTC+8.", enParts.Parts[0], StringComparison.Ordinal); // the compact wording of a UCS-2 message
        Assert.EndsWith($"({enParts.Count} segments, UCS-2)", enReceipt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_keeps_its_English_fields_and_adds_lang_and_the_localized_text()
    {
        const string secret = "0123456789abcdef0123";
        using var hook = new WebhookReceiver(secret);
        hook.Start();
        var alerts = new AlertsOptions();
        var zhChannel = new WebhookChannel(new WebhookOptions { Urls = [hook.Url], Secret = secret }, alerts, new SingleClientFactory(), TimeProvider.System);
        var enChannel = new WebhookChannel(new WebhookOptions { Urls = [hook.Url], Secret = secret, Language = "en_US" }, alerts, new SingleClientFactory(), TimeProvider.System);
        var n = SampleNotices.WaterLevel();

        await zhChannel.SendAsync(SampleNotices.Entry(n, "webhook", hook.Url), n, Ct);
        await enChannel.SendAsync(SampleNotices.Entry(n, "webhook", hook.Url), n, Ct);

        Assert.Equal(2, hook.Calls.Count);
        Assert.All(hook.Calls, c => Assert.True(c.SignatureValid));
        var zh = hook.Calls[0].Json;
        Assert.StartsWith("[CRITICAL] Water level above warning stage", zh.GetProperty("subject").GetString(), StringComparison.Ordinal); // the contract's fields are unchanged
        Assert.StartsWith("[CRITICAL]", zh.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("zh-CN", zh.GetProperty("lang").GetString());
        var localized = zh.GetProperty("localized");
        Assert.Equal("【严重·告警】清水桥(river-1) 水位超过警戒水位", localized.GetProperty("subject").GetString());
        Assert.StartsWith("【严重·告警】清水桥(river-1)\n水位 3.72 m", localized.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("【严重·告警】清水桥(river-1)\n", localized.GetProperty("shortText").GetString(), StringComparison.Ordinal);
        Assert.Equal("threshold", zh.GetProperty("alert").GetProperty("kind").GetString());

        var en = hook.Calls[1].Json;
        Assert.Equal("en", en.GetProperty("lang").GetString());
        // the machine field keeps UTC for the programs that parse it; the localized text is on the reader's clock, zone named
        Assert.Contains("since 01 Jul 12:00 UTC,", en.GetProperty("shortText").GetString(), StringComparison.Ordinal);
        Assert.Equal(en.GetProperty("shortText").GetString()!.Replace("01 Jul 12:00 UTC,", "01 Jul 20:00 UTC+8,", StringComparison.Ordinal), en.GetProperty("localized").GetProperty("shortText").GetString());
        Assert.Equal("UTC+8", en.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task Mqtt_event_carries_lang_and_the_localized_text_through_a_real_broker()
    {
        using var broker = await MosquittoServer.StartNewAsync();
        var received = new List<JsonElement>();
        using var ops = new MqttClientFactory().CreateMqttClient();
        ops.ApplicationMessageReceivedAsync += e =>
        {
            lock (received)
            {
                received.Add(JsonDocument.Parse(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)).RootElement.Clone());
            }

            return Task.CompletedTask;
        };
        await ops.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("ops-i18n").Build(), Ct);
        await ops.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("iotmon/alerts/events/#", MqttQualityOfServiceLevel.AtLeastOnce).Build(), Ct);

        await using var channel = new MqttChannel(new AlertMqttOptions { SubscribeStatus = false }, new AlertsOptions(), "127.0.0.1", broker.Port, string.Empty, string.Empty, new ListLogger());
        channel.Start();
        await GatewayHost.WaitUntilAsync(() => channel.IsConnected, TimeSpan.FromSeconds(10), "the alert channel connected");
        var n = SampleNotices.WaterLevel();
        await channel.SendAsync(SampleNotices.Entry(n, "mqtt", "iotmon/alerts"), n, Ct);
        await GatewayHost.WaitUntilAsync(() => { lock (received) { return received.Count == 1; } }, TimeSpan.FromSeconds(10), "the event on the broker");

        var e = received[0];
        Assert.Equal("zh-CN", e.GetProperty("lang").GetString());
        Assert.StartsWith("[CRITICAL]", e.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("【严重·告警】清水桥(river-1) 水位超过警戒水位", e.GetProperty("localized").GetProperty("subject").GetString());
        Assert.Contains("处置:通知下游群众做好转移准备", e.GetProperty("localized").GetProperty("shortText").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_robot_speaks_Chinese_even_when_the_gateway_default_is_English_unless_it_is_named_for_English()
    {
        using var robot = new ChatRobotReceiver(ChatRobotReceiver.Kind.WeCom, "key-duty");
        robot.Start();
        var options = new WeComOptions { Robots = { ["duty"] = new WeComRobot { Url = robot.Url }, ["visitors"] = new WeComRobot { Url = robot.Url } } };
        var alerts = new AlertsOptions { Language = "en", RecipientLanguages = { ["visitors"] = "en" } };
        var channel = new WeComChannel(options, alerts, new SingleClientFactory(), TimeProvider.System);
        var n = SampleNotices.WaterLevel();

        await channel.SendAsync(SampleNotices.Entry(n, "wecom", "duty"), n, Ct);
        await channel.SendAsync(SampleNotices.Entry(n, "wecom", "visitors"), n, Ct);

        Assert.Equal(2, robot.Accepted.Count);
        Assert.All(robot.Calls, c => Assert.Empty(c.Violations));
        Assert.StartsWith("【严重·告警】清水桥(river-1)\n水位 3.72 m(限值 > 3.5 m)", robot.Calls[0].Content, StringComparison.Ordinal);
        Assert.StartsWith("[CRITICAL] Water level above warning stage at 清水桥 (river-1): 3.72 m", robot.Calls[1].Content, StringComparison.Ordinal);
    }

    private sealed class SingleClientFactory : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new() { Timeout = TimeSpan.FromSeconds(10) };
    }
}
