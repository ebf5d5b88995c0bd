using System.Collections;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Ingest.Embedded;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Tests.Ingest;

/// <summary>The embedded broker's topic ACL (docs/protocol.md §2, docs/gateway.md): pure predicates over a session's identity and a topic parsed once.</summary>
public sealed class TopicAccessTests
{
    private static Hashtable Device(string device, string? site) => site is null
        ? new() { [SessionIdentity.DeviceKey] = device, [SessionIdentity.EnrolKey] = "secret" }
        : new() { [SessionIdentity.DeviceKey] = device, [SessionIdentity.SiteKey] = site };

    [Theory]
    [InlineData("iotmon/v1/s1/d1/telemetry", true)]
    [InlineData("iotmon/v1/s1/d1/status", true)]
    [InlineData("iotmon/v1/s1/d1/config/ack", true)]
    [InlineData("iotmon/v1/s1/d1/cmd/ack", true)]
    [InlineData("iotmon/v1/s1/d1/config", false)] // the gateway's to send
    [InlineData("iotmon/v1/s1/d1/cmd", false)]
    [InlineData("iotmon/v1/s1/d2/telemetry", false)] // another device
    [InlineData("iotmon/v1/s2/d1/telemetry", false)] // another site
    [InlineData("iotmon/alerts/s1", false)]
    [InlineData("elsewhere", false)]
    public void A_device_publishes_only_the_uplink_kinds_on_its_own_topics(string topic, bool allowed) =>
        Assert.Equal(allowed, TopicAccess.MayPublish(Device("d1", "s1"), TopicRoute.Parse(topic)));

    [Fact]
    public void A_device_waiting_for_enrolment_has_no_site_yet_so_the_check_refuses_until_it_is_enrolled()
    {
        var items = Device("d1", site: null);
        var route = TopicRoute.Parse("iotmon/v1/s1/d1/telemetry");
        Assert.False(TopicAccess.MayPublish(items, route));
        Assert.Equal("secret", SessionIdentity.EnrolSecret(items)); // the predicate changed nothing

        SessionIdentity.Enrolled(items, "s1");
        Assert.True(TopicAccess.MayPublish(items, route));
        Assert.Null(SessionIdentity.EnrolSecret(items));
    }

    [Fact]
    public void The_service_login_and_the_gateways_own_messages_have_their_own_part()
    {
        var service = new Hashtable { [SessionIdentity.ServiceKey] = true };
        Assert.True(TopicAccess.MayPublish(service, TopicRoute.Parse("iotmon/alerts/s1")));
        Assert.False(TopicAccess.MayPublish(service, TopicRoute.Parse("iotmon/v1/s1/d1/telemetry")));
        Assert.True(TopicAccess.MaySubscribe(service, "iotmon/v1/+/+/status"));
        Assert.False(TopicAccess.MaySubscribe(service, "iotmon/v1/+/+/telemetry"));

        var gateway = new Hashtable { [SessionIdentity.GatewayKey] = true };
        Assert.True(TopicAccess.MayPublish(gateway, TopicRoute.Parse("iotmon/v1/s1/d1/config")));
        Assert.True(TopicAccess.MayPublish(gateway, TopicRoute.Parse("iotmon/v1/s1/d1/cmd")));
        Assert.False(TopicAccess.MayPublish(gateway, TopicRoute.Parse("iotmon/v1/s1/d1/telemetry")));
    }

    [Fact]
    public void A_device_subscribes_only_to_its_own_config_and_commands()
    {
        var items = Device("d1", "s1");
        Assert.True(TopicAccess.MaySubscribe(items, "iotmon/v1/s1/d1/config"));
        Assert.True(TopicAccess.MaySubscribe(items, "iotmon/v1/s1/d1/cmd"));
        Assert.False(TopicAccess.MaySubscribe(items, "iotmon/v1/s1/d2/cmd"));
        Assert.False(TopicAccess.MaySubscribe(items, "iotmon/v1/s1/+/cmd"));
        Assert.False(TopicAccess.MaySubscribe(items, "iotmon/v1/s1/d1/telemetry"));
    }

    [Fact]
    public void A_topic_shaped_like_telemetry_but_with_bad_ids_still_goes_to_the_pipeline_to_be_dead_lettered()
    {
        var route = TopicRoute.Parse("iotmon/v1/Bad Site/d1/telemetry");
        Assert.Equal(TopicKind.Invalid, route.Kind);
        Assert.True(route.IsTelemetry);
        Assert.False(TopicRoute.Parse("iotmon/v1/s1/d1/status").IsTelemetry);
    }
}
