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
        bus.Respond(Scd4xCommand.get_data_ready_status, Words(0x8006));
        bus.Respond(Scd4xCommand.read_measurement, Words(612, 26214, 32768));
        Assert.Equal(ReadResult.Ok, s.Initialize());
        Assert.Equal(ReadResult.Ok, s.Start());
        return (s, bus, clock);
    }

    private static ReadResult ReadUntilDone(Scd4xSensor s, FakeClock clock, double[] raw)
    {
        for (int i = 0; i < 100; i++)
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
    public void Stops_waits_500_ms_starts_then_polls_data_ready_and_reads()
    {
        var (s, bus, clock) = Driver();
        Assert.Equal(Scd4xCommand.stop_periodic_measurement, bus.CommandLog[0]);
        Assert.False(bus.Sent(Scd4xCommand.start_periodic_measurement)); // still inside the 500 ms
        Assert.Equal(5500, s.WarmupMs);

        var raw = new double[3];
        clock.Advance(499);
        Assert.Equal(ReadResult.NotReady, s.Read(raw));
        Assert.False(bus.Sent(Scd4xCommand.start_periodic_measurement));
        clock.Advance(1);
        Assert.Equal(ReadResult.NotReady, s.Read(raw));
        Assert.True(bus.Sent(Scd4xCommand.start_periodic_measurement));

        clock.Advance(5000);
        Assert.Equal(ReadResult.Ok, ReadUntilDone(s, clock, raw));
        Assert.Equal(612, raw[0]);
        Assert.Equal(25.0, raw[1], 2);

        s.Sleep();
        Assert.Equal(Scd4xCommand.stop_periodic_measurement, bus.CommandLog[bus.CommandCount - 1]);
    }

    [Fact]
    public void Data_not_ready_keeps_the_sample_pending()
    {
        var (s, bus, clock) = Driver();
        clock.Advance(600);
        var raw = new double[3];
        s.Read(raw);
        bus.Respond(Scd4xCommand.get_data_ready_status, Words(0x8000)); // 11 LSBs clear
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(ReadResult.NotReady, s.Read(raw));
            clock.Advance(5);
        }

        Assert.False(bus.Sent(Scd4xCommand.read_measurement));
    }

    [Fact]
    public void Faults_are_result_codes()
    {
        var raw = new double[3];
        var clock = new FakeClock();
        Assert.Equal(ReadResult.NoResponse, new Scd4xSensor(new FakeI2cBus(0x61, true), clock).Initialize());
        Assert.Equal(ReadResult.NotInitialized, new Scd4xSensor(new FakeI2cBus(0x62, true), clock).Read(raw));

        var (s, bus, c) = Driver();
        c.Advance(600);
        s.Read(raw);
        bus.Respond(Scd4xCommand.read_measurement, null); // NACK: "no data"
        Assert.Equal(ReadResult.NoResponse, ReadUntilDone(s, c, raw));

        var bad = Words(612, 26214, 32768);
        bad[8] ^= 0x80;
        bus.Respond(Scd4xCommand.read_measurement, bad);
        Assert.Equal(ReadResult.BadCrc, ReadUntilDone(s, c, raw));

        var badReady = Words(0x8006);
        badReady[2] ^= 1;
        bus.Respond(Scd4xCommand.get_data_ready_status, badReady);
        Assert.Equal(ReadResult.BadCrc, ReadUntilDone(s, c, raw));

        // Never ready for longer than the data timeout: the sensor is faulted.
        bus.Respond(Scd4xCommand.get_data_ready_status, Words(0));
        c.Advance(Scd4xSensor.DataTimeoutMs + s.WarmupMs + 1);
        Assert.Equal(ReadResult.Fault, ReadUntilDone(s, c, raw));

        Assert.Equal(ReadResult.OutOfRange, s.SetAmbientPressure(650));
        Assert.Equal(ReadResult.Ok, s.SetAmbientPressure(1013.25));
        Assert.Equal(Scd4xCommand.set_ambient_pressure, bus.CommandLog[bus.CommandCount - 1]);
        Assert.Equal(Words(1013), bus.LastArguments[..3]);
    }

    [Fact]
    public void Read_allocates_nothing()
    {
        var (s, _, clock) = Driver();
        clock.Advance(600);
        var raw = new double[3];
        ReadUntilDone(s, clock, raw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 300; i++)
        {
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
