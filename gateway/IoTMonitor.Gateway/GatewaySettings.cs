using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Storage;

namespace IoTMonitor.Gateway;

/// <summary>
/// The bound options the alert channels' registrations read to default to the gateway's own broker
/// and InfluxDB (each is bound and validated once by its stage; this only gathers them).
/// </summary>
public sealed class GatewaySettings(MqttOptions mqtt, RegistryOptions registry, StorageOptions storage)
{
    public MqttOptions Mqtt { get; } = mqtt;

    public RegistryOptions Registry { get; } = registry;

    public StorageOptions Storage { get; } = storage;
}
