using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IoTMonitor.Gateway.Accounting;
using IoTMonitor.Gateway.Registry;
using IoTMonitor.Gateway.Validation;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTMonitor.Gateway.Ingest.Embedded;

/// <summary>
/// Who a CONNECT is. Devices authenticate with user name = device id and password = device secret
/// (checked against the registry); the service login with <c>Mqtt:ServiceUser</c>; with
/// <c>Registry:AutoEnrol</c> an unknown device is accepted and enrolled at its first publish
/// (<see cref="AutoEnrolment"/>).
/// <para>
/// Identity: a device's client id must be its device id or <c>{site}/{device}</c> (the firmware's), so no
/// login can open another device's session; a CONNECT with any other client id is refused with
/// ClientIdentifierNotValid (MQTT 5 reason 0x85, MQTT 3.1.1 return code 2 "identifier rejected").
/// MQTTnet keeps a persistent session's items from the connection that created it and discards the
/// new login's (MqttClientSessionsManager.CreateClientConnection, MQTTnet 5.2), so the identity the
/// login established is written over the session's items at every connect (<see cref="Establish"/>,
/// from ClientConnectedAsync), before the connection's first packet is read.
/// </para>
/// </summary>
internal sealed class DeviceLogin(MqttOptions options, RegistryOptions registryOptions, DeviceRegistry registry, GatewayCounters counters, ILogger log)
{
    /// <summary>Identities validated but not yet applied to their session (between CONNECT and the connected event), by connection.</summary>
    private readonly ConcurrentDictionary<string, (long At, Dictionary<string, object> Items)> _logins = new(StringComparer.Ordinal);

    /// <summary>The connection's key among its session's: client id and remote end point.</summary>
    public static string ConnectionKey(string clientId, string? endpoint) => clientId + "\n" + endpoint;

    /// <summary>ValidatingConnectionAsync: refuses (reason code set) or remembers the identity for <see cref="Establish"/>.</summary>
    public Task ValidateAsync(ValidatingConnectionEventArgs e)
    {
        var login = Login(e);
        if (login is not null)
        {
            var now = Environment.TickCount64;
            if (_logins.Count > 1024)
            {
                // a connection that failed between CONNECT and CONNACK never reaches the connected event
                foreach (var (key, stale) in _logins)
                {
                    if (now - stale.At > 60_000)
                    {
                        _logins.TryRemove(key, out _);
                    }
                }
            }

            _logins[ConnectionKey(e.ClientId, e.RemoteEndPoint?.ToString())] = (now, login);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// ClientConnectedAsync: replaces whatever identity the session carries with the one this
    /// connection's login established (nothing, for a connection that logged in as nobody).
    /// </summary>
    public void Establish(ClientConnectedEventArgs e)
    {
        var items = e.SessionItems;
        var login = _logins.TryRemove(ConnectionKey(e.ClientId, e.RemoteEndPoint?.ToString()), out var entry) ? entry.Items : null;
        lock (items)
        {
            foreach (var key in SessionIdentity.LoginKeys)
            {
                items.Remove(key);
            }

            if (login is not null)
            {
                foreach (var (key, value) in login)
                {
                    items[key] = value;
                }
            }

            items[SessionIdentity.ProtocolKey] = e.ProtocolVersion;
        }

        TopicAliases.Reset(items);
    }

    /// <summary>Whether a device login may use this client id: its own id, or <c>{site}/{device}</c> as the firmware sends.</summary>
    private static bool IsOwnClientId(string? clientId, string device, string? site)
    {
        if (clientId == device)
        {
            return true;
        }

        if (clientId is null || !clientId.EndsWith("/" + device, StringComparison.Ordinal))
        {
            return false;
        }

        var clientSite = clientId[..^(device.Length + 1)];
        return site is null ? TopicName.IsValidId(clientSite) : clientSite == site;
    }

    /// <summary>The identity a CONNECT establishes, or null (refused: reason code set; or authentication off).</summary>
    private Dictionary<string, object>? Login(ValidatingConnectionEventArgs e)
    {
        if (!registryOptions.RequireAuthentication)
        {
            return null;
        }

        if (options.ServiceUser.Length > 0 && e.UserName == options.ServiceUser
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(e.Password ?? string.Empty), Encoding.UTF8.GetBytes(options.ServicePassword)))
        {
            return new() { [SessionIdentity.ServiceKey] = true };
        }

        var device = registry.Authenticate(e.UserName, e.Password);
        if (device is not null)
        {
            return IsOwnClientId(e.ClientId, device.Id, device.SiteId)
                ? new() { [SessionIdentity.DeviceKey] = device.Id, [SessionIdentity.SiteKey] = device.SiteId }
                : RefuseClientId(e);
        }

        if (registryOptions.AutoEnrol && TopicName.IsValidId(e.UserName) && !string.IsNullOrEmpty(e.Password) && registry.FindDevice(e.UserName) is null)
        {
            if (!IsOwnClientId(e.ClientId, e.UserName, site: null))
            {
                return RefuseClientId(e);
            }

            log.LogWarning("Auto-enrol: accepting unknown device {Device}; it is enrolled at its first publish", e.UserName);
            return new() { [SessionIdentity.DeviceKey] = e.UserName, [SessionIdentity.EnrolKey] = e.Password };
        }

        GatewayCounters.Inc(ref counters.AuthFailures);
        e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        return null;
    }

    /// <summary>A device login with a client id not its own: refused before any session is touched, counted as an authentication failure.</summary>
    private Dictionary<string, object>? RefuseClientId(ValidatingConnectionEventArgs e)
    {
        GatewayCounters.Inc(ref counters.AuthFailures);
        e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
        return null;
    }
}
