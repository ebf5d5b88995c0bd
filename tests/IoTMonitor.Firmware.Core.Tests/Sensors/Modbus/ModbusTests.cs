using System.Diagnostics;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Modbus;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Modbus;

public class ModbusTests
{
    private static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", string.Empty));

    [Theory]
    // Reference B6 [S19]: published frames with re-verified CRCs, and the spec example as RTU (computed).
    [InlineData("01 03 00 02 00 01 25 CA")]
    [InlineData("01 03 00 00 00 07 04 08")]
    [InlineData("01 03 00 12 00 01 24 0F")]
    [InlineData("01 03 02 00 2D 78 59")]
    [InlineData("01 03 00 6B 00 03 74 17")]
    [InlineData("01 03 06 02 2B 00 00 00 64 05 7A")]
    [InlineData("02 07 41 12")]
    // Reference B4: SCD30 Modbus datasheet frames.
    [InlineData("61 03 00 28 00 06 4C 60")]
    [InlineData("61 03 00 20 00 01 8C 60")]
    public void Crc16_matches_published_frames_low_byte_first(string frame)
    {
        var b = Hex(frame);
        Assert.True(ModbusCrc16.Check(b, 0, b.Length));
        var copy = (byte[])b.Clone();
        ModbusCrc16.Append(copy, 0, b.Length - 2);
        Assert.Equal(b, copy);
        copy[^1] ^= 0x01;
        Assert.False(ModbusCrc16.Check(copy, 0, copy.Length));
        Assert.Equal(0x1241, ModbusCrc16.Compute(Hex("0207"), 0, 2));
    }

    [Fact]
    public void Requests_match_the_spec_examples()
    {
        var b = new byte[8];
        ModbusFrames.WriteReadRequest(b, 1, ModbusFrames.ReadHoldingRegisters, 0x006B, 3);
        Assert.Equal(Hex("01 03 00 6B 00 03 74 17"), b);
        ModbusFrames.WriteReadRequest(b, 0x61, ModbusFrames.ReadHoldingRegisters, 0x0028, 6);
        Assert.Equal(Hex("61 03 00 28 00 06 4C 60"), b);
        ModbusFrames.WriteWriteSingleRequest(b, 0x61, 0x0036, 0);
        Assert.True(ModbusCrc16.Check(b, 0, 8));
        Assert.Equal(Hex("61 06 00 36 00 00"), b[..6]);
    }

    [Theory]
    [InlineData(9600, 4010)] // reference B6 (computed): 3.5 × 11 / 9600 s
    [InlineData(4800, 8021)]
    [InlineData(19200, 2005)]
    [InlineData(38400, 1750)] // fixed above 19200
    public void Frame_silence_follows_the_serial_line_spec(int baud, int micros)
    {
        Assert.Equal(micros, ModbusFrames.FrameSilenceMicros(baud));
    }

    [Fact]
    public void Parser_decodes_the_spec_response_and_exceptions()
    {
        var p = new ModbusResponseParser();
        p.Expect(1, ModbusFrames.ReadHoldingRegisters, 3);
        Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, Hex("01 03 06 02 2B 00 00 00 64 05 7A")));
        Assert.False(p.IsException);
        Assert.Equal(new[] { 555, 0, 100 }, new[] { p.Register(0), p.Register(1), p.Register(2) });

        var ex = Hex("01 83 02 00 00");
        ModbusCrc16.Append(ex, 0, 3);
        p.Expect(1, ModbusFrames.ReadHoldingRegisters, 3);
        Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, ex));
        Assert.True(p.IsException);
        Assert.Equal(2, p.ExceptionCode); // illegal data address

        var echo = Hex("61 06 00 36 00 00 00 00");
        ModbusCrc16.Append(echo, 0, 6);
        p.Expect(0x61, ModbusFrames.WriteSingleRegister, 1);
        Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, echo));
        Assert.Equal(1, p.RegisterCount);
    }

    [Fact]
    public void Parser_rejects_other_slaves_wrong_counts_and_bad_crcs_then_resynchronises()
    {
        var p = new ModbusResponseParser();
        p.Expect(1, ModbusFrames.ReadHoldingRegisters, 3);
        Assert.Equal(0, FrameFuzz.FeedAll(p.Feed, Hex("02 03 06 02 2B 00 00 00 64 00 00"))); // other slave
        Assert.Equal(0, FrameFuzz.FeedAll(p.Feed, Hex("01 04 01 03 04"))); // wrong function, wrong count
        var bad = Hex("01 03 06 02 2B 00 00 00 64 05 7B");
        Assert.Equal(0, FrameFuzz.FeedAll(p.Feed, bad));
        Assert.Equal(1, p.CrcErrors);
        Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, Hex("01 03 06 02 2B 00 00 00 64 05 7A")));

        p.Expect(1, 0x10, 3); // unsupported function: every byte is rejected
        Assert.Equal(0, FrameFuzz.FeedAll(p.Feed, Hex("01 10 06 02 2B 00 00 00 64 05 7A")));
        p.Expect(1, ModbusFrames.ReadHoldingRegisters, 126);
        Assert.Equal(0, FrameFuzz.FeedAll(p.Feed, Hex("01 03")));
    }

    private static byte[] Reply(int slave, byte function, params int[] registers)
    {
        var f = new byte[5 + (2 * registers.Length)];
        f[0] = (byte)slave;
        f[1] = function;
        f[2] = (byte)(2 * registers.Length);
        for (int i = 0; i < registers.Length; i++)
        {
            f[3 + (2 * i)] = (byte)(registers[i] >> 8);
            f[4 + (2 * i)] = (byte)registers[i];
        }

        ModbusCrc16.Append(f, 0, f.Length - 2);
        return f;
    }

    [Fact]
    public void Master_times_out_with_no_response_and_maps_exceptions_to_fault()
    {
        var uart = new FakeUart();
        var m = new ModbusRtuMaster(uart, 300);
        Assert.Equal(ReadResult.NotInitialized, m.Poll(0));
        Assert.Equal(ReadResult.Fault, m.BeginRead(1, 0x05, 0, 1));
        Assert.Equal(ReadResult.Fault, m.BeginRead(1, 0x03, 0, 126));
        Assert.Equal(ReadResult.Fault, m.BeginRead(0, 0x03, 0, 1));

        Assert.Equal(ReadResult.Ok, m.BeginRead(1, ModbusFrames.ReadInputRegisters, 0x0012, 1));
        Assert.Equal(Hex("01 04 00 12 00 01"), uart.SentBytes()[..6]);
        Assert.Equal(ReadResult.NotReady, m.Poll(100));
        Assert.Equal(ReadResult.NotReady, m.Poll(300));
        Assert.Equal(ReadResult.NoResponse, m.Poll(301));
        Assert.False(m.Pending);

        m.BeginRead(1, ModbusFrames.ReadHoldingRegisters, 0, 1);
        var ex = Hex("01 83 04 00 00");
        ModbusCrc16.Append(ex, 0, 3);
        uart.Feed(ex);
        Assert.Equal(ReadResult.Fault, m.Poll(10));
        Assert.Equal(4, m.Response.ExceptionCode);

        m.BeginRead(1, ModbusFrames.ReadHoldingRegisters, 0, 1);
        var bad = Reply(1, 3, 42);
        bad[^2] ^= 0x55;
        uart.Feed(bad);
        Assert.Equal(ReadResult.BadCrc, m.Poll(10));

        // A late reply from the previous exchange is discarded before the next request.
        uart.Feed(Reply(1, 3, 99));
        m.BeginWriteSingle(1, 0x0100, 7);
        Assert.Equal(1, uart.Pending == 0 ? 1 : 0);
        var echo = Hex("01 06 01 00 00 07 00 00");
        ModbusCrc16.Append(echo, 0, 6);
        uart.Feed(echo);
        Assert.Equal(ReadResult.Ok, m.Poll(5));
        Assert.Equal(7, m.Response.Register(0));
    }

    [Fact]
    public void Master_bounds_a_babbling_line_at_512_bytes_per_poll_and_times_out_on_the_callers_clock()
    {
        var uart = new FakeUart();
        var m = new ModbusRtuMaster(uart, 300);
        m.BeginRead(1, ModbusFrames.ReadHoldingRegisters, 0, 1);
        uart.Feed(new byte[10_000]); // slave 0 never starts the expected reply
        Assert.Equal(ReadResult.NotReady, m.Poll(0));
        Assert.Equal(10_000 - 512, uart.Pending);
        Assert.Equal(ReadResult.NotReady, m.Poll(300));
        Assert.Equal(ReadResult.NoResponse, m.Poll(301));
        Assert.Equal(ReadResult.NotInitialized, m.Poll(0));

        // The timeout is read only after the receive loop: a reply that arrived in time still wins.
        m.BeginRead(1, ModbusFrames.ReadHoldingRegisters, 0, 1);
        uart.Feed(Reply(1, 3, 5));
        Assert.Equal(ReadResult.Ok, m.Poll(10_000));
        Assert.Equal(5, m.Response.Register(0));

        m.BeginRead(1, ModbusFrames.ReadHoldingRegisters, 0, 1);
        m.Cancel();
        Assert.False(m.Pending);
        Assert.Equal(ReadResult.NotInitialized, m.Poll(0));
    }

    [Fact]
    public void Parser_reports_an_exception_as_a_refusal_not_data()
    {
        var p = new ModbusResponseParser();
        IFrameParser f = p;
        p.Expect(1, ModbusFrames.ReadHoldingRegisters, 1);
        var ex = Hex("01 83 02 00 00");
        ModbusCrc16.Append(ex, 0, 3);
        FrameStatus last = FrameStatus.Continue;
        foreach (var b in ex)
        {
            last = f.Feed(b);
        }

        Assert.Equal(FrameStatus.Complete, last);
        Assert.False(f.IsData);
        Assert.True(f.IsRefusal);

        foreach (var b in Reply(1, 3, 7))
        {
            last = f.Feed(b);
        }

        Assert.Equal(FrameStatus.Complete, last);
        Assert.True(f.IsData);
        Assert.False(f.IsRefusal);

        var bad = Reply(1, 3, 7);
        bad[^1] ^= 0x01;
        foreach (var b in bad)
        {
            f.Feed(b);
        }

        Assert.Equal(1, f.ChecksumErrors);
        Assert.Equal(p.CrcErrors, f.ChecksumErrors);
    }

    [Fact]
    public void Shipped_maps_are_valid_vendor_specific_and_marked_unconfirmed()
    {
        foreach (var map in new[] { ModbusProbeMaps.CwtSoil7in1(), ModbusProbeMaps.SoilAlt0x12() })
        {
            Assert.True(map.IsValid);
            Assert.True(map.VendorSpecific);
            Assert.False(map.Confirmed);
            Assert.NotEmpty(map.Source);
        }

        var cwt = ModbusProbeMaps.CwtSoil7in1();
        Assert.Equal((0, 7, 4800), (cwt.FirstRegister, cwt.Span, cwt.Baud));
        var alt = ModbusProbeMaps.SoilAlt0x12();
        Assert.Equal((6, 27, 9600), (alt.FirstRegister, alt.Span, alt.Baud));
        var tooWide = new ModbusRegisterMap("x", 1, 9600, 3, 0, true, false, "test", new[]
        {
            new ModbusRegisterEntry("a", 0, 1, 1, false, Quantities.SoilN),
            new ModbusRegisterEntry("b", 125, 1, 1, false, Quantities.SoilP),
        });
        Assert.False(tooWide.IsValid);
        Assert.Equal(ReadResult.Fault, new ModbusProbeSensor(new FakeUart(), new FakeClock(), tooWide).Initialize());
    }

    private static (ModbusProbeSensor, FakeUart, FakeClock) CwtProbe(Func<byte[]> reply)
    {
        var uart = new FakeUart { ChunkSize = 4 };
        var clock = new FakeClock();
        uart.OnWrite = (_, _, _) => uart.Feed(reply());
        var s = new ModbusProbeSensor(uart, clock, ModbusProbeMaps.CwtSoil7in1());
        Assert.Equal(ReadResult.Ok, s.Initialize());
        Assert.Equal(ReadResult.Ok, s.Start());
        return (s, uart, clock);
    }

    [Fact]
    public void Probe_reads_the_CWT_map_and_scales_each_value()
    {
        // 23.4 % moisture, −1.5 °C, 1234 µS/cm, pH 6.8, N 40, P 12, K 160.
        var reply = Reply(1, 3, 234, 0xFFF1, 1234, 68, 40, 12, 160);
        var (s, uart, clock) = CwtProbe(() => reply);
        Assert.Equal(7, s.ChannelCount);
        var raw = new double[7];
        Assert.Equal(ReadResult.NotReady, s.Read(raw));
        Assert.Equal(Hex("01 03 00 00 00 07 04 08"), uart.SentBytes()); // reference B6 published frame
        ReadResult r;
        while ((r = s.Read(raw)) == ReadResult.NotReady)
        {
            clock.Advance(1);
        }

        Assert.Equal(ReadResult.Ok, r);
        Assert.Equal(new[] { 23.4, -1.5, 1234, 6.8, 40, 12, 160 }, raw.Select(v => Math.Round(v, 6)).ToArray());
        Assert.Equal(Quantities.SoilPh, s.Map.Entries[3].Quantity);
    }

    [Fact]
    public void Probe_faults_are_result_codes()
    {
        var raw = new double[7];
        var (silent, _, clock) = CwtProbe(Array.Empty<byte>);
        silent.Read(raw);
        clock.Advance(ModbusRtuMaster.DefaultTimeoutMs + 1);
        Assert.Equal(ReadResult.NoResponse, silent.Read(raw));

        var ex = Hex("01 83 02 00 00");
        ModbusCrc16.Append(ex, 0, 3);
        var (refusing, _, _) = CwtProbe(() => ex);
        refusing.Read(raw);
        Assert.Equal(ReadResult.Fault, refusing.Read(raw));
        Assert.Equal(2, refusing.Master.Response.ExceptionCode);

        Assert.Equal(ReadResult.NotInitialized, new ModbusProbeSensor(new FakeUart(), clock, ModbusProbeMaps.CwtSoil7in1()).Read(raw));
        refusing.Sleep();
    }

    [Fact]
    public void Probe_read_allocates_nothing()
    {
        var reply = Reply(1, 3, 234, 0xFFF1, 1234, 68, 40, 12, 160);
        var (s, _, _) = CwtProbe(() => reply);
        var raw = new double[7];
        s.Read(raw);
        s.Read(raw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            s.Read(raw);
            s.Read(raw);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1234, raw[2]);
    }

    [Fact]
    public void Fuzz_responses_never_throw_and_resynchronise()
    {
        var rng = new Random(485);
        var p = new ModbusResponseParser();
        var sw = Stopwatch.StartNew();
        var reference = Hex("01 03 06 02 2B 00 00 00 64 05 7A");
        for (int i = 0; i < FrameFuzz.Cases; i++)
        {
            int slave = 1 + rng.Next(247);
            int n = 1 + rng.Next(10);
            var regs = new int[n];
            for (int k = 0; k < n; k++)
            {
                regs[k] = rng.Next(0x10000);
            }

            var frame = Reply(slave, 3, regs);
            p.Expect(slave, 3, n);
            switch (i % 3)
            {
                case 0:
                    Assert.Equal(1, FrameFuzz.FeedAll(p.Feed, frame));
                    Assert.Equal(regs[n - 1], p.Register(n - 1));
                    break;
                case 1:
                    FrameFuzz.FeedAll(p.Feed, FrameFuzz.Mutate(rng, frame, reference));
                    break;
                default:
                    // Garbage can hold a false start whose "frame" swallows part of the reply;
                    // a CRC rejects it and the repeated reply then parses (a master retries).
                    FrameFuzz.FeedAll(p.Feed, FrameFuzz.Garbage(rng, 40));
                    int before = p.CrcErrors;
                    int complete = FrameFuzz.FeedAll(p.Feed, frame);
                    for (int attempt = 0; attempt < 40 && complete == 0; attempt++)
                    {
                        complete = FrameFuzz.FeedAll(p.Feed, frame);
                    }

                    Assert.True(complete >= 1, $"case {i}: no resync");
                    Assert.Equal(regs[0], p.Register(0));
                    Assert.True(p.CrcErrors >= before);
                    break;
            }
        }

        FrameFuzz.AssertWithinBound(sw);
    }
}
