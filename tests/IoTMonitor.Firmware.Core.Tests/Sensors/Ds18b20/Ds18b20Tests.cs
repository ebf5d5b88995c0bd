using System.Diagnostics;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Ds18b20;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Ds18b20;

public class Ds18b20Tests
{
    [Theory]
    // PJRC OneWire test/test_crc.cpp vectors (reference B5).
    [InlineData(216, 0, 1, 2, 3)]
    [InlineData(244, 0, 1, 2, 3, 4)]
    [InlineData(42, 0, 1, 2, 3, 4, 5)]
    [InlineData(128, 0, 1, 2, 3, 4, 5, 6)]
    [InlineData(63, 0, 10, 20, 30)]
    [InlineData(30, 0, 10, 20, 30, 40)]
    [InlineData(128, 0, 10, 20, 30, 40, 50)]
    [InlineData(145, 0, 10, 20, 30, 40, 50, 60)]
    // Computed in the reference: a ROM body and the power-on scratchpad.
    [InlineData(0xA2, 0x02, 0x1C, 0xB8, 0x01, 0x00, 0x00, 0x00)]
    [InlineData(0x1C, 0x50, 0x05, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10)]
    public void Dallas_crc_matches_published_vectors(int crc, params int[] data)
    {
        var bytes = data.Select(x => (byte)x).ToArray();
        Assert.Equal(crc, DallasCrc8.Compute(bytes, 0, bytes.Length));
        var withCrc = bytes.Append((byte)crc).ToArray();
        Assert.Equal(0, DallasCrc8.Compute(withCrc, 0, withCrc.Length));
    }

    internal static byte[] Scratchpad(int raw, byte config = 0x7F)
    {
        var sp = new byte[] { (byte)raw, (byte)(raw >> 8), 0x4B, 0x46, config, 0xFF, 0x0C, 0x10, 0 };
        sp[8] = DallasCrc8.Compute(sp, 0, 8);
        return sp;
    }

    [Theory]
    // Raw/16 (reference B5); the pairs are those of the DS18B20 datasheet's temperature table.
    [InlineData(0x07D0, 125.0)]
    [InlineData(0x0191, 25.0625)]
    [InlineData(0x00A2, 10.125)]
    [InlineData(0x0008, 0.5)]
    [InlineData(0x0000, 0.0)]
    [InlineData(0xFFF8, -0.5)]
    [InlineData(0xFF5E, -10.125)]
    [InlineData(0xFE6F, -25.0625)]
    [InlineData(0xFC90, -55.0)]
    public void Temperature_is_the_signed_register_over_16(int raw, double expected)
    {
        Assert.Equal(ReadResult.Ok, Ds18b20Scratchpad.Decode(Scratchpad(raw), 0, out double t, out int bits));
        Assert.Equal(expected, t);
        Assert.Equal(12, bits);
    }

    [Theory]
    [InlineData(0x1F, 9, 25.0, 94)]
    [InlineData(0x3F, 10, 25.0, 188)]
    [InlineData(0x5F, 11, 25.0, 375)]
    [InlineData(0x7F, 12, 25.0625, 750)]
    public void Lower_resolutions_mask_the_undefined_bits(byte config, int bits, double expected, int ms)
    {
        Assert.Equal(ReadResult.Ok, Ds18b20Scratchpad.Decode(Scratchpad(0x0191, config), 0, out double t, out int b));
        Assert.Equal(bits, b);
        Assert.Equal(expected, t);
        Assert.Equal(config, Ds18b20Scratchpad.ConfigFor(bits));
        Assert.Equal(ms, Ds18b20Scratchpad.ConversionMs(bits));
    }

    [Fact]
    public void Faults_are_result_codes()
    {
        Assert.Equal(ReadResult.NoResponse, Ds18b20Scratchpad.Decode(Enumerable.Repeat((byte)0xFF, 9).ToArray(), 0, out _, out _));
        Assert.Equal(ReadResult.Fault, Ds18b20Scratchpad.Decode(new byte[9], 0, out _, out _)); // line stuck low, CRC 0
        var bad = Scratchpad(0x0191);
        bad[0] ^= 1;
        Assert.Equal(ReadResult.BadCrc, Ds18b20Scratchpad.Decode(bad, 0, out _, out _));
        Assert.Equal(ReadResult.Fault, Ds18b20Scratchpad.Decode(Scratchpad(0x0550), 0, out _, out _)); // power-on 85 °C
        Assert.Equal(ReadResult.OutOfRange, Ds18b20Scratchpad.Decode(Scratchpad(0x07E0), 0, out double hot, out _));
        Assert.Equal(126.0, hot);
    }

    [Fact]
    public void Driver_sets_resolution_converts_and_reads()
    {
        var bus = new FakeOneWire();
        Scratchpad(0x0550).CopyTo(bus.Scratchpad, 0);
        var s = new Ds18b20Sensor(bus, 10);
        Assert.Equal(ReadResult.Ok, s.Initialize());
        Assert.True(bus.WroteSequence(0xCC, 0x4E, 0x4B, 0x46, 0x3F));
        Assert.Equal(188, s.WarmupMs);
        Assert.Equal(ReadResult.Ok, s.Start());
        Assert.Equal(1, bus.ConvertCount);

        Scratchpad(0xFF5E, 0x3F).CopyTo(bus.Scratchpad, 0);
        var raw = new double[1];
        Assert.Equal(ReadResult.Ok, s.Read(raw));
        Assert.Equal(-10.25, raw[0]); // −10.125 at 10 bits: bit 0 and 1 undefined
        s.Sleep();
    }

    [Fact]
    public void A_genuine_85_degree_conversion_is_told_apart_from_the_power_on_value()
    {
        // Datasheet: the temperature register holds +85 °C (0550h) at power-up until a conversion
        // completes. Read after the conversion time it means either; a second conversion decides.
        var bus = new FakeOneWire();
        Scratchpad(0x0550).CopyTo(bus.Scratchpad, 0);
        var s = new Ds18b20Sensor(bus, 12);
        Assert.Equal(ReadResult.Ok, s.Initialize());

        // Power-on value (the device reset and missed CONVERT T): the second conversion gives the water's 14.5 °C.
        Assert.Equal(ReadResult.Ok, s.Start());
        bus.Conversions.Enqueue(Scratchpad(0x00E8)); // 14.5 °C
        var raw = new double[1];
        Assert.Equal(ReadResult.Ok, s.Read(raw));
        Assert.Equal(14.5, raw[0]);
        Assert.Equal(2, bus.ConvertCount);

        // Hot water at +85 °C: both conversions read 0550h, which is then a measurement.
        Scratchpad(0x0550).CopyTo(bus.Scratchpad, 0);
        Assert.Equal(ReadResult.Ok, s.Start());
        bus.Conversions.Enqueue(Scratchpad(0x0550));
        Assert.Equal(ReadResult.Ok, s.Read(raw));
        Assert.Equal(85.0, raw[0]);
        Assert.Equal(4, bus.ConvertCount);

        // 85.0625 °C (0551h) is an ordinary value: no second conversion.
        Scratchpad(0x0551).CopyTo(bus.Scratchpad, 0);
        Assert.Equal(ReadResult.Ok, s.Start());
        Assert.Equal(ReadResult.Ok, s.Read(raw));
        Assert.Equal(85.0625, raw[0]);
        Assert.Equal(5, bus.ConvertCount);
    }

    [Fact]
    public void Driver_reports_absent_and_corrupt_devices()
    {
        var raw = new double[1];
        var bus = new FakeOneWire { Present = false };
        var s = new Ds18b20Sensor(bus);
        Assert.Equal(ReadResult.NoResponse, s.Initialize());
        Assert.Equal(ReadResult.NotInitialized, s.Read(raw));
        Assert.Equal(ReadResult.NotInitialized, s.Start());

        bus.Present = true;
        Scratchpad(0x0191).CopyTo(bus.Scratchpad, 0);
        Assert.Equal(ReadResult.Ok, s.Initialize());
        Assert.False(bus.WroteSequence(0x4E)); // already 12 bit
        bus.Scratchpad[3] ^= 0x10;
        Assert.Equal(ReadResult.BadCrc, s.Read(raw));
        bus.Present = false;
        Assert.Equal(ReadResult.NoResponse, s.Read(raw));
        Assert.Equal(ReadResult.NoResponse, s.Start());
    }

    [Fact]
    public void Read_allocates_nothing()
    {
        var bus = new FakeOneWire();
        Scratchpad(0x0191).CopyTo(bus.Scratchpad, 0);
        var s = new Ds18b20Sensor(bus);
        s.Initialize();
        var raw = new double[1];
        s.Read(raw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            s.Start();
            s.Read(raw);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(25.0625, raw[0]);
    }

    [Fact]
    public void Fuzz_scratchpads_never_throw_and_accept_only_good_crcs()
    {
        var rng = new Random(1820);
        var sw = Stopwatch.StartNew();
        var sp = new byte[9];
        for (int i = 0; i < FrameFuzz.Cases; i++)
        {
            if (i % 2 == 0)
            {
                Scratchpad(rng.Next(0x10000), (byte)(0x1F | (rng.Next(4) << 5))).CopyTo(sp, 0);
                sp[rng.Next(9)] ^= (byte)rng.Next(256);
            }
            else
            {
                rng.NextBytes(sp);
            }

            ReadResult r = Ds18b20Scratchpad.Decode(sp, 0, out double t, out _);
            if (ReadResultQuality.HasValue(r))
            {
                Assert.Equal(0, DallasCrc8.Compute(sp, 0, 9));
                Assert.InRange(t, -2048.0, 2048.0);
            }
        }

        FrameFuzz.AssertWithinBound(sw);
    }
}
