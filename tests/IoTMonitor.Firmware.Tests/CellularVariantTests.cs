using System.Globalization;
using System.Text.Json;
using IoTMonitor.Firmware.Board;
using IoTMonitor.Firmware.Core.Config;

namespace IoTMonitor.Firmware.Tests;

/// <summary>
/// The cellular variant of each node type: hardware/{type}/pinmap-cellular.csv (the modem's rows,
/// added to the node's pin map), the <c>cellular</c> section of config/{type}-cellular.json and the
/// app's Board/ModemPins agree exactly; the node's pin map plus the modem's rows satisfies the ESP32
/// rules (GPIO16/17 allowed: the variant fits the no-PSRAM WROOM-32E-N4 only); the modem's UART is one
/// no sensor holds while the modem talks.
/// </summary>
public class CellularVariantTests
{
    public static TheoryData<string> Types => new() { "water", "soil", "air" };

    private static string VariantConfigPath(string type) => RepoPaths.Combine("firmware", "IoTMonitor.Firmware", "config", type + "-cellular.json");

    private static List<PinRow> ModemRows(string type) => PinMapFile.Parse(File.ReadAllText(RepoPaths.Combine("hardware", type, "pinmap-cellular.csv")));

    private static int Port(PinRow row)
    {
        var m = System.Text.RegularExpressions.Regex.Match(row.Notes, @"^COM(\d)_(TX|RX)");
        Assert.True(m.Success, $"{row.Signal}: notes do not start with COMn_TX/RX");
        return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Pin_map_config_and_ModemPins_agree(string type)
    {
        var rows = ModemRows(type).ToDictionary(r => r.Signal);
        using var doc = JsonDocument.Parse(File.ReadAllText(VariantConfigPath(type)));
        var c = doc.RootElement.GetProperty("cellular");
        var pins = ModemPins.For(type);
        Assert.NotNull(pins);

        var fromMap = new[] { Port(rows["modem_tx"]), rows["modem_tx"].Gpio, rows["modem_rx"].Gpio, rows["modem_pwrkey"].Gpio, rows["modem_power_en"].Gpio, rows["modem_status"].Gpio };
        var fromConfig = new[] { "uart", "tx", "rx", "pwrkey", "powerEn", "status" }.Select(k => c.GetProperty(k).GetInt32()).ToArray();
        var fromBoard = new[] { pins.Uart, pins.Tx, pins.Rx, pins.PwrKey, pins.PowerEn, pins.Status };
        Assert.Equal(fromMap, fromConfig);
        Assert.Equal(fromMap, fromBoard);
        Assert.Equal(Port(rows["modem_tx"]), Port(rows["modem_rx"]));
        Assert.Equal("modem_tx", rows["modem_tx"].Function);
        Assert.Equal("modem_rx", rows["modem_rx"].Function);
        Assert.Equal("gpio_in", rows["modem_status"].Function);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Node_pins_plus_modem_pins_satisfy_the_esp32_rules(string type)
    {
        var all = PinMapFile.Read(type).Concat(ModemRows(type)).ToList();
        var problems = Esp32PinRules.Check(type + "-cellular", all, noPsramModule: true);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

        // The debugger keeps COM1. COM2 holds at most one user: a node with a COM2 sensor puts the modem
        // on COM3. COM3 is the 1-Wire bus; a modem there shares it in time (the wake samples, the app
        // closes the 1-Wire host, then the modem opens the port), which its notes must say.
        var modemTx = ModemRows(type).Single(r => r.Function == "modem_tx");
        int port = Port(modemTx);
        Assert.InRange(port, 2, 3);
        var base_ = PinMapFile.Read(type);
        if (port == 2)
        {
            Assert.DoesNotContain(base_, r => r.Function is "uart_tx" or "uart_rx" or "rs485_de");
        }
        else if (base_.Any(r => r.Function == "onewire"))
        {
            Assert.Contains("after the DS18B20 is read", modemTx.Notes, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_rules_reject_psram_pins_unless_the_board_is_no_psram_only()
    {
        var rows = PinMapFile.Parse(PinMapFile.Header + "\nmodem_pwrkey,16,gpio_out,modem,x\nmodem_tx,6,modem_tx,modem,COM2_TX flash pin\nmodem_rx,34,modem_rx,modem,COM2_RX\n");
        Assert.Contains(Esp32PinRules.Check("t", rows), p => p.Contains("modem_pwrkey (GPIO16): PSRAM pin", StringComparison.Ordinal));
        var n4 = Esp32PinRules.Check("t", rows, noPsramModule: true);
        Assert.DoesNotContain(n4, p => p.Contains("GPIO16", StringComparison.Ordinal));
        Assert.Contains(n4, p => p.Contains("modem_tx (GPIO6): SPI flash pin", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Variant_config_is_a_cellular_config_with_tls_for_the_core_parser(string type)
    {
        var bytes = File.ReadAllBytes(VariantConfigPath(type));
        var config = new DeviceConfig();
        Assert.Equal(ConfigError.None, new ConfigParser().ParseDevice(bytes, 0, bytes.Length, config));
        Assert.Equal(type, config.Type);
        Assert.True(config.Cellular);
        Assert.True(config.MqttTls);
        var pins = ModemPins.For(type);
        Assert.Equal(new[] { pins.Uart, pins.Tx, pins.Rx, pins.PwrKey, pins.PowerEn, pins.Status }, new[] { config.CellularUart, config.CellularTx, config.CellularRx, config.CellularPwrKey, config.CellularPowerEn, config.CellularStatus });
        Assert.Equal("I:\\ca.pem", config.CellularCa);

        // Same sensors and board as the Wi-Fi config of the type: only the link differs.
        using var variant = JsonDocument.Parse(bytes);
        using var wifi = JsonDocument.Parse(File.ReadAllBytes(ConfigPins.ConfigPath(type)));
        Assert.Equal(wifi.RootElement.GetProperty("sensors").GetRawText(), variant.RootElement.GetProperty("sensors").GetRawText());
        Assert.Equal(wifi.RootElement.GetProperty("board").GetRawText(), variant.RootElement.GetProperty("board").GetRawText());
    }

    [Fact]
    public void A_cellular_pin_out_of_range_is_a_bad_value()
    {
        var json = "{\"v\":1,\"device\":\"d\",\"site\":\"s\",\"type\":\"air\",\"cellular\":{\"modem\":\"simcom\",\"uart\":1},\"mqtt\":{\"host\":\"h\",\"port\":8883,\"user\":\"u\",\"password\":\"p\"},\"sensors\":[]}"u8.ToArray();
        var config = new DeviceConfig();
        Assert.Equal(ConfigError.BadValue, new ConfigParser().ParseDevice(json, 0, json.Length, config));
    }

    [Fact]
    public void Cellular_bom_lines_are_orderable()
    {
        var lines = File.ReadAllLines(RepoPaths.Combine("hardware", "common", "bom-cellular.csv"));
        Assert.Equal("part,manufacturer,mpn,second_source,quantity,description,unit_usd_1,unit_usd_10,unit_usd_100,price_date,price_basis,verified", lines[0]);
        var parts = new HashSet<string>();
        foreach (var l in lines.Skip(1).Where(l => l.Length > 0))
        {
            var c = BomTests.Csv(l);
            Assert.True(c.Count == 12, l);
            Assert.True(parts.Add(c[0]), "part twice: " + c[0]);
            Assert.False(string.IsNullOrWhiteSpace(c[1]) || string.IsNullOrWhiteSpace(c[2]) || string.IsNullOrWhiteSpace(c[3]), l);
            Assert.True(int.Parse(c[4], CultureInfo.InvariantCulture) > 0, l);
            var p = c.Skip(6).Take(3).Select(x => decimal.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            Assert.True(p[0] > 0 && p[0] >= p[1] && p[1] >= p[2], l);
            Assert.Contains(c[10], new[] { "estimate", "quote", "catalogue" });
            Assert.Contains(c[11], new[] { "datasheet", "suggestion" });
        }

        // What the pin maps wire must be on the list.
        foreach (var part in new[] { "cat1_module", "sim_holder", "lte_antenna", "modem_load_switch", "modem_bulk_cap", "level_shifter", "pwrkey_npn" })
        {
            Assert.Contains(part, parts);
        }
    }
}
