using System.Text.Json.Nodes;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Registry;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Downlink;

/// <summary>
/// The return leg, gateway → node: stores what an operator asked for, then hands it to the
/// listener's <see cref="IDownlinkTransport"/>. Config: the full overlay under a new revision,
/// retained, QoS 1. Commands: QoS 1, not retained, with a message expiry, kept by the broker in the
/// sleeping node's persistent session.
/// </summary>
public sealed class DownlinkService
{
    private readonly IDownlinkStore _store;
    private readonly DeviceRegistry _registry;
    private readonly DownlinkOptions _options;
    private readonly GatewayCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private IDownlinkTransport? _transport;

    public DownlinkService(IDownlinkStore store, DeviceRegistry registry, DownlinkOptions options, GatewayCounters counters, TimeProvider time, ILogger log)
    {
        _store = store;
        _registry = registry;
        _options = options;
        _counters = counters;
        _time = time;
        _log = log;
    }

    public IDownlinkStore Store => _store;

    public DownlinkOptions Options => _options;

    /// <summary>Set once the listener exists (it is built after this service: it needs the ack handler).</summary>
    public void Attach(IDownlinkTransport transport) => _transport = transport;

    public static string ConfigTopic(string site, string device) => $"iotmon/v1/{site}/{device}/config";

    public static string CommandTopic(string site, string device) => $"iotmon/v1/{site}/{device}/cmd";

    /// <summary>
    /// Stores <paramref name="change"/>(current overlay) as the next revision and publishes it.
    /// Returns the change's error when it refuses (nothing stored or sent). Throws
    /// <see cref="DownlinkUnavailableException"/> when stored but not published (it goes out at the
    /// listener's next (re)connect).
    /// </summary>
    public async Task<(DesiredConfig? Desired, string? Error)> SetConfigAsync(Device device, Func<JsonObject, (JsonObject? Next, string? Error)> change, string by, CancellationToken ct)
    {
        var desired = _store.SetConfig(device.Id, change, by, _time.GetUtcNow(), out var error);
        if (desired is null)
        {
            return (null, error);
        }

        await PublishConfigAsync(desired, device.SiteId, ct).ConfigureAwait(false);
        return (desired, null);
    }

    /// <summary>Stores and publishes a command; an unpublished one is stored as unsent.</summary>
    public async Task<CommandRecord> SendCommandAsync(Device device, CommandRequest request, string by, CancellationToken ct)
    {
        var expiry = TimeSpan.FromMinutes(_options.CommandExpiryMinutes);
        var record = _store.AddCommand(device.Id, device.SiteId, request, by, _time.GetUtcNow(), expiry);
        try
        {
            await Transport.PublishAsync(CommandTopic(device.SiteId, device.Id), CommandRequest.Message(record.Id, record.Cmd, record.Args), retain: false, expiry, ct).ConfigureAwait(false);
        }
        catch (DownlinkUnavailableException)
        {
            GatewayCounters.Inc(ref _counters.DownlinkPublishFailures);
            _store.MarkUnsent(record.Id);
            throw;
        }

        GatewayCounters.Inc(ref _counters.DownlinkCommandsPublished);
        return record;
    }

    /// <summary>
    /// Publishes every desired config again under its stored revision (no new revision): the
    /// embedded broker's retained store lives in memory, and an external broker may have lost its
    /// own. A node that already applied it answers the same revision again.
    /// </summary>
    public async Task RepublishAllAsync(CancellationToken ct)
    {
        var all = _store.AllDesired(id => _registry.FindDevice(id)?.SiteId);
        foreach (var (desired, site) in all)
        {
            try
            {
                await PublishConfigAsync(desired, site, ct).ConfigureAwait(false);
            }
            catch (DownlinkUnavailableException e)
            {
                _log.LogWarning("Re-publishing the desired configs stopped at {Device}: {Error}", desired.Device, e.Message);
                return;
            }
        }

        if (all.Count > 0)
        {
            _log.LogInformation("Re-published {Count} desired config(s) retained", all.Count);
        }
    }

    /// <summary>The retained messages of every desired config (the embedded broker loads them at start).</summary>
    public IEnumerable<(string Topic, byte[] Payload)> RetainedConfigs() =>
        _store.AllDesired(id => _registry.FindDevice(id)?.SiteId).Select(x => (ConfigTopic(x.Site, x.Config.Device), RemoteConfigOverlay.Message(x.Config.Rev, x.Config.Config)));

    private async Task PublishConfigAsync(DesiredConfig desired, string site, CancellationToken ct)
    {
        try
        {
            await Transport.PublishAsync(ConfigTopic(site, desired.Device), RemoteConfigOverlay.Message(desired.Rev, desired.Config), retain: true, expiry: null, ct).ConfigureAwait(false);
        }
        catch (DownlinkUnavailableException)
        {
            GatewayCounters.Inc(ref _counters.DownlinkPublishFailures);
            throw;
        }

        GatewayCounters.Inc(ref _counters.DownlinkConfigPublished);
    }

    private IDownlinkTransport Transport => _transport ?? throw new DownlinkUnavailableException("the MQTT listener is not running");
}
