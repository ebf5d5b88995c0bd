using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sampling;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Sensors.Scd4x;
using IoTMonitor.Firmware.Core.Time;
using IoTMonitor.Firmware.Host.Sensors;

namespace IoTMonitor.Firmware.Host.Tests.Sensors;

/// <summary>
/// The air node's 3V3_SENS rail (GPIO25: BME280 + SCD41, hardware/air/pinmap.csv) on the host model:
/// simulated devices that refuse transfers before their datasheet start-up (SCD41 1000 ms, §3.1;
/// BME280 2 ms, Table 1), an SCD41 whose first shot after power-up is off, and the core's real
/// drivers (SensorCatalog) and sampler. The rail is switched on when the drivers are built, as the
/// ESP32 app's SensorFactory does.
/// </summary>
public sealed class RailSettle_Tests
{
    private const long Utc = 1_764_316_800;
    private const double TrueCo2 = 427;

    private sealed class StepClock : IClock
    {
        public long Millis { get; private set; }

        public long UtcSeconds => Utc + (Millis / 1000);

        public void Sleep(int ms) => Millis += ms;
    }

    private sealed class Buses(SimulatedI2cBus i2c) : IBusProvider
    {
        public IAnalogInput? Analog(int pin) => null;

        public II2cBus? I2c(int bus) => bus == 1 ? i2c : null;

        public IUart? Uart(int tx, int rx, int baudRate) => null;

        public IOneWireBus? OneWire(int tx, int rx) => null;
    }

    // Builds each driver through the core catalog and switches the sensor's rail on, like the ESP32 app.
    private sealed class RailFactory(SensorCatalog catalog, SimulatedRail rail) : ISensorFactory
    {
        public ISensor Create(SensorConfig config)
        {
            var s = catalog.Create(config);
            rail.Set(true);
            return s;
        }
    }

    private static (Sampler, StepClock, SimulatedRail, SimulatedScd41, RailPoweredI2cDevice) AirRail()
    {
        var clock = new StepClock();
        var rail = new SimulatedRail(() => clock.Millis);
        var bus = new SimulatedI2cBus();
        var scd = new SimulatedScd41(rail, () => TrueCo2);
        var bme = new RailPoweredI2cDevice(new SimulatedBme280(() => Utc, _ => (21.5, 1003.0, 48.0)), rail, startUpMs: 2);
        bus.Attach(Scd4xCommand.Address, scd);
        bus.Attach(0x76, bme);
        var configs = new[]
        {
            new SensorConfig { Id = "bme", Kind = "bme280", Quantities = [Quantities.AirTemp, Quantities.AirRh, Quantities.AirPressure], Bus = 1, Address = 0x76, Samples = 3 },
            new SensorConfig { Id = "co2", Kind = "scd4x", Quantities = [Quantities.AirCo2], Bus = 1, Address = 0x62, Samples = 1, WarmupMs = 5000 },
        };
        var sampler = new Sampler();
        sampler.Bind(configs, new RailFactory(new SensorCatalog(new Buses(bus), clock), rail));
        return (sampler, clock, rail, scd, bme);
    }

    [Fact]
    public void No_transfer_reaches_a_sensor_before_its_start_up_and_the_scd41s_first_shot_is_dropped()
    {
        var (sampler, clock, rail, scd, bme) = AirRail();
        Assert.True(rail.IsOn);
        sampler.StartAll(clock);
        sampler.WarmUp(clock, 60_000);
        var r = new Reading[4];
        int n = sampler.SampleAll(clock, clock.UtcSeconds, (int)clock.Millis, r, 0);

        Assert.Equal(4, n);
        Assert.Equal(0, scd.RefusedBeforeIdle);
        Assert.Equal(0, scd.RefusedWhileMeasuring);
        Assert.Equal(0, bme.RefusedBeforeStartUp);
        Assert.Equal(2, scd.ShotsSincePowerUp); // one dropped, one kept
        Assert.Equal(TrueCo2, r[3].Value); // not TrueCo2 + FirstShotErrorPpm
        Assert.Equal(0, r[3].Flags);
        Assert.Equal(21.5, r[0].Value, 1);
        Assert.Equal(0, r[0].Flags & QualityFlags.NoValue);
    }

    [Fact]
    public void Sensors_sharing_the_rail_settle_together_the_wake_waits_once()
    {
        var (sampler, clock, rail, _, _) = AirRail();
        sampler.StartAll(clock);
        sampler.WarmUp(clock, 60_000);

        // Power-up 1000 ms, then two 5 s shots (+ the 1 ms read-out of the dropped one): the BME280's
        // 2 ms start-up and 10 ms measurement run inside it, not after it.
        Assert.InRange(clock.Millis, 11_000, 11_100);
        Assert.Equal(1, rail.SwitchOns);
    }

    [Fact]
    public void The_model_refuses_a_driver_that_does_not_wait_for_the_power_up()
    {
        // What the node did before the settle work: the SCD41 addressed as soon as its rail is on.
        var (_, clock, rail, scd, _) = AirRail();
        var bus = new SimulatedI2cBus();
        bus.Attach(Scd4xCommand.Address, scd);
        var driver = new Scd4xSensor(bus, clock);
        Assert.Equal(ReadResult.Ok, driver.Initialize());
        Assert.Equal(ReadResult.NoResponse, driver.Start());
        Assert.Equal(1, scd.RefusedBeforeIdle);
        clock.Sleep(1000);
        Assert.Equal(ReadResult.Ok, driver.Start());
        Assert.True(rail.IsOn);
    }
}
