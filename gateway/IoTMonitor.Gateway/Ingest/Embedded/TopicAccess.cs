using System.Collections;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Ingest.Embedded;

/// <summary>
/// The embedded broker's topic ACL, predicates without side effects (enrolment is a step before,
/// <see cref="AutoEnrolment"/>): a device publishes only the kinds a node sends on its own topics
/// (its site, its device) and subscribes only to its own <c>config</c> and <c>cmd</c>; the service
/// login publishes and reads alerts and reads node status; the gateway's injected messages carry config and commands.
/// </summary>
internal static class TopicAccess
{
    public const string AlertsPrefix = "iotmon/alerts/";
    private const string StatusFilter = "iotmon/v1/+/+/status";

    public static bool MayPublish(IDictionary items, in TopicRoute route)
    {
        if (SessionIdentity.IsService(items) && route.Topic.StartsWith(AlertsPrefix, StringComparison.Ordinal))
        {
            return true;
        }

        if (SessionIdentity.IsGateway(items) && route.Kind is TopicKind.Config or TopicKind.Command)
        {
            return true;
        }

        return IsOwn(items, route.Site, route.Device) && route.IsNodeUplink;
    }

    public static bool MaySubscribe(IDictionary items, string filter)
    {
        if (SessionIdentity.IsService(items) && (filter.StartsWith(AlertsPrefix, StringComparison.Ordinal) || filter == StatusFilter))
        {
            return true;
        }

        var kind = TopicName.Parse(filter, out var site, out var device);
        return kind is TopicKind.Config or TopicKind.Command && IsOwn(items, site, device);
    }

    private static bool IsOwn(IDictionary items, string site, string device) =>
        SessionIdentity.Device(items) is { } own && own == device
        && SessionIdentity.Site(items) is { } ownSite && ownSite == site;
}
