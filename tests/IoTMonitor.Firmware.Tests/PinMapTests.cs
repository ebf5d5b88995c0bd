using System.Text.Json;
using IoTMonitor.Firmware.Board;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Tests;

/// <summary>
/// Issue 9 part 4: hardware/{type}/pinmap.csv, the firmware's default config
/// (firmware/IoTMonitor.Firmware/config/{type}.json) and the app's BoardPins agree exactly, and
/// every pin satisfies the ESP32 constraints of <see cref="Esp32PinRules"/>.
/// </summary>
public class PinMapTests
{
    public static TheoryData<string> Types => new() { "water", "soil", "air" };

    [Theory]
    [MemberData(nameof(Types))]
    public void Pin_map_and_default_config_agree(string type)
    {
        var fromMap = ConfigPins.FromPinMap(PinMapFile.Read(type));
        var fromConfig = ConfigPins.FromConfig(File.ReadAllText(ConfigPins.ConfigPath(type)));
        var diff = ConfigPins.Diff(type, fromMap, fromConfig);
        Assert.True(diff.Count == 0, string.Join(Environment.NewLine, diff));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Pin_map_satisfies_the_esp32_rules(string type)
    {
        var problems = Esp32PinRules.Check(type, PinMapFile.Read(type));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void BoardPins_match_the_config_board_section(string type)
    {
        var b = BoardPins.For(type);
        Assert.NotNull(b);
        using var doc = JsonDocument.Parse(File.ReadAllText(ConfigPins.ConfigPath(type)));
        var board = doc.RootElement.GetProperty("board");
        Assert.Equal(board.GetProperty("battery").GetInt32(), b.Battery);
        Assert.Equal(board.GetProperty("wake").GetInt32(), b.Wake);
        Assert.Equal(board.TryGetProperty("rainInt", out var rainInt) ? rainInt.GetInt32() : -1, b.RainInt);
        Assert.Equal(board.TryGetProperty("rs485De", out var de) ? de.GetInt32() : -1, b.Rs485De);
        Assert.Equal(board.TryGetProperty("i2c1", out var i2c) ? i2c.GetProperty("sda").GetInt32() : -1, b.I2cSda);
        Assert.Equal(board.TryGetProperty("i2c1", out i2c) ? i2c.GetProperty("scl").GetInt32() : -1, b.I2cScl);
        var expected = board.GetProperty("outputs").EnumerateArray()
            .Select(o => $"{o.GetProperty("signal").GetString()}={o.GetProperty("gpio").GetInt32()}:{string.Join(";", o.GetProperty("sensors").EnumerateArray().Select(s => s.GetString()))}")
            .ToArray();
        var actual = b.Outputs.Select(o => $"{o.Signal}={o.Gpio}:{string.Join(";", o.Sensors)}").ToArray();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Default_config_is_accepted_by_the_core_parser(string type)
    {
        var bytes = File.ReadAllBytes(ConfigPins.ConfigPath(type));
        var config = new DeviceConfig();
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(bytes, 0, bytes.Length, config));
        Assert.Equal(type, config.Type);
        Assert.NotEmpty(config.Sensors);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Every_sensor_of_the_default_config_gets_a_driver_from_the_core_catalog(string type)
    {
        // The ESP32 app hands its buses to the core's SensorCatalog (checked below), so running the
        // catalog on stub buses shows what the node builds for each entry.
        var bytes = File.ReadAllBytes(ConfigPins.ConfigPath(type));
        var config = new DeviceConfig();
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(bytes, 0, bytes.Length, config));
        var buses = new StubBuses();
        var catalog = new SensorCatalog(buses, buses);
        foreach (var s in config.Sensors)
        {
            Assert.True(catalog.Create(s) is not null, $"{type}: {s.Id} (kind '{s.Kind}') gets no driver");
        }
    }

    [Fact]
    public void The_esp32_app_builds_no_driver_itself_but_hands_its_buses_to_the_catalog()
    {
        // The app uses nanoFramework types, so this is checked by source: no constructor of a core
        // driver or probe anywhere in the app, and its factory and buses are the catalog's.
        var core = typeof(SensorCatalog).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && (typeof(ISensor).IsAssignableFrom(t) || typeof(IoTMonitor.Firmware.Core.Sensors.Analog.IAnalogProbe).IsAssignableFrom(t)))
            .Select(t => t.Name)
            .ToList();
        Assert.Contains("Ds18b20Sensor", core);
        Assert.Contains("PhProbe", core);
        var app = RepoPaths.Combine("firmware", "IoTMonitor.Firmware");
        foreach (var file in Directory.EnumerateFiles(app, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            foreach (var name in core)
            {
                Assert.False(text.Contains("new " + name + "(", StringComparison.Ordinal), $"{Path.GetFileName(file)} builds {name} itself");
            }
        }

        Assert.Contains("new SensorCatalog(", File.ReadAllText(Path.Combine(app, "SensorFactory.cs")), StringComparison.Ordinal);
        Assert.Contains(": IBusProvider", File.ReadAllText(Path.Combine(app, "Esp32Buses.cs")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_deliberately_bad_pin_map_fails_every_rule()
    {
        const string bad = PinMapFile.Header + "\n" +
            "ph_analog,26,adc1,ph,ADC2 channel 19\n" +                           // ADC2
            "ec_analog,39,adc1,ec,ADC1_CH0 (wrong channel named)\n" +           // wrong channel in notes
            "rail_en,34,gpio_out,ph,output on an input-only pin\n" +            // input-only
            "boot_led,12,gpio_out,ph,strapping\n" +                             // strapping
            "flash_out,7,gpio_out,ph,flash\n" +                                 // SPI flash
            "psram_out,16,gpio_out,ph,psram\n" +                                // PSRAM
            "dbg_tx,1,uart_tx,probe,COM1\n" +                                   // debugger
            "probe_rx,13,uart_rx,probe,COM2_RX\n" +
            "pms_rx,23,uart_rx,pms,second COM2 user\n" +                       // two COM2 users, two RX
            "wake_button,22,wake,service_button,not RTC\n" +                    // not wake-capable
            "i2c_sda,21,i2c_sda,bme280,non-default SDA\n" +                     // I2C not on defaults
            "i2c_scl,19,i2c_scl,bme280,I2C1 default\n" +
            "onewire_tx,21,onewire,temp,COM3_TX\n" +                            // GPIO21 twice; no RX
            "ghost,24,gpio_out,ph,no such pin\n" +                              // nonexistent GPIO
            "weird,25,pwm,ph,unknown function\n";
        var problems = Esp32PinRules.Check("bad", PinMapFile.Parse(bad));
        string all = string.Join(Environment.NewLine, problems);

        void Expect(string signalAndWhy) => Assert.True(problems.Any(p => p.Contains(signalAndWhy, StringComparison.Ordinal)), "missing: " + signalAndWhy + Environment.NewLine + all);
        Expect("ph_analog (GPIO26): analog input not on ADC1");
        Expect("ec_analog (GPIO39): notes do not name ADC1 channel 3");
        Expect("rail_en (GPIO34): driven function on an input-only pin");
        Expect("boot_led (GPIO12): strapping pin");
        Expect("flash_out (GPIO7): SPI flash pin");
        Expect("psram_out (GPIO16): PSRAM pin");
        Expect("dbg_tx (GPIO1): COM1 debugger pin");
        Expect("wake_button (GPIO22): wake function on a pin that cannot wake");
        Expect("i2c_sda (GPIO21): I2C1 SDA not on the firmware default 18");
        Expect("ghost (GPIO24): no such GPIO");
        Expect("weird (GPIO25): unknown function 'pwm'");
        Expect("GPIO21 used more than once");
        Expect("1-Wire needs exactly one TX and one RX");
        Expect("more than one COM2 user");
        Expect("COM2 needs exactly one uart_tx and one uart_rx");
    }

    [Fact]
    public void A_pin_map_edit_the_config_does_not_follow_is_reported()
    {
        // Move the water node's level input from GPIO33 to GPIO37 in the map only.
        var rows = PinMapFile.Read("water").Select(r => r.Signal == "level_analog" ? r with { Gpio = 37, Notes = "ADC1_CH1" } : r).ToList();
        var diff = ConfigPins.Diff("water", ConfigPins.FromPinMap(rows), ConfigPins.FromConfig(File.ReadAllText(ConfigPins.ConfigPath("water"))));
        Assert.Contains("water: pin map has adc1 GPIO37 for level, default config does not", diff);
        Assert.Contains("water: default config has adc1 GPIO33 for level, pin map does not", diff);
    }

    [Fact]
    public void A_config_edit_the_pin_map_does_not_follow_is_reported()
    {
        var json = File.ReadAllText(ConfigPins.ConfigPath("soil")).Replace("\"rs485De\": 14", "\"rs485De\": 15", StringComparison.Ordinal);
        var diff = ConfigPins.Diff("soil", ConfigPins.FromPinMap(PinMapFile.Read("soil")), ConfigPins.FromConfig(json));
        Assert.Contains("soil: default config has rs485_de GPIO15 for soil_probe, pin map does not", diff);
    }
}
