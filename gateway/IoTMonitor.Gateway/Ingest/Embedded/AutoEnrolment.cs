using System.Collections;
using IoTMonitor.Gateway.Registry;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Ingest.Embedded;

/// <summary>
/// Auto-enrolment (<c>Registry:AutoEnrol</c>), a step of its own before the access check: a login
/// accepted for an unknown device (<see cref="DeviceLogin"/>) carries its secret until its first
/// uplink publish, whose topic names the site; the device is enrolled there and the session gets
/// that site. A device enrolled meanwhile in another site keeps the session without a site, so
/// the access check refuses.
/// </summary>
internal sealed class AutoEnrolment(DeviceRegistry registry, ILogger log)
{
    public void EnrolOnFirstPublish(IDictionary items, in TopicRoute route)
    {
        if (SessionIdentity.EnrolSecret(items) is not { } secret || SessionIdentity.Device(items) != route.Device || !route.IsNodeUplink)
        {
            return;
        }

        lock (registry)
        {
            if (registry.FindDevice(route.Device) is null)
            {
                if (!registry.SiteExists(route.Site))
                {
                    registry.AddSite(route.Site, null);
                }

                registry.AddDevice(route.Device, route.Site, secret);
                log.LogWarning("Auto-enrol: device {Device} enrolled in site {Site}", route.Device, route.Site);
            }
        }

        if (registry.FindDevice(route.Device) is { } enrolled && enrolled.SiteId == route.Site)
        {
            SessionIdentity.Enrolled(items, route.Site);
        }
    }
}
