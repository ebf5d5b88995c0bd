using System.Collections;
using MQTTnet.Formatter;

namespace IoTMonitor.Gateway.Ingest.Embedded;

/// <summary>
/// What the embedded broker keeps in an MQTTnet session's items: who logged in (a device and its
/// site, a device still to be enrolled with its secret, the service login), the connection's MQTT
/// version, and the mark of the gateway's own injected messages.
/// </summary>
internal static class SessionIdentity
{
    public const string DeviceKey = "iotmon.device";
    public const string SiteKey = "iotmon.site";
    public const string EnrolKey = "iotmon.enrol";
    public const string ServiceKey = "iotmon.service";
    public const string ProtocolKey = "iotmon.protocol";
    public const string GatewayKey = "iotmon.gateway";

    /// <summary>The keys a login establishes, replaced as a whole at every connect.</summary>
    public static readonly string[] LoginKeys = [DeviceKey, SiteKey, EnrolKey, ServiceKey, ProtocolKey];

    public static string? Device(IDictionary items) => items[DeviceKey] as string;

    public static string? Site(IDictionary items) => items[SiteKey] as string;

    /// <summary>The secret of a device login accepted for auto-enrolment and not yet enrolled.</summary>
    public static string? EnrolSecret(IDictionary items) => items[EnrolKey] as string;

    public static bool IsService(IDictionary items) => items[ServiceKey] is true;

    public static bool IsGateway(IDictionary items) => items[GatewayKey] is true;

    public static bool IsMqtt5(IDictionary items) => items[ProtocolKey] is MqttProtocolVersion.V500;

    /// <summary>The device was enrolled in <paramref name="site"/>: the session now carries that site.</summary>
    public static void Enrolled(IDictionary items, string site)
    {
        lock (items)
        {
            items.Remove(EnrolKey);
            items[SiteKey] = site;
        }
    }
}
