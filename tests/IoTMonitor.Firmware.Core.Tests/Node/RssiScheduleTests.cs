using IoTMonitor.Firmware.Core.Node;

namespace IoTMonitor.Firmware.Core.Tests.Node;

public class RssiScheduleTests
{
    private const long Hour = 1_764_316_800; // a whole hour

    [Theory]
    [InlineData(true, false, Hour + 600, Hour + 300, true)]    // cold start
    [InlineData(false, true, Hour + 600, Hour + 300, true)]    // service mode
    [InlineData(false, false, Hour + 600, Hour + 300, false)]  // same hour as the last upload
    [InlineData(false, false, Hour + 3600, Hour + 3599, true)] // first upload of a new hour
    [InlineData(false, false, Hour + 600, 0, true)]            // never uploaded
    [InlineData(false, false, Hour, Hour + 60, true)]          // clock went back
    public void Scans_on_cold_start_service_and_the_first_upload_of_each_hour(bool cold, bool service, long now, long lastUpload, bool expected)
    {
        Assert.Equal(expected, RssiSchedule.Due(cold, service, now, lastUpload));
    }

    [Fact]
    public void The_cycle_asks_the_link_to_measure_on_a_cold_start_and_not_again_within_the_hour()
    {
        var h = new NodeHarness();
        h.Wake();
        Assert.True(h.Link.LastSettings!.MeasureRssi);

        h.Link.Inbox.Clear();
        h.Wake(pin: true, heldMs: 100); // an upload wake minutes later, same hour
        Assert.False(h.Link.LastSettings!.MeasureRssi);
    }
}
