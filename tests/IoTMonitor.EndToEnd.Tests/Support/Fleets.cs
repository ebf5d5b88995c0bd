using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Node;

namespace IoTMonitor.EndToEnd.Tests.Support;

/// <summary>Builds node specs for a gateway under test: registers each device and writes its config.</summary>
public static class Fleets
{
    public static async Task<List<NodeSpec>> ProvisionAsync(GatewayUnderTest gw, string profile, int count, int sampleSec = 300, int uploadSec = 900)
    {
        var plan = SiteCatalog.Plan(SiteCatalog.BuiltIn(), profile, count);
        var specs = new List<NodeSpec>();
        foreach (var (site, device) in plan)
        {
            var secret = await gw.EnrolAsync(site.Id, device);
            var json = DeviceConfigDocument.Build(new DeviceConfigRequest(site.Id, device, site.Type, "127.0.0.1", gw.MqttPort, secret, SampleSec: sampleSec, UploadSec: uploadSec));
            specs.Add(new NodeSpec(site.Id, device, site.Type, json, site.Lat, site.Lon, site.Alt));
        }

        return specs;
    }
}
