using IoTMonitor.Gateway.Api;
using IoTMonitor.Gateway.Buffering;
using IoTMonitor.Gateway.Downlink;
using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Configuration;

namespace IoTMonitor.Gateway;

/// <summary>Every stage's options, bound from configuration and validated together at startup.</summary>
public sealed class GatewaySettings
{
    public GatewayOptions Gateway { get; } = new();

    public MqttOptions Mqtt { get; } = new();

    public ValidationOptions Validation { get; } = new();

    public BufferingOptions Buffering { get; } = new();

    public StorageOptions Storage { get; } = new();

    public RegistryOptions Registry { get; } = new();

    public ApiOptions Api { get; } = new();

    public DownlinkOptions Downlink { get; } = new();

    public static GatewaySettings Bind(IConfiguration configuration)
    {
        var s = new GatewaySettings();
        configuration.GetSection(GatewayOptions.Section).Bind(s.Gateway);
        configuration.GetSection(MqttOptions.Section).Bind(s.Mqtt);
        configuration.GetSection(ValidationOptions.Section).Bind(s.Validation);
        configuration.GetSection(BufferingOptions.Section).Bind(s.Buffering);
        configuration.GetSection(StorageOptions.Section).Bind(s.Storage);
        configuration.GetSection(RegistryOptions.Section).Bind(s.Registry);
        configuration.GetSection(ApiOptions.Section).Bind(s.Api);
        configuration.GetSection(DownlinkOptions.Section).Bind(s.Downlink);
        var errors = s.Gateway.Validate()
            .Concat(s.Mqtt.Validate())
            .Concat(s.Validation.Validate())
            .Concat(s.Buffering.Validate())
            .Concat(s.Storage.Validate())
            .Concat(s.Registry.Validate())
            .Concat(s.Api.Validate())
            .Concat(s.Downlink.Validate())
            .ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid gateway configuration:\n  " + string.Join("\n  ", errors));
        }

        return s;
    }
}
