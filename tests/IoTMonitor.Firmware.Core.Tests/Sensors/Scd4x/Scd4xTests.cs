using System.Diagnostics;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Scd4x;
using IoTMonitor.Firmware.Core.Sensors.Sensirion;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Scd4x;

public class Scd4xTests
{
    private static byte[] Words(params int[] words)
    {
        var b = new byte[3 * words.Length];
        for (int i = 0; i < words.Length; i++)
        {
            SensirionCrc8.WriteWord(b, 3 * i, words[i]);
        }

        return b;
    }

    [Fact]
    public void Measurement_conversion_follows_the_datasheet_formulas()
    {
        // Computed from the datasheet formulas (reference B4): T = −45 + 175·26214/65535 = 25.0,
        // RH = 100·32768/65535 = 50.0008 %; CO₂ is the word itself.
        var raw = new double[3];
        Assert.Equal(ReadResult.Ok, Scd4xSensor.DecodeMeasurement(Words(0x01F4, 26214, 32768), raw));
        Assert.Equal(500, raw[0]);
        Assert.Equal(-45 + (175.0 * 26214 / 65535), raw[1], 12);
        Assert.Equal(25.0, raw[1], 2);
        Assert.Equal(50.0008, raw[2], 4);

        var bad = Words(0x01F4, 26214, 32768);
        bad[5] ^= 1;
        Assert.Equal(ReadResult.BadCrc, Scd4xSensor.DecodeMeasurement(bad, raw));
        Assert.Equal(ReadResult.OutOfRange, Scd4xSensor.DecodeMeasurement(Words(40001, 0, 0), raw));
    }

    private static (Scd4xSensor, FakeI2cBus, FakeClock) Driver()
    {
        var bus = new FakeI2cBus(0x62, commandDevice: true);
        var clock = new FakeClock { Millis = 1000 };
        var s = new Scd4xSensor(bus, clock);
        bus.Respond(Scd4xCommand.read_measurement, Words(612, 26214, 32768));
        Assert.Equal(ReadResult.Ok, s.Initialize());
        return (s, bus, clock);
    }

    private static ReadResult ReadUntilDone(Scd4xSensor s, FakeClock clock, double[] raw)
    {
        for (int i = 0; i < 1000; i++)
        {
            ReadResult r = s.Read(raw);
            if (r != ReadResult.NotReady)
            {
                return r;
            }

            clock.Advance(10);
        }

        return ReadResult.NotReady;
    }

    [Fact]
    public void Single_shot_sends_0x219D_waits_5_s_then_reads_the_measurement()
    {
        var (s, bus, clock) = Driver();
        Assert.Equal(0, bus.CommandCount); // Initialize sends nothing: the shot's ACK is the presence check
        Assert.Equal(ReadResult.Ok, s.Start());
        Assert.Equal(1, bus.CommandCount);
        Assert.Equal(0x219D, bus.CommandLog[0]); // datasheet v1.3 Table 28: write 0x219d, no argument
        Assert.Equal(0, bus.LastArgumentCount);
        Assert.Equal(5000, s.WarmupMs);

        // Inside the 5000 ms max. command duration nothing is sent ("commands must not be sent while a
        // previous command is being processed", §3.3).
        var raw = new double[3];
        clock.Advance(4999);
        Assert.Equal(ReadResult.NotReady, s.Read(raw));
        Assert.Equal(1, bus.CommandCount);

        clock.Advance(1);
        Assert.Equal(ReadResult.NotReady, s.Read(raw)); // read_measurement written; reply after 1 ms
        Assert.Equal(Scd4xCommand.read_measurement, bus.CommandLog[1]);
        Assert.Equal(ReadResult.NotReady, s.Read(raw));
        clock.Advance(1);
        Assert.Equal(ReadResult.Ok, s.Read(raw));
        Assert.Equal(612, raw[0]);
        Assert.Equal(25.0, raw[1], 2);

        // The buffer empties on read-out: no second value without a new shot.
        Assert.Equal(ReadResult.NotInitialized, s.Read(raw));
        s.Sleep();
        Assert.Equal(2, bus.CommandCount); // sleep sends nothing: the rail goes off
    }

    [Fact]
    public void Frames_with_an_argument_carry_the_sensirion_crc_of_the_datasheet_examples()
    {
        // SCD4x datasheet v1.3 Table 19 (set_automatic_self_calibration_enabled, ASC on: 0x2416 0x0001 0xB0),
        // Table 18 (perform_forced_recalibration to 480 ppm: 0x362f 0x01e0 0xb4), Table 20 (ASC off reply 0x0000 0x81).
        var frame = new byte[5];
        Scd4xSensor.WriteCommand(frame, Scd4xCommand.set_automatic_self_calibration_enabled, 1);
        Assert.Equal(new byte[] { 0x24, 0x16, 0x00, 0x01, 0xB0 }, frame);
        Scd4xSensor.WriteCommand(frame, Scd4xCommand.perform_forced_recalibration, 480);
        Assert.Equal(new byte[] { 0x36, 0x2F, 0x01, 0xE0, 0xB4 }, frame);
        Scd4xSensor.WriteCommand(frame, Scd4xCommand.set_automatic_self_calibration_enabled, 0);
        Assert.Equal(new byte[] { 0x24, 0x16, 0x00, 0x00, 0x81 }, frame);
        Assert.Equal(0x92, SensirionCrc8.Compute([0xBE, 0xEF], 0, 2)); // the CRC section's own example
    }

    [Fact]
    public void Faults_are_result_codes()
    {
        var raw = new double[3];
        var clock = new FakeClock();
        var absent = new Scd4xSensor(new FakeI2cBus(0x61, true), clock);
        Assert.Equal(ReadResult.Ok, absent.Initialize());
        Assert.Equal(ReadResult.NoResponse, absent.Start()); // NACK of the shot (no sensor, or still powering up)
        Assert.Equal(ReadResult.NotInitialized, absent.Read(raw));
        Assert.Equal(ReadResult.NotInitialized, new Scd4xSensor(new FakeI2cBus(0x62, true), clock).Start());

        var (s, bus, c) = Driver();
        s.Start();
        c.Advance(5000);
        bus.Respond(Scd4xCommand.read_measurement, null); // NACK: "no data"
        Assert.Equal(ReadResult.NoResponse, ReadUntilDone(s, c, raw));

        var bad = Words(612, 26214, 32768);
        bad[8] ^= 0x80;
        bus.Respond(Scd4xCommand.read_measurement, bad);
        s.Start();
        c.Advance(5000);
        Assert.Equal(ReadResult.BadCrc, ReadUntilDone(s, c, raw));

        bus.Respond(Scd4xCommand.read_measurement, Words(40001, 26214, 32768));
        s.Start();
        Assert.Equal(ReadResult.OutOfRange, ReadUntilDone(s, c, raw));

        Assert.Equal(ReadResult.OutOfRange, s.SetAmbientPressure(650));
        Assert.Equal(ReadResult.Ok, s.SetAmbientPressure(1013.25));
        Assert.Equal(Scd4xCommand.set_ambient_pressure, bus.CommandLog[bus.CommandCount - 1]);
        Assert.Equal(Words(1013), bus.LastArguments[..3]);
    }

    [Fact]
    public void Read_allocates_nothing()
    {
        var (s, _, clock) = Driver();
        var raw = new double[3];
        s.Start();
        ReadUntilDone(s, clock, raw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            s.Start();
            ReadUntilDone(s, clock, raw);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(612, raw[0]);
    }

    [Fact]
    public void Fuzz_measurement_replies_never_throw_and_accept_only_good_crcs()
    {
        var rng = new Random(4);
        var raw = new double[3];
        var sw = Stopwatch.StartNew();
        int accepted = 0;
        for (int i = 0; i < FrameFuzz.Cases; i++)
        {
            var reply = Words(rng.Next(40001), rng.Next(65536), rng.Next(65536));
            if (i % 2 == 1)
            {
                reply[rng.Next(9)] ^= (byte)(1 + rng.Next(255));
            }

            ReadResult r = Scd4xSensor.DecodeMeasurement(reply, raw);
            bool crcsGood = SensirionCrc8.TryReadWord(reply, 0, out _) && SensirionCrc8.TryReadWord(reply, 3, out _)
                && SensirionCrc8.TryReadWord(reply, 6, out _);
            Assert.Equal(crcsGood, r != ReadResult.BadCrc);
            if (crcsGood)
            {
                accepted++;
                Assert.InRange(raw[1], -45.0, 130.0);
                Assert.InRange(raw[2], 0.0, 100.0);
            }
        }

        FrameFuzz.AssertWithinBound(sw);
        Assert.True(accepted >= FrameFuzz.Cases / 2);
    }
}
