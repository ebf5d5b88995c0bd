using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Gateway.Validation;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Tests;

[Collection("influx")]
public sealed class Refusal_Tests(InfluxDbFixture influx)
{
    [Fact]
    public async Task A_wrong_password_is_refused_at_connect_and_counted()
    {
        await using var gw = await GatewayHarness.StartAsync(influx.Server);
        await gw.EnrolAsync("site-r", "wq-pw");

        var e = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-pw", "wrong-secret"));
        Assert.True(e is MqttConnectingFailedException or InvalidOperationException, e.ToString());
        await Assert.ThrowsAnyAsync<Exception>(() => GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "nobody", "x"));

        var c = gw.Service<Ledger>().Counters;
        Assert.Equal(2, GatewayCounters.Read(ref c.AuthFailures));
    }

    [Fact]
    public async Task Spoofed_topics_and_foreign_subscriptions_are_refused_and_the_stream_is_unharmed()
    {
        await using var gw = await GatewayHarness.StartAsync(influx.Server);
        var secretA = await gw.EnrolAsync("site-r", "wq-a");
        await gw.EnrolAsync("site-r", "wq-b");
        using var a = await GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-a", secretA);

        var spoofDevice = await GatewayHarness.PublishAsync(a, Payloads.Topic("site-r", "wq-b"), Payloads.Batch(1, 1, Payloads.TimeOf(1)));
        var spoofSite = await GatewayHarness.PublishAsync(a, Payloads.Topic("other-site", "wq-a"), Payloads.Batch(1, 1, Payloads.TimeOf(1)));
        var toConfig = await GatewayHarness.PublishAsync(a, "iotmon/v1/site-r/wq-a/config", "{}"u8.ToArray());
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, spoofDevice.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, spoofSite.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, toConfig.ReasonCode);

        var foreign = await a.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("iotmon/v1/site-r/wq-b/cmd", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var wildcard = await a.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("iotmon/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var own = await a.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("iotmon/v1/site-r/wq-a/cmd", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, foreign.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, wildcard.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, own.Items.Single().ResultCode);

        var good = await GatewayHarness.PublishAsync(a, Payloads.Topic("site-r", "wq-a"), Payloads.Batch(1, 1, Payloads.TimeOf(1)));
        Assert.True(good.IsSuccess);
        Assert.Equal(4, await GatewayHarness.WaitForCountAsync(influx.Server, gw.Database, 4, TimeSpan.FromSeconds(20)));
        var c = gw.Service<Ledger>().Counters;
        Assert.Equal(5, GatewayCounters.Read(ref c.AclDenials));
        Assert.Equal(3, GatewayCounters.Read(ref c.MessagesInvalid));
        Assert.Equal(1, GatewayCounters.Read(ref c.MessagesDurable));
    }

    [Fact]
    public async Task Oversized_malformed_and_out_of_range_payloads_are_dead_lettered_and_counted_and_the_stream_is_unharmed()
    {
        await using var gw = await GatewayHarness.StartAsync(influx.Server);
        var secret = await gw.EnrolAsync("site-d", "wq-bad");
        using var client = await GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-bad", secret);
        var topic = Payloads.Topic("site-d", "wq-bad");
        var t = Payloads.TimeOf(10);

        var oversized = Encoding.UTF8.GetBytes("{\"v\":1,\"pad\":\"" + new string('x', 9000) + "\"}");
        var malformed = "ph=7.1"u8.ToArray();
        var truncated = Payloads.Batch(1, 100, t)[..40];
        var outOfRange = Encoding.UTF8.GetBytes($"{{\"v\":1,\"fw\":\"1\",\"boot\":1,\"clk\":{t},\"h\":{{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":2}},\"r\":[[1,{t},\"water.ph\",99,1],[2,{t},\"water.temp\",14.5,0]]}}");
        foreach (var bad in new[] { oversized, malformed, truncated, outOfRange })
        {
            Assert.True((await GatewayHarness.PublishAsync(client, topic, bad)).IsSuccess);
        }

        for (var m = 0; m < 50; m++)
        {
            Assert.True((await GatewayHarness.PublishAsync(client, topic, Payloads.Batch(1, 3 + (m * 4), Payloads.TimeOf(100 + m)))).IsSuccess);
        }

        Assert.Equal(201, await GatewayHarness.WaitForCountAsync(influx.Server, gw.Database, 201, TimeSpan.FromSeconds(60)));
        var c = gw.Service<Ledger>().Counters;
        Assert.Equal(54, GatewayCounters.Read(ref c.MessagesReceived));
        Assert.Equal(3, GatewayCounters.Read(ref c.MessagesInvalid));
        Assert.Equal(1, GatewayCounters.Read(ref c.ReadingsInvalid));
        Assert.Equal(51, GatewayCounters.Read(ref c.MessagesDurable));

        await gw.Service<DeadLetterStore>().FlushAsync(TimeSpan.FromSeconds(5));
        var entries = File.ReadAllLines(gw.Service<DeadLetterStore>().FilePath).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(new[] { "too_large", "not_json", "not_json", "implausible_value" }, entries.Select(e => e.GetProperty("reason").GetString()!).ToArray());
        Assert.All(entries, e => Assert.Equal(topic, e.GetProperty("topic").GetString()));
        Assert.Equal(malformed, entries[1].GetProperty("payload").GetBytesFromBase64());
        Assert.True(entries[0].TryGetProperty("time", out _) && entries[0].TryGetProperty("client", out _));
    }

    [Fact]
    public async Task Registry_endpoints_need_the_admin_key_and_show_a_secret_only_once()
    {
        await using var gw = await GatewayHarness.StartAsync(influx.Server);
        using var anonymous = new HttpClient { BaseAddress = gw.Http.BaseAddress };
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/devices")).StatusCode);

        var secret = await gw.EnrolAsync("site-api", "wq-api");
        Assert.Equal(32, secret.Length);
        var list = await gw.Http.GetStringAsync("/api/v1/devices");
        Assert.Contains("\"wq-api\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, Encoding.Latin1.GetString(File.ReadAllBytes(Path.Combine(gw.DataDir, "registry.db"))), StringComparison.Ordinal);
        using var client = await GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-api", secret);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Auto_enrol_mode_enrols_an_unknown_device_at_its_first_publish()
    {
        await using var gw = await GatewayHarness.StartAsync(influx.Server, extra: "--Registry:AutoEnrol=true");
        using (var client = await GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-new", "chosen-secret"))
        {
            Assert.True((await GatewayHarness.PublishAsync(client, Payloads.Topic("site-new", "wq-new"), Payloads.Batch(1, 1, Payloads.TimeOf(1)))).IsSuccess);
        }

        Assert.Equal("site-new", gw.Service<DeviceRegistry>().FindDevice("wq-new")!.SiteId);
        await Assert.ThrowsAnyAsync<Exception>(() => GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-new", "another-secret"));
        using var again = await GatewayHarness.ConnectDeviceAsync(gw.MqttPort, "wq-new", "chosen-secret");
        Assert.True(again.IsConnected);
    }
}
