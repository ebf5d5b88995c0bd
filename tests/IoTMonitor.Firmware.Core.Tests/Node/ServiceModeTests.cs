using IoTMonitor.Firmware.Core.Node;

namespace IoTMonitor.Firmware.Core.Tests.Node;

public class ServiceModeTests
{
    private const string Prefix = "iotmon/v1/yellow-river-01/wq-0001/";

    [Theory]
    [InlineData(true, 2000, true)]
    [InlineData(true, 1999, false)]
    [InlineData(false, 5000, false)]
    public void Only_a_button_held_two_seconds_at_a_pin_wake_or_power_on_asks_for_service(bool pinOrPowerOn, int heldMs, bool expected)
    {
        Assert.Equal(expected, ServiceHold.Requested(pinOrPowerOn, heldMs));
    }

    [Fact]
    public void The_hold_ends_when_a_whole_round_no_longer_fits()
    {
        var hold = new ServiceHold();
        hold.Begin(1000, 1);
        Assert.True(hold.Active);
        Assert.Equal(60_000, hold.LeftMs(1000));
        Assert.True(hold.AnotherRound(51_000));
        Assert.False(hold.AnotherRound(51_001));
        Assert.False(hold.Active);
        Assert.Equal(0, hold.LeftMs(51_001));
    }

    [Fact]
    public void A_held_button_keeps_the_node_awake_uploading_every_ten_seconds_until_service_minutes_then_back_to_schedule()
    {
        var h = new NodeHarness();
        h.ConfigBytes = System.Text.Encoding.UTF8.GetBytes(NodeHarness.Config.Replace("\"maxAwakeSec\":60", "\"maxAwakeSec\":60,\"serviceMinutes\":2"));
        h.Wake(); // first wake: cold start on schedule
        h.Link.Published.Clear();
        int connectsBefore = h.Link.Connects;
        long start = h.Clock.Millis;

        var r = h.Wake(pin: true, heldMs: 2500);

        long awakeMs = h.Clock.Millis - start - (r.SleepSeconds * 1000L);
        Assert.True(r.Service);
        Assert.InRange(awakeMs, 110_000, 125_000);           // 2 min hold plus the closing messages
        Assert.Equal(1, h.Link.Connects - connectsBefore);   // one session for the whole hold
        var telemetry = h.Link.Published.Where(m => m.Topic == Prefix + "telemetry").ToList();
        Assert.InRange(telemetry.Count, 11, 12);             // one upload per 10 s round
        Assert.Equal(telemetry.Count * 2, r.Uploaded);       // two sensors, every round's readings sent
        var online = h.Link.Published.First(m => m.Topic == Prefix + "status");
        Assert.Contains("\"state\":\"online\"", online.Payload);
        Assert.Contains("\"wake\":10,", online.Payload);
        Assert.Matches("\"svc\":17643\\d{5}}", online.Payload);
        Assert.Contains("\"state\":\"sleeping\"", h.Link.Published[^1].Payload);
        Assert.InRange(r.SleepSeconds, 1, 900);              // back on the 900 s schedule
        Assert.True(h.Sensors.ById["temp"].Asleep);
    }

    [Fact]
    public void A_short_press_is_an_ordinary_pin_wake()
    {
        var h = new NodeHarness();
        h.Wake();
        long start = h.Clock.Millis;
        var r = h.Wake(pin: true, heldMs: 300);

        Assert.False(r.Service);
        Assert.InRange(h.Clock.Millis - start - (r.SleepSeconds * 1000L), 0, 60_000);
        Assert.DoesNotContain(h.Link.Published, m => m.Payload.Contains("\"svc\""));
    }

    [Fact]
    public void A_reboot_command_ends_the_hold()
    {
        var h = new NodeHarness();
        h.Wake();
        h.Link.Inbox.Enqueue((Prefix + "cmd", """{"v":1,"id":"c-1","cmd":"reboot"}"""));
        long start = h.Clock.Millis;

        var r = h.Wake(pin: true, heldMs: 3000);

        Assert.True(r.Service);
        Assert.True(r.Rebooted);
        Assert.Equal(1, h.Power.Reboots);
        Assert.InRange(h.Clock.Millis - start - (r.SleepSeconds * 1000L), 0, 30_000);
        Assert.Contains(h.Link.Published, m => m.Topic == Prefix + "cmd/ack" && m.Payload.Contains("\"ok\":true"));
    }

    [Fact]
    public void Service_minutes_is_read_from_the_config_and_bounded()
    {
        var parser = new IoTMonitor.Firmware.Core.Config.ConfigParser();
        var c = new IoTMonitor.Firmware.Core.Config.DeviceConfig();
        byte[] ok = System.Text.Encoding.UTF8.GetBytes(NodeHarness.Config.Replace("\"maxAwakeSec\":60", "\"maxAwakeSec\":60,\"serviceMinutes\":30"));
        Assert.Equal(IoTMonitor.Firmware.Core.Config.ConfigError.None, parser.ParseDevice(ok, 0, ok.Length, c));
        Assert.Equal(30, c.ServiceMinutes);
        byte[] bad = System.Text.Encoding.UTF8.GetBytes(NodeHarness.Config.Replace("\"maxAwakeSec\":60", "\"maxAwakeSec\":60,\"serviceMinutes\":0"));
        Assert.NotEqual(IoTMonitor.Firmware.Core.Config.ConfigError.None, parser.ParseDevice(bad, 0, bad.Length, new IoTMonitor.Firmware.Core.Config.DeviceConfig()));
        Assert.Equal(15, new IoTMonitor.Firmware.Core.Config.DeviceConfig().ServiceMinutes);
    }
}
