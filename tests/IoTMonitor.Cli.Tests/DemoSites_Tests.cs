using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Gateway.Registry;

namespace IoTMonitor.Cli.Tests;

/// <summary>The demo fleet's sites must be profiles the gateway accepts, or they would miss the map and the alert scopes.</summary>
public sealed class DemoSites_Tests
{
    [Fact]
    public void Every_built_in_site_has_a_site_type_the_gateway_knows()
    {
        var sites = SiteCatalog.BuiltIn();
        Assert.NotEmpty(sites);
        Assert.All(sites, s => Assert.True(SiteTypes.IsKnown(s.SiteType), $"site '{s.Id}': siteType '{s.SiteType}' is not one of {string.Join(", ", SiteTypes.All)}"));
    }
}
