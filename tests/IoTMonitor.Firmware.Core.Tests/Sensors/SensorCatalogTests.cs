using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sampling;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Analog;
using IoTMonitor.Firmware.Core.Sensors.Bme280;
using IoTMonitor.Firmware.Core.Sensors.Calibration;
using IoTMonitor.Firmware.Core.Sensors.Ds18b20;
using IoTMonitor.Firmware.Core.Sensors.Modbus;
using IoTMonitor.Firmware.Core.Sensors.Pms5003;
using IoTMonitor.Firmware.Core.Sensors.Scd4x;
using IoTMonitor.Firmware.Core.Sensors.Sds011;
using IoTMonitor.Firmware.Core.Tests.Fakes;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;
using FakeClock = IoTMonitor.Firmware.Core.Tests.Fakes.FakeClock;

namespace IoTMonitor.Firmware.Core.Tests.Sensors;

public class SensorCatalogTests
{
    private static SensorConfig Entry(string kind, params int[] quantities) =>
        new() { Id = kind, Kind = kind, Quantities = quantities, Pin = 36, Bus = 1, Tx = 23, Rx = 13 };

    public static TheoryData<string, int, Type> Kinds => new()
    {
        { "analog", Quantities.WaterPh, typeof(PhProbe) },
        { "analog", Quantities.WaterEc, typeof(EcProbe) },
        { "analog", Quantities.WaterTds, typeof(EcProbe) },
        { "analog", Quantities.WaterTurbidity, typeof(TurbidityProbe) },
        { "analog", Quantities.WaterDo, typeof(DissolvedOxygenProbe) },
        { "analog", Quantities.WaterLevel, typeof(CurrentLoopLevelProbe) },
        { "analog", Quantities.SoilMoisture, typeof(SoilMoistureProbe) },
        { "battery", Quantities.DeviceBattery, typeof(BatteryDivider) },
        { "ds18b20", Quantities.WaterTemp, typeof(Ds18b20Sensor) },
        { "ds18b20", Quantities.SoilTemp, typeof(Ds18b20Sensor) },
        { "bme280", Quantities.AirTemp, typeof(Bme280Sensor) },
        { "scd4x", Quantities.AirCo2, typeof(Scd4xSensor) },
        { "pms5003", Quantities.AirPm25, typeof(Pms5003Sensor) },
        { "sds011", Quantities.AirPm25, typeof(Sds011Sensor) },
        { "modbus", Quantities.SoilEc, typeof(ModbusProbeSensor) },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_gets_its_driver_and_the_layout_matches_the_drivers_channels(string kind, int quantity, Type expected)
    {
        var c = Entry(kind, quantity);
        var sensor = new SensorCatalog(new StubBuses(), new StubBuses()).Create(c);
        Assert.NotNull(sensor);
        var driver = SensorCatalog.DriverOf(sensor);
        var actual = driver is AnalogProbeSensor a ? a.Probe.GetType() : driver.GetType();
        Assert.Equal(expected, actual);

        int[] layout = SensorCatalog.Layout(c);
        Assert.Equal(driver.ChannelCount, layout.Length);
        int first = sensor is ChannelMap m ? m.ChannelOf(0) : 0; // the configured quantity is what channel 0 reads
        Assert.Equal(quantity, layout[first]);
    }

    [Fact]
    public void No_driver_for_unknown_kinds_missing_buses_or_pins_and_never_an_exception()
    {
        var buses = new StubBuses { HasI2c = false };
        buses.MissingAnalog.Add(25);
        var catalog = new SensorCatalog(buses, buses);
        Assert.Null(catalog.Create(Entry("scd30", Quantities.AirCo2)));
        Assert.Null(catalog.Create(Entry("orp-probe", Quantities.WaterPh)));
        Assert.Null(catalog.Create(Entry("bme280", Quantities.AirTemp)));
        Assert.Null(catalog.Create(Entry("analog", Quantities.AirCo2))); // no analog probe yields CO2
        Assert.Null(catalog.Create(new SensorConfig { Id = "ph", Kind = "analog", Quantities = [Quantities.WaterPh], Pin = 25 }));
        Assert.Null(catalog.Create(new SensorConfig { Id = "ph", Kind = "analog", Quantities = [Quantities.WaterPh] })); // no pin
        Assert.Null(catalog.Create(new SensorConfig { Id = "x", Kind = null!, Quantities = [Quantities.WaterPh] }));
        Assert.DoesNotContain("adc -1", buses.Requests);
    }

    [Fact]
    public void The_modbus_probe_serves_the_configured_subset_by_code_not_by_position()
    {
        // The ESP32 soil config asks the 7-in-1 probe for EC, N, P, K only: channels 2, 4, 5, 6 of its map.
        var c = Entry("modbus", Quantities.SoilEc, Quantities.SoilN, Quantities.SoilP, Quantities.SoilK);
        var buses = new StubBuses();
        var sensor = new SensorCatalog(buses, buses).Create(c);
        var map = Assert.IsType<ChannelMap>(sensor);
        Assert.IsType<ModbusProbeSensor>(map.Driver);
        Assert.Equal([2, 4, 5, 6], Enumerable.Range(0, 4).Select(map.ChannelOf));
        Assert.Contains("uart 23/13 4800", buses.Requests);

        var driver = new FakeSensor(7) { Values = [23.5, 11.2, 845, 6.8, 37, 12, 104] };
        var fitted = ChannelMap.Fit(driver, SensorCatalog.Layout(c), c.Quantities);
        var raw = new double[4];
        Assert.Equal(ReadResult.Ok, fitted.Read(raw));
        Assert.Equal([845.0, 37, 12, 104], raw);
    }

    [Fact]
    public void A_channel_map_passes_the_driver_through_when_the_config_is_its_order_and_reads_without_allocating()
    {
        var driver = new FakeSensor(3) { Values = [21.5, 40, 1013] };
        int[] layout = [Quantities.AirTemp, Quantities.AirRh, Quantities.AirPressure];
        Assert.Same(driver, ChannelMap.Fit(driver, layout, [Quantities.AirTemp, Quantities.AirRh]));
        Assert.Same(driver, ChannelMap.Fit(driver, null!, [Quantities.AirPressure]));

        var map = ChannelMap.Fit(driver, layout, [Quantities.AirPressure, Quantities.AirCo2, Quantities.AirTemp]);
        var raw = new double[3];
        map.Initialize();
        map.Start();
        map.Read(raw);
        Assert.Equal(1013, raw[0]);
        Assert.True(double.IsNaN(raw[1])); // not a BME280 quantity: NO_VALUE downstream
        Assert.Equal(21.5, raw[2]);
        driver.ReadResult = ReadResult.NoResponse;
        raw[0] = -1;
        Assert.Equal(ReadResult.NoResponse, map.Read(raw));
        Assert.Equal(-1, raw[0]); // nothing written without a value
        driver.ReadResult = ReadResult.Ok;

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            map.Read(raw);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        map.Sleep();
        Assert.True(driver.Asleep);
    }

    [Fact]
    public void A_probe_behind_a_channel_map_is_still_calibrated_compensated_and_sends_raw()
    {
        // TDS listed before EC: the sampler reaches the EC probe through the map.
        var temp = new SensorConfig { Id = "t", Kind = "ds18b20", Quantities = [Quantities.WaterTemp], Samples = 1 };
        var ec = new SensorConfig
        {
            Id = "ec",
            Kind = "analog",
            Pin = 39,
            Quantities = [Quantities.WaterTds, Quantities.WaterEc],
            Samples = 1,
            Calibration = new CalibrationRecord("cal-ec", CalibrationKind.Ec, [0.2317], [1413], 1, 0.02, 25, 0),
        };
        var buses = new StubBuses();
        var catalog = new SensorCatalog(buses, buses);
        var factory = new FakeSensorFactory();
        factory.ById["t"] = new FakeSensor(1) { Values = [15.0] };
        factory.Drivers["ec"] = catalog.Create(ec)!;
        var sampler = new Sampler();
        sampler.Bind([temp, ec], factory);
        var clock = new FakeClock(1_764_316_800);
        sampler.StartAll(clock);
        var r = new Reading[3];
        sampler.SampleAll(clock, 1_764_316_800, 10_000, r, 0);

        Assert.Equal(CalibrationResult.Ok, sampler.CalibrationOf(1));
        var probe = new EcProbe(EcCurve.Dfr0300) { TemperatureC = 15.0 };
        probe.Apply(ec.Calibration);
        var expected = new double[2];
        probe.Convert(1.5, expected); // the stub pin reads 1.5 V
        Assert.Equal((expected[1], expected[0]), (r[1].Value, r[2].Value));
        Assert.Equal((1.5, 1.5), (r[1].Raw, r[2].Raw));
        Assert.Equal((0, 0), (r[1].Flags, r[2].Flags));
    }
}
