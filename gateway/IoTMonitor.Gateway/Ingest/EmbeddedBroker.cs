using System.Net;
using System.Security.Cryptography.X509Certificates;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTMonitor.Gateway.Ingest;

/// <summary>
/// The embedded MQTTnet 5 broker. Devices authenticate with user name = device id and password =
/// device secret (checked against the registry); the topic ACL lets a device publish only under its
/// own <c>iotmon/v1/{site}/{device}/</c> (telemetry, status, config/ack, cmd/ack) and subscribe only
/// to its own <c>config</c> and <c>cmd</c>. Telemetry is handed to the pipeline inside
/// InterceptingPublishAsync, which MQTTnet awaits before it builds the PUBACK: the PUBACK therefore
/// leaves only once the message is durable in the WAL (or dead-lettered).
/// </summary>
public sealed class EmbeddedBroker : IMqttListener
{
    private const string DeviceKey = "iotmon.device";
    private const string SiteKey = "iotmon.site";
    private const string EnrolKey = "iotmon.enrol";
    private const string ServiceKey = "iotmon.service";
    private const string AlertsPrefix = "iotmon/alerts/";

    private readonly MqttOptions _options;
    private readonly RegistryOptions _registryOptions;
    private readonly DeviceRegistry _registry;
    private readonly IngestPipeline _pipeline;
    private readonly ILogger _log;
    private MqttServer? _server;
    private int _clients;

    public EmbeddedBroker(MqttOptions options, RegistryOptions registryOptions, DeviceRegistry registry, IngestPipeline pipeline, ILogger log)
    {
        _options = options;
        _registryOptions = registryOptions;
        _registry = registry;
        _pipeline = pipeline;
        _log = log;
    }

    public bool IsConnected => _server?.IsStarted == true;

    public string Mode => "embedded";

    public int ConnectedClients => Volatile.Read(ref _clients);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var address = IPAddress.Parse(_options.BindAddress);
        var builder = new MqttServerOptionsBuilder()
            .WithMaxPendingMessagesPerClient(_options.MaxPendingMessagesPerClient);
        if (_options.Port > 0)
        {
            builder.WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(address).WithDefaultEndpointPort(_options.Port).WithDefaultEndpointReuseAddress();
        }
        else
        {
            builder.WithoutDefaultEndpoint();
        }

        if (_options.CertificatePath.Length > 0)
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(_options.CertificatePath, _options.CertificatePassword);
            builder.WithEncryptedEndpoint().WithEncryptedEndpointBoundIPAddress(address).WithEncryptedEndpointPort(_options.TlsPort).WithEncryptionCertificate(certificate);
        }

        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.ClientConnectedAsync += _ =>
        {
            Interlocked.Increment(ref _clients);
            return Task.CompletedTask;
        };
        _server.ClientDisconnectedAsync += _ =>
        {
            Interlocked.Decrement(ref _clients);
            return Task.CompletedTask;
        };
        await _server.StartAsync().ConfigureAwait(false);
        _log.LogInformation("Embedded MQTT broker on {Address}:{Port}{Tls}", address, _options.Port, _options.CertificatePath.Length > 0 ? $" and TLS {_options.TlsPort}" : string.Empty);
    }

    private Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        if (!_registryOptions.RequireAuthentication)
        {
            return Task.CompletedTask;
        }

        if (_options.ServiceUser.Length > 0 && e.UserName == _options.ServiceUser
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(e.Password ?? string.Empty), System.Text.Encoding.UTF8.GetBytes(_options.ServicePassword)))
        {
            e.SessionItems[ServiceKey] = true;
            return Task.CompletedTask;
        }

        var device = _registry.Authenticate(e.UserName, e.Password);
        if (device is not null)
        {
            e.SessionItems[DeviceKey] = device.Id;
            e.SessionItems[SiteKey] = device.SiteId;
            return Task.CompletedTask;
        }

        if (_registryOptions.AutoEnrol && TopicName.IsValidId(e.UserName) && !string.IsNullOrEmpty(e.Password) && _registry.FindDevice(e.UserName) is null)
        {
            _log.LogWarning("Auto-enrol: accepting unknown device {Device}; it is enrolled at its first publish", e.UserName);
            e.SessionItems[DeviceKey] = e.UserName;
            e.SessionItems[EnrolKey] = e.Password;
            return Task.CompletedTask;
        }

        GatewayCounters.Inc(ref _pipeline.Ledger.Counters.AuthFailures);
        e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        return Task.CompletedTask;
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        var kind = TopicName.Parse(topic, out var site, out var device);
        if (e.SessionItems[ServiceKey] is true && topic.StartsWith(AlertsPrefix, StringComparison.Ordinal))
        {
            return; // the service login publishes alerts
        }

        if (_registryOptions.RequireAuthentication && !MayPublish(e.SessionItems, kind, site, device))
        {
            GatewayCounters.Inc(ref _pipeline.Ledger.Counters.AclDenials);
            _pipeline.Refuse(e.ClientId, topic, e.ApplicationMessage.Payload, DecodeError.Unauthorized);
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            return;
        }

        if (kind != TopicKind.Telemetry && topic.StartsWith(TopicName.Prefix, StringComparison.Ordinal) && topic.EndsWith("/telemetry", StringComparison.Ordinal) || kind == TopicKind.Telemetry)
        {
            // telemetry (or a malformed telemetry topic, which the pipeline dead-letters as bad_topic)
            e.ProcessPublish = false;
            var outcome = await _pipeline.HandleTelemetryAsync(e.ClientId, topic, e.ApplicationMessage.Payload).ConfigureAwait(false);
            if (outcome == IngestOutcome.Refused)
            {
                e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
            }
        }
    }

    private bool MayPublish(System.Collections.IDictionary items, TopicKind kind, string site, string device)
    {
        if (items[DeviceKey] is not string own || own != device)
        {
            return false;
        }

        if (kind is not (TopicKind.Telemetry or TopicKind.Status or TopicKind.ConfigAck or TopicKind.CommandAck))
        {
            return false;
        }

        if (items[SiteKey] is string ownSite)
        {
            return ownSite == site;
        }

        if (items[EnrolKey] is string secret)
        {
            lock (_registry)
            {
                if (_registry.FindDevice(device) is null)
                {
                    if (!_registry.SiteExists(site))
                    {
                        _registry.AddSite(site, null);
                    }

                    _registry.AddDevice(device, site, secret);
                    _log.LogWarning("Auto-enrol: device {Device} enrolled in site {Site}", device, site);
                }
            }

            var enrolled = _registry.FindDevice(device);
            if (enrolled is null || enrolled.SiteId != site)
            {
                return false;
            }

            items.Remove(EnrolKey);
            items[SiteKey] = site;
            return true;
        }

        return false;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        if (!_registryOptions.RequireAuthentication)
        {
            return Task.CompletedTask;
        }

        var filter = e.TopicFilter.Topic;
        if (e.SessionItems[ServiceKey] is true && (filter.StartsWith(AlertsPrefix, StringComparison.Ordinal) || filter == "iotmon/v1/+/+/status"))
        {
            return Task.CompletedTask; // the service login reads alerts and node status
        }

        var kind = TopicName.Parse(filter, out var site, out var device);
        var ok = kind is TopicKind.Config or TopicKind.Command
            && e.SessionItems[DeviceKey] is string own && own == device
            && e.SessionItems[SiteKey] is string ownSite && ownSite == site;
        if (!ok)
        {
            GatewayCounters.Inc(ref _pipeline.Ledger.Counters.AclDenials);
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _server?.Dispose();
    }
}
