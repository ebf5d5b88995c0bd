using System.Diagnostics;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Pms5003;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Pms5003;

public class Pms5003Tests
{
    // Reference B2 [S15]: a verified frame, PM2.5 = 8 µg/m³ (checksum 0x02C5).
    internal static readonly byte[] VerifiedFrame = Convert.FromHexString(
        "424d001c0000000800080000000800080" + "0d20046002d001e00000000970002c5");

    internal static byte[] Frame(params int[] data)
    {
        var f = new byte[32];
        f[0] = 0x42;
        f[1] = 0x4D;
        f[3] = 0x1C;
        for (int i = 0; i < data.Length; i++)
        {
            f[4 + (2 * i)] = (byte)(data[i] >> 8);
            f[5 + (2 * i)] = (byte)data[i];
        }

        int sum = 0;
        for (int i = 0; i < 30; i++)
        {
            sum += f[i];
        }

        f[30] = (byte)(sum >> 8);
        f[31] = (byte)sum;
        return f;
    }

    [Fact]
    public void Verified_frame_parses_with_its_checksum()
    {
        Assert.Equal(32, VerifiedFrame.Length);
        var p = new Pms5003FrameParser();
        Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, VerifiedFrame));
        Assert.Equal(8, p.Pm25Standard);
        Assert.Equal(8, p.Pm25Atmospheric);
        Assert.Equal(8, p.Pm10Atmospheric);
        Assert.Equal(0, p.Pm1Atmospheric);
        Assert.Equal(210, p.Data(7)); // > 0.3 µm per 0.1 L
        Assert.Equal(30, p.Data(10));
        Assert.Equal(0x9700, p.Data(13));
    }

    [Fact]
    public void Checksum_error_is_counted_and_the_next_frame_still_parses()
    {
        var p = new Pms5003FrameParser();
        var bad = (byte[])VerifiedFrame.Clone();
        bad[9] ^= 0x01;
        var statuses = bad.Select(p.Feed).ToArray();
        Assert.Equal(FrameStatus.Bad, statuses[^1]);
        Assert.Equal(1, p.ChecksumErrors);
        Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, VerifiedFrame));
    }

    [Fact]
    public void Resynchronises_after_garbage_a_false_start_and_a_command_ack()
    {
        var p = new Pms5003FrameParser();
        byte[] junk = { 0x00, 0x42, 0x42, 0x4D, 0x00, 0x04, 0xE1, 0x00, 0x01, 0x74, 0x42, 0x4D, 0x13 };
        Assert.Equal(0, FrameFuzz.FeedAll(p.Feed, junk));
        Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, VerifiedFrame));
        Assert.Equal(8, p.Pm25Atmospheric);
    }

    [Fact]
    public void Commands_match_the_manual()
    {
        var b = new byte[7];
        string Hex(byte cmd, int data)
        {
            Pms5003Command.Write(b, 0, cmd, data);
            return Convert.ToHexString(b);
        }

        Assert.Equal("424DE100000170", Hex(Pms5003Command.ChangeMode, 0));
        Assert.Equal("424DE100010171", Hex(Pms5003Command.ChangeMode, 1));
        Assert.Equal("424DE200000171", Hex(Pms5003Command.PassiveRead, 0));
        Assert.Equal("424DE400000173", Hex(Pms5003Command.SleepWake, 0));
        Assert.Equal("424DE400010174", Hex(Pms5003Command.SleepWake, 1));
    }

    private static (Pms5003Sensor, FakeUart, FakeClock) Driver()
    {
        var uart = new FakeUart { ChunkSize = 5 };
        var clock = new FakeClock();
        var s = new Pms5003Sensor(uart, clock);
        Assert.Equal(ReadResult.Ok, s.Initialize());
        Assert.Equal(ReadResult.Ok, s.Start());
        return (s, uart, clock);
    }

    [Fact]
    public void Driver_requests_a_frame_and_reads_it_split_across_reads()
    {
        var (s, uart, clock) = Driver();
        Assert.Equal("424DE100000170424DE400010174", Convert.ToHexString(uart.SentBytes()));
        uart.ClearSent();
        var raw = new double[3];
        Assert.Equal(ReadResult.NotReady, s.Read(raw));
        Assert.Equal("424DE200000171", Convert.ToHexString(uart.SentBytes()));

        // The reply arrives 5 bytes at a time; the bounded read loop takes it in one or more calls.
        uart.ChunkSize = 1;
        uart.Feed(0x55, 0x42);
        uart.Feed(Frame(1, 2, 3, 11, 22, 33));
        clock.Advance(30_000);
        ReadResult r;
        int calls = 0;
        while ((r = s.Read(raw)) == ReadResult.NotReady)
        {
            calls++;
        }

        Assert.Equal(ReadResult.Ok, r);
        Assert.Equal(new double[] { 11, 22, 33 }, raw);
        Assert.True(calls >= 0);
        Assert.Equal(30_000, s.WarmupMs);
    }

    [Fact]
    public void Reads_during_fan_spin_up_are_flagged_warming_up()
    {
        var (s, uart, clock) = Driver();
        var raw = new double[3];
        s.Read(raw);
        uart.Feed(VerifiedFrame);
        clock.Advance(29_999);
        Assert.Equal(ReadResult.WarmingUp, s.Read(raw));
        Assert.Equal(8, raw[1]);
    }

    [Fact]
    public void Silence_bad_checksum_and_range_become_result_codes()
    {
        var (s, uart, clock) = Driver();
        clock.Advance(60_000);
        var raw = new double[3];
        Assert.Equal(ReadResult.NotReady, s.Read(raw));
        clock.Advance(1_000);
        Assert.Equal(ReadResult.NotReady, s.Read(raw));
        clock.Advance(600);
        Assert.Equal(ReadResult.NoResponse, s.Read(raw));

        Assert.Equal(ReadResult.NotReady, s.Read(raw)); // a new request
        var bad = (byte[])VerifiedFrame.Clone();
        bad[31] ^= 0xFF;
        uart.Feed(bad);
        Assert.Equal(ReadResult.BadCrc, s.Read(raw));

        s.Read(raw);
        uart.Feed(Frame(0, 0, 0, 5, 1200, 1500));
        Assert.Equal(ReadResult.OutOfRange, s.Read(raw));
        Assert.Equal(1200, raw[1]);

        Assert.Equal(ReadResult.NotInitialized, new Pms5003Sensor(uart, clock).Read(raw));
        s.Sleep();
        Assert.EndsWith("424DE400000173", Convert.ToHexString(uart.SentBytes()));
    }

    [Fact]
    public void A_babbling_line_cannot_keep_read_busy()
    {
        var (s, uart, _) = Driver();
        var raw = new double[3];
        s.Read(raw);
        uart.ChunkSize = int.MaxValue;
        uart.Feed(new byte[10_000]);
        Assert.Equal(ReadResult.NotReady, s.Read(raw));
        Assert.True(uart.Pending > 9_000);
    }

    [Fact]
    public void Read_allocates_nothing()
    {
        var (s, uart, clock) = Driver();
        clock.Advance(30_000);
        var raw = new double[3];
        var frame = Frame(1, 2, 3, 4, 5, 6);
        s.Read(raw);
        uart.Feed(frame);
        s.Read(raw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            s.Read(raw);
            uart.Feed(frame, 0, frame.Length);
            s.Read(raw);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(5, raw[1]);
    }

    [Fact]
    public void Fuzz_generated_mutated_and_garbage_frames_never_throw_and_resynchronise()
    {
        var rng = new Random(5003);
        var p = new Pms5003FrameParser();
        var sw = Stopwatch.StartNew();
        int valid = 0;
        for (int i = 0; i < FrameFuzz.Cases; i++)
        {
            // Realistic words (< 0x400) cannot contain a false 0x42 0x4D start, so after any junk
            // the second clean frame must come out whole.
            var data = new int[13];
            for (int k = 0; k < 13; k++)
            {
                data[k] = rng.Next(0x400);
            }

            var frame = Frame(data);
            switch (i % 3)
            {
                case 0:
                    Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, frame));
                    Assert.Equal(data[4], p.Pm25Atmospheric);
                    valid++;
                    break;
                case 1:
                    FrameFuzz.FeedAll(p.Feed, FrameFuzz.Mutate(rng, frame, VerifiedFrame));
                    break;
                default:
                    FrameFuzz.FeedAll(p.Feed, FrameFuzz.Garbage(rng, 80));
                    FrameFuzz.FeedAll(p.Feed, VerifiedFrame);
                    Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, frame));
                    Assert.Equal(data[4], p.Pm25Atmospheric);
                    valid++;
                    break;
            }
        }

        FrameFuzz.AssertWithinBound(sw);
        Assert.True(valid >= FrameFuzz.Cases * 2 / 3);
    }
}
