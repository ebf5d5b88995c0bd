using System.Text;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Query;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Tests.Query;

/// <summary>When a device counts as offline (docs/api.md, Status colours): the learned report interval.</summary>
public sealed class OfflineDetection_Tests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_764_316_800);

    [Fact]
    public void A_device_heard_in_one_quick_burst_is_offline_after_three_minimum_intervals_not_three_hours()
    {
        var (clock, cache, status) = Build();
        for (var i = 0; i < 3; i++)
        {
            Receive(cache, 1 + i);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        clock.Advance(TimeSpan.FromSeconds(175));
        Assert.False(status.IsOffline(cache.Device("s1", "d1")));

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(status.IsOffline(cache.Device("s1", "d1")), "silent 3 min after a burst 1 s apart: offline");
    }

    [Fact]
    public void A_long_observed_interval_is_kept_whatever_short_gaps_follow()
    {
        var (clock, cache, status) = Build();
        Receive(cache, 1);
        clock.Advance(TimeSpan.FromSeconds(900));
        Receive(cache, 2);
        clock.Advance(TimeSpan.FromSeconds(1));
        Receive(cache, 3);

        clock.Advance(TimeSpan.FromSeconds(2600));
        Assert.False(status.IsOffline(cache.Device("s1", "d1")), "3 × 900 s not yet over");
        clock.Advance(TimeSpan.FromSeconds(200));
        Assert.True(status.IsOffline(cache.Device("s1", "d1")));
    }

    [Fact]
    public void A_device_heard_once_is_judged_by_the_default_interval()
    {
        var (clock, cache, status) = Build();
        Receive(cache, 1);

        clock.Advance(TimeSpan.FromSeconds((3 * 3600) - 1));
        Assert.False(status.IsOffline(cache.Device("s1", "d1")));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(status.IsOffline(cache.Device("s1", "d1")));
    }

    private static (ManualClock Clock, LatestValueCache Cache, SiteStatus Status) Build()
    {
        var clock = new ManualClock(Start);
        var cache = new LatestValueCache(clock);

        // IsOffline reads only the cache, the options and the clock; the alert engine is not involved
        var status = new SiteStatus(cache, null!, new QueryOptions(), clock);
        return (clock, cache, status);
    }

    private static void Receive(LatestValueCache cache, long seq)
    {
        var payload = Encoding.UTF8.GetBytes($"{{\"v\":1,\"fw\":\"1\",\"boot\":1,\"clk\":{Start.ToUnixTimeSeconds()},\"h\":{{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":1}},\"r\":[[{seq},{Start.ToUnixTimeSeconds()},\"water.ph\",7.1,0]]}}");
        var result = new DecodeResult();
        new TelemetryDecoder().Decode("iotmon/v1/s1/d1/telemetry", payload, Start.ToUnixTimeSeconds() + 100_000, result);
        Assert.True(result.IsValid, result.Error);
        cache.Observe(result);
    }

    /// <summary>A clock the test moves by hand (TimeProvider.GetUtcNow is all the cache and status read).</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
