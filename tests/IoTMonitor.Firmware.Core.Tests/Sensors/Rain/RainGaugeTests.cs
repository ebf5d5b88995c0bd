using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Modbus;
using IoTMonitor.Firmware.Core.Sensors.Rain;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Sensors.Rain;

/// <summary>
/// The rain gauge drivers on the facts of their manuals: the PCF8593 event counter (NXP data sheet
/// Rev. 04: address 51h, control 00h with event-counter mode 20h, counts in BCD at 01h–03h, 00h after
/// power-on) and the Sonbus XM9505 RS485 gauge (its product page's query and answer frames).
/// </summary>
public sealed class RainGaugeTests
{
    [Fact]
    public void Tally_counts_the_difference_across_a_counter_wrap_and_restarts_per_boot()
    {
        var t = new TipTally();
        Assert.Equal(0, t.Take(999_990, false, 1_000_000)); // first read ever: reference only
        Assert.Equal(15, t.Take(5, false, 1_000_000));       // 10 to the wrap + 5 after it
        t.StartBoot();
        Assert.Equal(0, t.Tips);
        Assert.Equal(3, t.Take(8, false, 1_000_000));        // tips between the last read and the reset: new boot
        Assert.Equal(3, t.Take(1_000_000, false, 1_000_000)); // out of range: ignored
    }

    [Fact]
    public void Tally_takes_a_restarted_counter_as_counting_from_zero()
    {
        var t = new TipTally();
        t.Take(500, false, 65536);
        t.Take(510, false, 65536);
        Assert.Equal(12, t.Take(2, true, 65536));
    }

    [Fact]
    public void Pcf8593_reads_six_bcd_digits_from_01h_to_03h()
    {
        var bus = new FakeI2cBus(Pcf8593TipCounter.Address);
        bus.SetRegisters(0, 0x20, 0x45, 0x23, 0x01); // event-counter mode, count 012345
        var counter = new Pcf8593TipCounter(bus);
        Assert.Equal(ReadResult.Ok, counter.Read(out long count, out bool restarted));
        Assert.Equal(12345, count);
        Assert.False(restarted);
        Assert.Equal(1_000_000, counter.Modulus);
    }

    [Fact]
    public void Pcf8593_after_a_power_on_reset_is_set_to_event_counting_and_reports_the_restart()
    {
        var bus = new FakeI2cBus(Pcf8593TipCounter.Address);
        bus.SetRegisters(0, 0x00, 0x12, 0x34, 0x00); // 00h: the power-on state (32 kHz clock mode)
        var counter = new Pcf8593TipCounter(bus);
        Assert.Equal(ReadResult.Ok, counter.Read(out long count, out bool restarted));
        Assert.True(restarted);
        Assert.Equal(0, count);
        Assert.Equal(0x20, bus.Registers[0]);
        Assert.Equal(new byte[] { 0, 0, 0 }, bus.Registers[1..4]);

        Assert.Equal(ReadResult.Ok, counter.Read(out _, out restarted));
        Assert.False(restarted);
    }

    [Fact]
    public void Pcf8593_refuses_a_count_that_is_not_bcd_and_passes_bus_errors_on()
    {
        var bus = new FakeI2cBus(Pcf8593TipCounter.Address);
        bus.SetRegisters(0, 0x20, 0x4A, 0x00, 0x00);
        Assert.Equal(ReadResult.Fault, new Pcf8593TipCounter(bus).Read(out _, out _));
        bus.ForcedResult = ReadResult.NoResponse;
        Assert.Equal(ReadResult.NoResponse, new Pcf8593TipCounter(bus).Read(out _, out _));
    }

    [Fact]
    public void Gauge_reports_rain_since_boot_in_mm_per_tip()
    {
        var bus = new FakeI2cBus(Pcf8593TipCounter.Address);
        bus.SetRegisters(0, 0x20, 0x00, 0x00, 0x00);
        var tally = new TipTally();
        var gauge = new RainGaugeSensor(new Pcf8593TipCounter(bus), tally, 0.2);
        var raw = new double[1];
        Assert.Equal(ReadResult.Ok, gauge.Initialize());
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal(0, raw[0]);
        bus.SetRegisters(1, 0x62); // 62 tips
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal(12.4, raw[0], 9);
        Assert.Equal(ReadResult.Fault, new RainGaugeSensor(new Pcf8593TipCounter(bus), tally, 0).Initialize());
    }

    [Fact]
    public void Sonbus_xm9505_query_and_answer_are_the_manual_frames()
    {
        var uart = new FakeUart();
        byte[] answer = [0x01, 0x03, 0x02, 0x02, 0x18, 0xB9, 0x2E]; // 536 counts = 53.6 mm (manual)
        uart.OnWrite = (_, _, _) => uart.Feed(answer);
        var clock = new FakeClock();
        var counter = new ModbusTipCounter(uart, clock, RainGaugeMaps.SonbusXm9505(), 0);
        var gauge = new RainGaugeSensor(counter, new TipTally(), RainGaugeMaps.SonbusMmPerTip);
        var raw = new double[1];

        Assert.Equal(ReadResult.NotReady, gauge.Read(raw));
        Assert.Equal(new byte[] { 0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A }, uart.SentBytes());
        clock.Advance(20);
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal(0, raw[0]); // the first read ever is the reference
        Assert.Equal(65536, counter.Modulus);

        answer = Frame(0x01, 0x03, 0x02, 0x02, 0x2C); // 556: 20 tips later
        Assert.Equal(ReadResult.NotReady, gauge.Read(raw));
        clock.Advance(20);
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal(2.0, raw[0], 9);

        answer = Frame(0x01, 0x03, 0x02, 0x00, 0x04); // wrapped past 65535 to 4
        Assert.Equal(ReadResult.NotReady, gauge.Read(raw));
        clock.Advance(20);
        Assert.Equal(ReadResult.Ok, gauge.Read(raw));
        Assert.Equal((20 + 65536 - 556 + 4) * 0.1, raw[0], 6);
    }

    [Fact]
    public void Sonbus_map_is_marked_unconfirmed_and_reads_one_register()
    {
        ModbusRegisterMap map = RainGaugeMaps.SonbusXm9505();
        Assert.False(map.Confirmed);
        Assert.Equal(9600, map.Baud);
        Assert.Equal(1, map.Span);
        Assert.Equal(Quantities.RainTotal, map.Entries[0].Quantity);
    }

    [Fact]
    public void Catalog_builds_both_gauges_on_the_node_state_tally()
    {
        var buses = new StubBuses();
        var catalog = new SensorCatalog(buses, new FakeClock());
        var tally = new TipTally();
        catalog.RainTally = tally;
        var reed = new SensorConfig { Id = "rain", Kind = "rain-pcf8593", Quantities = [Quantities.RainTotal], Bus = 0, MmPerTip = 0.5 };
        var rs485 = new SensorConfig { Id = "rain", Kind = "rain-modbus", Quantities = [Quantities.RainTotal], Tx = 17, Rx = 16 };
        Assert.IsType<RainGaugeSensor>(SensorCatalog.DriverOf(catalog.Create(reed)));
        Assert.IsType<RainGaugeSensor>(SensorCatalog.DriverOf(catalog.Create(rs485)));
        Assert.Equal([Quantities.RainTotal], SensorCatalog.Layout(reed));
    }

    private static byte[] Frame(params byte[] body)
    {
        var f = new byte[body.Length + 2];
        body.CopyTo(f, 0);
        ModbusCrc16.Append(f, 0, body.Length);
        return f;
    }
}
