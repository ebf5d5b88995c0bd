using System.Net;
using IoTMonitor.Cli.Commands;
using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Node;

namespace IoTMonitor.Cli;

/// <summary>
/// Provisions a simulated fleet through the gateway's API, idempotently: a device whose config file
/// is already in the state folder is reused; a new one is registered (site, device → secret) and its
/// config written there; a device the gateway no longer knows (data folder wiped) is registered
/// again. Site profiles (location, basin, type) are set where the gateway supports it.
/// </summary>
public sealed class FleetProvisioner(GatewayClient gateway, string stateDir, string mqttHost, int mqttPort, int sampleSec, int uploadSec, bool rainGauge = false)
{
    public int Registered { get; private set; }

    public int Reused { get; private set; }

    public async Task<List<NodeSpec>> ProvisionAsync(IReadOnlyList<(SiteInfo Site, string Device)> plan, Action<string>? progress, CancellationToken ct)
    {
        Directory.CreateDirectory(stateDir);
        var known = new HashSet<string>(StringComparer.Ordinal);
        var listing = await gateway.GetJsonAsync("/api/v1/devices", ct).ConfigureAwait(false);
        foreach (var d in listing.EnumerateArray())
        {
            known.Add(DevicesCommand.Str(d, "id"));
        }

        var profiled = new HashSet<string>(StringComparer.Ordinal);
        var specs = new List<NodeSpec>(plan.Count);
        foreach (var (site, device) in plan)
        {
            ct.ThrowIfCancellationRequested();
            if (profiled.Add(site.Id))
            {
                await gateway.PostJsonAsync("/api/v1/sites", new { id = site.Id, name = site.Name }, ct).ConfigureAwait(false);
                await SetProfileAsync(site, ct).ConfigureAwait(false);
            }

            var file = Path.Combine(stateDir, device + ".json");
            string json;
            if (File.Exists(file) && known.Contains(device))
            {
                json = await File.ReadAllTextAsync(file, ct).ConfigureAwait(false);
                var id = DeviceConfigDocument.Identity(json);
                if (id.Site != site.Id || id.Type != site.Type)
                {
                    throw new CliException($"{file} is for site {id.Site} ({id.Type}), not {site.Id} ({site.Type}): remove {stateDir} or use another --state-dir");
                }

                Reused++;
            }
            else
            {
                if (known.Contains(device))
                {
                    throw new CliException($"device '{device}' is registered at the gateway but its config (with the secret) is not in {stateDir}: restore the folder, or use another --state-dir with a fresh gateway data folder");
                }

                var secret = await ProvisionCommand.RegisterAsync(gateway, site.Id, site.Name, device, ct).ConfigureAwait(false);
                json = DeviceConfigDocument.Build(new DeviceConfigRequest(site.Id, device, site.Type, mqttHost, mqttPort, secret, SampleSec: sampleSec, UploadSec: uploadSec, RainGauge: rainGauge, EventMode: rainGauge ? EventModeSettings.FlashFloodDefaults : null));
                ProvisionCommand.WriteSecretFile(file, json);
                Registered++;
                progress?.Invoke(device);
            }

            specs.Add(new NodeSpec(site.Id, device, site.Type, json, site.Lat, site.Lon, site.Alt));
        }

        return specs;
    }

    private async Task SetProfileAsync(SiteInfo site, CancellationToken ct)
    {
        try
        {
            await gateway.PutJsonAsync("/api/v1/sites/" + Uri.EscapeDataString(site.Id), new { name = site.Name, lat = site.Lat, lon = site.Lon, basin = site.Basin, type = site.SiteType }, ct).ConfigureAwait(false);
        }
        catch (HttpProblem e) when (e.Status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            // An older gateway without site profiles: the fleet runs all the same. A 400 (a profile
            // the gateway refuses) is not swallowed: it would leave sites off the map unnoticed.
        }
    }
}
