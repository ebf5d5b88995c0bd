using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Ingest;

/// <summary>
/// The access check of the broker-client modes (external, cluster), where the broker checked the
/// node's login and topic ACL: the topic's device is enrolled, enabled and in the topic's site.
/// Positive answers are cached per device (a device's site does not change).
/// </summary>
public sealed class EnrolmentCheck(DeviceRegistry registry)
{
    private readonly Dictionary<string, string> _known = new();

    public bool IsKnownDevice(in TopicRoute route)
    {
        if (route.Kind == TopicKind.Invalid)
        {
            return true; // the decoder dead-letters it as bad_topic
        }

        lock (_known)
        {
            if (_known.TryGetValue(route.Device, out var knownSite))
            {
                return knownSite == route.Site;
            }
        }

        var d = registry.FindDevice(route.Device);
        if (d is null || !d.Enabled)
        {
            return false;
        }

        lock (_known)
        {
            _known[route.Device] = d.SiteId;
        }

        return d.SiteId == route.Site;
    }
}
