using System.Text.Json;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Protocol;

namespace IoTMonitor.Firmware.Core.Tests.Node;

public class NodeCycleTests
{
    [Fact]
    public void First_wake_samples_uploads_and_sleeps_until_the_next_sample()
    {
        var h = new NodeHarness();
        var r = h.Wake();

        Assert.Equal(NodeCycleState.Done, h.Last!.State);
        Assert.Equal(0, r.ConfigError);
        Assert.Equal(2, r.Sampled);
        Assert.Equal(2, r.Uploaded);
        Assert.InRange(r.SleepSeconds, 880, 900);
        Assert.Equal(r.SleepSeconds, h.Power.SleptSeconds);
        var got = h.Received();
        Assert.Equal([(1, 1, "water.temp", 14.0), (1, 2, "water.ph", 7.0)], got.Select(x => (x.Boot, x.N, x.Q, x.V!.Value)));
        var topics = h.Link.Published.Select(m => m.Topic.Replace("iotmon/v1/yellow-river-01/wq-0001/", "")).ToList();
        Assert.Equal(["status", "telemetry", "status"], topics);
        Assert.Contains("\"state\":\"online\"", h.Link.Published[0].Payload);
        Assert.Contains("\"state\":\"sleeping\"", h.Link.Published[^1].Payload);
        Assert.True(h.Link.Published[0].Retain);
        Assert.Equal("{\"v\":1,\"state\":\"lost\"}", System.Text.Encoding.UTF8.GetString(h.Link.LastSettings!.WillPayload));
        Assert.Equal(["iotmon/v1/yellow-river-01/wq-0001/config", "iotmon/v1/yellow-river-01/wq-0001/cmd"], h.Link.LastSettings.SubscribeTopics);
        Assert.True(h.Sensors.ById["temp"].Asleep);
    }

    [Fact]
    public void A_day_at_15_minute_sampling_and_hourly_upload_delivers_every_reading_once_in_order()
    {
        var h = new NodeHarness();
        int connects = 0;
        for (int wake = 0; wake < 96; wake++)
        {
            var r = h.Wake();
            connects += r.Connected ? 1 : 0;
        }

        var got = h.Received();
        // Whatever is not received yet is still queued for the next hourly upload.
        Assert.Equal(Enumerable.Range(1, 192 - h.Last!.Queue.Count), got.Select(x => x.N));
        Assert.InRange(h.Last.Queue.Count, 0, 8);
        Assert.All(got, x => Assert.Equal(1, x.Boot));
        Assert.InRange(connects, 24, 26);
    }

    [Fact]
    public void Without_network_readings_stay_queued_the_wake_is_capped_and_retries_back_off()
    {
        var h = new NodeHarness();
        h.Link.NetworkUp = false;
        long start = h.Clock.Millis;
        var r = h.Wake();
        long awakeMs = h.Clock.Millis - start - (r.SleepSeconds * 1000L);
        Assert.True(awakeMs <= 60_000, $"awake {awakeMs} ms");
        Assert.Equal(LinkStatus.WifiFailed, r.LinkError);
        Assert.Equal(2, h.Last!.Queue.Count);

        // Next wakes: backoff (60 s, then 120 s ...) — but every wake still samples.
        for (int i = 0; i < 8; i++)
        {
            start = h.Clock.Millis;
            r = h.Wake();
            Assert.True(h.Clock.Millis - start - (r.SleepSeconds * 1000L) <= 60_000);
        }

        Assert.Equal(18, h.Last.Queue.Count);
        Assert.Empty(h.Received());

        h.Link.NetworkUp = true;
        for (int i = 0; i < 6 && h.Last.Queue.Count > 0; i++)
        {
            h.Wake();
        }

        Assert.Equal(Enumerable.Range(1, h.Received().Count), h.Received().Select(x => x.N));
        Assert.True(h.Received().Count >= 18);
    }

    [Fact]
    public void A_lost_puback_keeps_the_batch_and_it_is_sent_again()
    {
        var h = new NodeHarness();
        h.Link.DropPubacks = 1;
        h.Wake();
        Assert.Equal(2, h.Last!.Queue.Count);
        for (int i = 0; i < 5; i++)
        {
            h.Wake();
        }

        var got = h.Received();
        // The first batch arrived twice (at-least-once); nothing is missing.
        Assert.Equal(Enumerable.Range(1, got.Max(x => x.N)), got.Select(x => x.N).Distinct().Order());
        Assert.Equal(0, h.Last.Queue.Count);
    }

    [Fact]
    public void Threshold_crossing_uploads_before_the_hour()
    {
        var h = new NodeHarness();
        h.Wake(); // power-on wake uploads
        int before = h.Link.Telemetry.Count();
        h.Wake(); // 15 min later: nothing due
        Assert.Equal(before, h.Link.Telemetry.Count());
        h.PhInput.Volts = 2.1; // pH < 4 → below threshold 5
        h.Wake();
        Assert.Equal(before + 1, h.Link.Telemetry.Count());
    }

    [Fact]
    public void Unsynced_readings_are_rebased_at_sync_and_flagged_time_estimated()
    {
        var h = new NodeHarness(utc: 5); // power-on: the RTC counts from 0
        h.Wake();
        var got = h.Received();
        Assert.All(got, x => Assert.True(x.T >= 1_764_316_790 && x.T <= 1_764_316_800 && (x.Flags & QualityFlags.TimeEstimated) != 0, $"t={x.T} flags={x.Flags}"));
    }

    [Fact]
    public void Readings_of_a_boot_cut_off_before_sending_them_are_rebased_with_that_boots_offset()
    {
        // Boot 1 starts on a 1970 RTC, learns its offset at sync, but no PUBACK comes: its readings stay
        // queued. A power cut (RTC back to 1970) starts boot 2, which sends them: they must carry boot 1's
        // offset, not their 1970 stamps (the gateway dead-letters those as unsynced_time).
        var h = new NodeHarness(utc: 5);
        h.Link.DropPubacks = 1;
        var r = h.Wake();
        Assert.Equal(0, r.Uploaded);
        Assert.Equal(2, h.Last!.Queue.Count);

        h.Flash.Reset();
        h.Power.ResetReason = ResetReason.PowerOn;
        h.Clock.AdvanceSeconds(600);
        h.Clock.SetUtc(7);
        h.Link.SntpTime = 1_764_318_400;
        int before = h.Link.Telemetry.Count();
        h.Wake();

        var sent = h.Link.Telemetry.Skip(before).SelectMany(p =>
        {
            using var doc = JsonDocument.Parse(p);
            int boot = doc.RootElement.GetProperty("boot").GetInt32();
            return doc.RootElement.GetProperty("r").EnumerateArray().Select(x => (Boot: boot, N: x[0].GetInt32(), T: x[1].GetInt64(), Flags: x[4].GetInt32())).ToList();
        }).ToList();
        Assert.Equal([(1, 1), (1, 2), (2, 1), (2, 2)], sent.Select(x => (x.Boot, x.N)).Order());
        Assert.All(sent, x => Assert.True(x.T >= 1_764_316_790 && x.T <= 1_764_318_400 && (x.Flags & QualityFlags.TimeEstimated) != 0, $"boot {x.Boot} n {x.N}: t={x.T} flags={x.Flags}"));
        Assert.All(sent.Where(x => x.Boot == 1), x => Assert.InRange(x.T, 1_764_316_790, 1_764_316_800));
    }

    [Fact]
    public void Retained_config_is_applied_acked_and_kept_across_wakes()
    {
        var h = new NodeHarness();
        h.Link.Inbox.Enqueue(("iotmon/v1/yellow-river-01/wq-0001/config", """{"v":1,"rev":12,"sampleSec":300,"uploadSec":3600}"""));
        var r = h.Wake();
        var ack = h.Link.Published.Single(m => m.Topic.EndsWith("/config/ack"));
        Assert.Equal("""{"v":1,"rev":12,"ok":true,"err":0}""", ack.Payload);
        Assert.InRange(r.SleepSeconds, 280, 300);
        r = h.Wake();
        Assert.InRange(r.SleepSeconds, 295, 300);
        Assert.Equal(300, h.Last!.Config.SampleSec);

        h.Link.Inbox.Enqueue(("iotmon/v1/yellow-river-01/wq-0001/config", """{"v":1,"rev":13,"sampleSec":"x"}"""));
        h.Link.Inbox.Enqueue(("iotmon/v1/yellow-river-01/wq-0001/cmd", """{"v":1,"id":"c-1","cmd":"upload_now"}"""));
        for (int i = 0; i < 13 && !h.Link.Published.Any(m => m.Payload.Contains("\"rev\":13")); i++)
        {
            h.Wake();
        }

        Assert.Contains(h.Link.Published, m => m.Payload == """{"v":1,"rev":13,"ok":false,"err":3}""");
        Assert.Equal(300, h.Last.Config.SampleSec);
    }

    [Fact]
    public void Commands_are_executed_and_acked()
    {
        var h = new NodeHarness();
        const string cmd = "iotmon/v1/yellow-river-01/wq-0001/cmd";
        h.Link.Inbox.Enqueue((cmd, """{"v":1,"id":"c-1","cmd":"clear_queue"}"""));
        h.Link.Inbox.Enqueue((cmd, """{"v":1,"id":"c-2","cmd":"fly"}"""));
        h.Link.Inbox.Enqueue((cmd, """{"v":1,"id":"c-3","cmd":"set_interval","sec":120}"""));
        h.Link.Inbox.Enqueue((cmd, """{"v":1,"id":"c-4","cmd":"reboot"}"""));
        var r = h.Wake();
        var acks = h.Link.Published.Where(m => m.Topic.EndsWith("/cmd/ack")).Select(m => m.Payload).ToList();
        Assert.Equal(
        [
            """{"v":1,"id":"c-1","ok":false,"err":3}""",
            """{"v":1,"id":"c-2","ok":false,"err":1}""",
            """{"v":1,"id":"c-3","ok":true,"err":0}""",
            """{"v":1,"id":"c-4","ok":true,"err":0}""",
        ], acks);
        Assert.True(r.Rebooted);
        Assert.Equal(1, h.Power.Reboots);
        Assert.InRange(r.SleepSeconds, 100, 120);
    }

    [Fact]
    public void Sample_now_samples_a_second_later_and_reports_that_sample_at_once()
    {
        var h = new NodeHarness();
        h.Wake(); // cold start: samples and uploads
        var before = h.Received().Count();
        h.Link.Inbox.Enqueue(("iotmon/v1/yellow-river-01/wq-0001/cmd", """{"v":1,"id":"c-9","cmd":"sample_now"}"""));
        for (int i = 0; i < 40 && !h.Link.Published.Any(m => m.Payload.Contains("\"c-9\"")); i++) // delivered at the next connect
        {
            h.Wake();
        }

        Assert.Contains(h.Link.Published, m => m.Payload == """{"v":1,"id":"c-9","ok":true,"err":0}""");
        var r = h.Wake(); // the wake a second later
        Assert.True(r.Sampled > 0, "sample_now: the next wake samples");
        Assert.True(r.Uploaded > 0, "sample_now: and reports what it sampled, not at the next upload");
        Assert.True(h.Received().Count() > before);
    }

    [Fact]
    public void Invalid_config_runs_on_defaults_and_reports_the_error_in_status()
    {
        var h = new NodeHarness { ConfigBytes = "{\"v\":1,\"device\":\"Bad Id\"}"u8.ToArray() };
        var r = h.Wake();
        Assert.Equal(5, r.ConfigError);
        using var status = JsonDocument.Parse(h.Link.Published.First(m => m.Topic.EndsWith("/status")).Payload);
        Assert.Equal(5, status.RootElement.GetProperty("cfgErr").GetInt32());
        Assert.Equal(8, status.RootElement.GetProperty("cfg").GetString()!.Length);
    }

    [Fact]
    public void A_cold_start_increments_boot_and_restarts_the_sequence()
    {
        var h = new NodeHarness();
        h.Wake();
        h.Power.ResetReason = IoTMonitor.Firmware.Core.Protocol.ResetReason.Watchdog;
        var next = new NodeCycle(h.Clock, h.Link, h.Power, h.Sensors, h.Files, NodeHarness.QueueBudget, h.ConfigBytes);
        next.Run();
        var last = h.Received().TakeLast(2).ToList();
        Assert.All(last, x => Assert.Equal(2, x.Boot));
        Assert.Equal([1, 2], last.Select(x => x.N));
    }
}
