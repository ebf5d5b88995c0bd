using System.Diagnostics;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Sds011;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Sds011;

public class Sds011Tests
{
    // Reference B3 [S16]: verified frame, 0.6 / 0.6 µg/m³, device id 0xD958.
    private static readonly byte[] VerifiedFrame = Convert.FromHexString("aac0060006" + "0058d93dab");

    private static byte[] Frame(int pm25Tenths, int pm10Tenths, int id = 0xD958, byte command = 0xC0)
    {
        var f = new byte[] { 0xAA, command, (byte)pm25Tenths, (byte)(pm25Tenths >> 8), (byte)pm10Tenths, (byte)(pm10Tenths >> 8), (byte)id, (byte)(id >> 8), 0, 0xAB };
        int sum = 0;
        for (int i = 2; i < 8; i++)
        {
            sum += f[i];
        }

        f[8] = (byte)sum;
        return f;
    }

    [Fact]
    public void Verified_frame_parses()
    {
        var p = new Sds011FrameParser();
        Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, VerifiedFrame));
        Assert.Equal(6, p.Pm25Tenths);
        Assert.Equal(6, p.Pm10Tenths);
        Assert.Equal(0xD958, p.DeviceId);
        Assert.Equal(Sds011FrameParser.DataCommand, p.Command);
    }

    [Fact]
    public void Bad_checksum_and_bad_tail_are_rejected_then_resynchronised()
    {
        var p = new Sds011FrameParser();
        var badSum = (byte[])VerifiedFrame.Clone();
        badSum[8] ^= 0x10;
        var badTail = (byte[])VerifiedFrame.Clone();
        badTail[9] = 0xAC;
        Assert.Equal(0, FrameFuzz.FeedAll(p.Feed, badSum));
        Assert.Equal(0, FrameFuzz.FeedAll(p.Feed, badTail));
        Assert.Equal(1, p.ChecksumErrors);
        Assert.Equal(0, FrameFuzz.FeedAll(p.Feed, new byte[] { 0xAA, 0xAA, 0xC0, 0x01 }));

        // The false start swallows the first good frame (data bytes can be anything, so nothing
        // inside it can reject them early); the checksum throws it out and the next one parses.
        Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, VerifiedFrame.Concat(VerifiedFrame).ToArray()));
        Assert.Equal(2, p.ChecksumErrors);
    }

    [Fact]
    public void Commands_match_the_protocol_checksums()
    {
        var b = new byte[19];
        Sds011Command.Write(b, 0, Sds011Command.SleepWork, 1, 0, Sds011Command.AllDevices);
        Assert.Equal("AAB406010000000000000000000000FFFF05AB", Convert.ToHexString(b)); // sleep, CHK 05
        Sds011Command.Write(b, 0, Sds011Command.SleepWork, 1, 1, Sds011Command.AllDevices);
        Assert.Equal(0x06, b[17]); // work, CHK 06
        Sds011Command.Write(b, 0, Sds011Command.QueryData, 0, 0, 0xA160);
        Assert.Equal((0x04 + 0x60 + 0xA1) & 0xFF, b[17]);
        Assert.Equal(0x60, b[15]);
        Assert.Equal(0xA1, b[16]);
    }

    private static (Sds011Sensor, FakeUart, FakeClock) Driver()
    {
        var uart = new FakeUart { ChunkSize = 3 };
        var clock = new FakeClock();
        var s = new Sds011Sensor(uart, clock);
        Assert.Equal(ReadResult.Ok, s.Initialize());
        Assert.Equal(ReadResult.Ok, s.Start());
        return (s, uart, clock);
    }

    [Fact]
    public void Driver_sets_query_mode_wakes_queries_and_converts_tenths()
    {
        var (s, uart, clock) = Driver();
        var sent = uart.SentBytes();
        Assert.Equal(38, sent.Length);
        Assert.Equal(new byte[] { 0x02, 0x01, 0x01 }, sent[2..5]);
        Assert.Equal(new byte[] { 0x06, 0x01, 0x01 }, sent[21..24]);

        uart.ClearSent();
        var raw = new double[2];
        Assert.Equal(ReadResult.NotReady, s.Read(raw));
        Assert.Equal(0x04, uart.Sent[2]);
        uart.Feed(Frame(123, 456, command: 0xC5)); // a late settings reply is not the answer
        uart.Feed(Frame(123, 456));
        clock.Advance(30_000);
        ReadResult r;
        while ((r = s.Read(raw)) == ReadResult.NotReady)
        {
        }

        Assert.Equal(ReadResult.Ok, r);
        Assert.Equal(12.3, raw[0], 10);
        Assert.Equal(45.6, raw[1], 10);
    }

    [Fact]
    public void Warm_up_silence_bad_checksum_and_range_are_result_codes()
    {
        var (s, uart, clock) = Driver();
        var raw = new double[2];
        s.Read(raw);
        uart.Feed(VerifiedFrame);
        Assert.Equal(ReadResult.WarmingUp, s.Read(raw));
        Assert.Equal(0.6, raw[0], 10);

        clock.Advance(40_000);
        s.Read(raw);
        clock.Advance(1_501);
        Assert.Equal(ReadResult.NoResponse, s.Read(raw));

        s.Read(raw);
        var bad = (byte[])VerifiedFrame.Clone();
        bad[8]++;
        uart.Feed(bad);
        Assert.Equal(ReadResult.BadCrc, s.Read(raw));

        s.Read(raw);
        uart.Feed(Frame(10000, 20));
        Assert.Equal(ReadResult.OutOfRange, s.Read(raw));

        s.Sleep();
        Assert.Equal(new byte[] { 0x06, 0x01, 0x00 }, uart.SentBytes()[^17..^14]);
    }

    [Fact]
    public void Read_allocates_nothing()
    {
        var (s, uart, clock) = Driver();
        clock.Advance(30_000);
        var raw = new double[2];
        var frame = Frame(55, 77);
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
        Assert.Equal(7.7, raw[1], 10);
    }

    [Fact]
    public void Fuzz_generated_mutated_and_garbage_frames_never_throw_and_resynchronise()
    {
        var rng = new Random(11);
        var p = new Sds011FrameParser();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < FrameFuzz.Cases; i++)
        {
            // Values below 0xAA00 keep 0xAA out of the high bytes; the low byte may still be 0xAA,
            // which a checksum then rejects, so the frame after the next one must parse.
            int pm25 = rng.Next(10000);
            int pm10 = rng.Next(10000);
            var frame = Frame(pm25, pm10, rng.Next(0x10000));
            switch (i % 3)
            {
                case 0:
                    Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, frame));
                    Assert.Equal(pm25, p.Pm25Tenths);
                    break;
                case 1:
                    FrameFuzz.FeedAll(p.Feed, FrameFuzz.Mutate(rng, frame, VerifiedFrame));
                    break;
                default:
                    FrameFuzz.FeedAll(p.Feed, FrameFuzz.Garbage(rng, 40));
                    FrameFuzz.FeedAll(p.Feed, VerifiedFrame);
                    FrameFuzz.FeedAll(p.Feed, VerifiedFrame);
                    FrameFuzz.FeedAll(p.Feed, frame);
                    Assert.Equal(pm25, p.Pm25Tenths);
                    Assert.Equal(pm10, p.Pm10Tenths);
                    break;
            }
        }

        FrameFuzz.AssertWithinBound(sw);
    }
}
