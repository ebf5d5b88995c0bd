using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Flow;
using IoTMonitor.Firmware.Core.Sensors.Modbus;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Flow;

/// <summary>
/// The TUF-2000 flow meter driver on the frames of the manual's register table: REG 0001–0072 read
/// with function 03, REAL4 and LONG low word first (docs/references.md "Flow measurement").
/// </summary>
public sealed class FlowMeterTests
{
    [Fact]
    public void The_query_reads_REG_0001_to_0072_and_the_answer_gives_flow_in_m3s_and_the_totaliser_in_m3()
    {
        var uart = new FakeUart();
        // 1517.4 m³/h (0x44BDACCD), positive accumulator 123456 m³ + 0.789 (0x3F49FBE7), no error.
        byte[] answer = Answer(flowBits: 0x44BDACCD, whole: 123456, fractionBits: 0x3F49FBE7, error: 0);
        uart.OnWrite = (_, _, _) => uart.Feed(answer);
        var clock = new FakeClock();
        var meter = new FlowMeterSensor(uart, clock, 0, FlowMeterSensor.FactoryFlowScale, 1.0);
        var raw = new double[2];

        Assert.Equal(ReadResult.Ok, meter.Initialize());
        Assert.Equal(ReadResult.NotReady, meter.Read(raw));
        // 01 03 0000 0048 + CRC: slave 1, read holding registers, 72 registers from address 0
        Assert.Equal(new byte[] { 0x01, 0x03, 0x00, 0x00, 0x00, 0x48, 0x45, 0xFC }, uart.SentBytes());
        clock.Advance(200);
        Assert.Equal(ReadResult.Ok, meter.Read(raw));
        Assert.Equal(1517.4 / 3600, raw[FlowMeterSensor.RateChannel], 7);
        Assert.Equal(123456.789, raw[FlowMeterSensor.TotalChannel], 5);
    }

    [Fact]
    public void The_flow_rate_alone_is_the_first_two_registers()
    {
        // The query for the flow rate alone, REG 0001–0002: 01 03 00 00 00 02 and the CRC C4 0B (Modbus over Serial Line V1.02 §2.5.1.2).
        var buffer = new byte[8];
        ModbusFrames.WriteReadRequest(buffer, 1, ModbusFrames.ReadHoldingRegisters, Tuf2000Registers.FlowRate, 2);
        Assert.Equal(new byte[] { 0x01, 0x03, 0x00, 0x00, 0x00, 0x02, 0xC4, 0x0B }, buffer);
    }

    [Theory]
    [InlineData(0x0000, 0x3F80, 1.0)]
    [InlineData(0x0000, 0xC2F6, -123.0)]
    [InlineData(0xACCD, 0x44BD, 1517.4000244140625)]
    [InlineData(0x0000, 0x0000, 0.0)]
    [InlineData(0x0001, 0x0000, 1.401298464324817E-45)]
    public void REAL4_is_IEEE_single_with_the_low_word_first(int low, int high, double expected)
    {
        Assert.Equal(expected, Tuf2000Registers.Real4(low, high));
        Assert.Equal((double)BitConverter.Int32BitsToSingle((high << 16) | low), Tuf2000Registers.Real4(low, high));
    }

    [Fact]
    public void REAL4_infinity_and_NaN_are_not_numbers_and_LONG_is_signed()
    {
        Assert.True(double.IsNaN(Tuf2000Registers.Real4(0x0000, 0x7F80)));
        Assert.True(double.IsNaN(Tuf2000Registers.Real4(0x0001, 0x7FC0)));
        Assert.Equal(-1, Tuf2000Registers.Long(0xFFFF, 0xFFFF));
        Assert.Equal(65536, Tuf2000Registers.Long(0x0000, 0x0001));
        Assert.Equal(int.MaxValue, Tuf2000Registers.Long(0xFFFF, 0x7FFF));
    }

    [Fact]
    public void A_meter_error_code_still_gives_values_marked_as_a_fault()
    {
        var uart = new FakeUart();
        byte[] answer = Answer(flowBits: 0, whole: 5000, fractionBits: 0, error: 0x0008); // bit 3: pipe empty
        uart.OnWrite = (_, _, _) => uart.Feed(answer);
        var clock = new FakeClock();
        var meter = new FlowMeterSensor(uart, clock, 1, FlowMeterSensor.FactoryFlowScale, 1.0);
        var raw = new double[2];
        meter.Initialize();
        meter.Read(raw);
        clock.Advance(200);
        Assert.Equal(ReadResult.FaultWithValue, meter.Read(raw));
        Assert.Equal(8, meter.LastErrorCode);
        Assert.Equal(5000, raw[FlowMeterSensor.TotalChannel]);
        Assert.Equal(0, raw[FlowMeterSensor.RateChannel]);
    }

    [Fact]
    public void A_NaN_flow_register_or_a_fraction_outside_0_1_is_out_of_range()
    {
        foreach (var (flow, fraction) in new[] { (0x7FC00000u, 0u), (0u, 0x3F800000u) })
        {
            var uart = new FakeUart();
            byte[] answer = Answer(flow, 10, fraction, 0);
            uart.OnWrite = (_, _, _) => uart.Feed(answer);
            var clock = new FakeClock();
            var meter = new FlowMeterSensor(uart, clock, 1, FlowMeterSensor.FactoryFlowScale, 1.0);
            var raw = new double[2];
            meter.Initialize();
            meter.Read(raw);
            clock.Advance(200);
            Assert.Equal(ReadResult.OutOfRange, meter.Read(raw));
        }
    }

    [Fact]
    public void A_bad_CRC_or_silence_is_reported_as_such()
    {
        var uart = new FakeUart();
        byte[] answer = Answer(0x3F800000, 1, 0, 0);
        answer[^1] ^= 0xFF;
        uart.OnWrite = (_, _, _) => uart.Feed(answer);
        var clock = new FakeClock();
        var meter = new FlowMeterSensor(uart, clock, 1, FlowMeterSensor.FactoryFlowScale, 1.0);
        var raw = new double[2];
        meter.Initialize();
        meter.Read(raw);
        clock.Advance(200);
        Assert.Equal(ReadResult.BadCrc, meter.Read(raw));

        var silent = new FlowMeterSensor(new FakeUart(), clock, 1, FlowMeterSensor.FactoryFlowScale, 1.0);
        silent.Initialize();
        Assert.Equal(ReadResult.NotReady, silent.Read(raw));
        clock.Advance(ModbusRtuMaster.DefaultTimeoutMs + 1);
        Assert.Equal(ReadResult.NoResponse, silent.Read(raw));
    }

    [Fact]
    public void Bad_scales_or_slave_refuse_to_initialise()
    {
        Assert.Equal(ReadResult.Fault, new FlowMeterSensor(new FakeUart(), new FakeClock(), 1, 0, 1).Initialize());
        Assert.Equal(ReadResult.Fault, new FlowMeterSensor(new FakeUart(), new FakeClock(), 300, 1, 1).Initialize());
        Assert.Equal(ReadResult.NotInitialized, new FlowMeterSensor(new FakeUart(), new FakeClock(), 1, 1, 1).Read(new double[2]));
    }

    [Fact]
    public void Catalog_builds_the_meter_with_both_flow_quantities()
    {
        var catalog = new SensorCatalog(new StubBuses(), new FakeClock());
        var entry = new SensorConfig { Id = "meter", Kind = "flow-tuf2000", Quantities = [Quantities.FlowTotal, Quantities.FlowRate], Tx = 17, Rx = 16 };
        Assert.IsType<FlowMeterSensor>(SensorCatalog.DriverOf(catalog.Create(entry)));
        Assert.Equal([Quantities.FlowRate, Quantities.FlowTotal], SensorCatalog.Layout(entry));
        Assert.Equal("flow.rate", Quantities.Code(Quantities.FlowRate));
        Assert.Equal(4, Quantities.Decimals(Quantities.FlowRate));
        Assert.Equal("flow.total", Quantities.Code(Quantities.FlowTotal));
    }

    // A reply of 72 registers: REAL4/LONG at their addresses, low word first; the rest 0.
    private static byte[] Answer(uint flowBits, int whole, uint fractionBits, int error)
    {
        var regs = new int[Tuf2000Registers.Span];
        regs[Tuf2000Registers.FlowRate] = (int)(flowBits & 0xFFFF);
        regs[Tuf2000Registers.FlowRate + 1] = (int)(flowBits >> 16);
        regs[Tuf2000Registers.PositiveAccumulator] = whole & 0xFFFF;
        regs[Tuf2000Registers.PositiveAccumulator + 1] = (whole >> 16) & 0xFFFF;
        regs[Tuf2000Registers.PositiveFraction] = (int)(fractionBits & 0xFFFF);
        regs[Tuf2000Registers.PositiveFraction + 1] = (int)(fractionBits >> 16);
        regs[Tuf2000Registers.ErrorCode] = error;
        var f = new byte[3 + (2 * regs.Length) + 2];
        f[0] = 0x01;
        f[1] = 0x03;
        f[2] = (byte)(2 * regs.Length);
        for (int i = 0; i < regs.Length; i++)
        {
            f[3 + (2 * i)] = (byte)(regs[i] >> 8);
            f[4 + (2 * i)] = (byte)regs[i];
        }

        ModbusCrc16.Append(f, 0, f.Length - 2);
        return f;
    }
}
