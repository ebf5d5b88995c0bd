using IoTMonitor.Firmware.Host.Fleet;

namespace IoTMonitor.Firmware.Host.Tests.Fleet;

public sealed class OutageModel_Tests
{
    [Fact]
    public void A_fleet_window_takes_every_node_down_exactly_inside_it()
    {
        var o = new OutageOptions { PerDay = 0 };
        o.Windows.Add((1_000_000, 2_000_000));
        var m = new OutageModel("node-a", o);
        Assert.False(m.IsDown(999_999));
        Assert.True(m.IsDown(1_000_000));
        Assert.True(m.IsDown(1_999_999));
        Assert.False(m.IsDown(2_000_000));
    }

    [Fact]
    public void Random_outages_happen_at_about_the_configured_rate_and_are_deterministic()
    {
        var o = new OutageOptions { PerDay = 1, MinOutage = TimeSpan.FromMinutes(5), MaxOutage = TimeSpan.FromHours(6) };
        var m = new OutageModel("node-b", o);
        var again = new OutageModel("node-b", o);
        long down = 0;
        long total = 0;
        var start = 1_750_000_000_000L;
        for (var t = start; t < start + (60L * 86_400_000); t += 60_000)
        {
            total++;
            var d = m.IsDown(t);
            Assert.Equal(d, again.IsDown(t));
            down += d ? 1 : 0;
        }

        // one outage a day, log-uniform 5 min … 6 h (mean ≈ 1.5 h): down ≈ 6 % of the time
        var share = (double)down / total;
        Assert.InRange(share, 0.01, 0.2);
    }
}
