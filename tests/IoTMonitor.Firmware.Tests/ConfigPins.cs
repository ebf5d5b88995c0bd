using System.Text.Json;

namespace IoTMonitor.Firmware.Tests;

/// <summary>
/// One pin assignment in a normalised form that both a pin map and a device config yield:
/// role (the pin map function, with :tx/:rx for 1-Wire and :signal for outputs), GPIO, sensor id.
/// </summary>
public sealed record PinUse(string Role, int Gpio, string Sensor)
{
    public override string ToString() => $"{Role} GPIO{Gpio} for {Sensor}";
}

/// <summary>Normalises pin map rows and default device configs to <see cref="PinUse"/> sets.</summary>
public static class ConfigPins
{
    public static string ConfigPath(string type) => RepoPaths.Combine("firmware", "IoTMonitor.Firmware", "config", type + ".json");

    public static HashSet<PinUse> FromPinMap(IEnumerable<PinRow> rows)
    {
        var set = new HashSet<PinUse>();
        foreach (var r in rows)
        {
            string role = r.Function switch
            {
                "onewire" => r.Signal.EndsWith("_tx", StringComparison.Ordinal) ? "onewire:tx" : "onewire:rx",
                "gpio_out" => "gpio_out:" + r.Signal,
                _ => r.Function,
            };
            foreach (var s in r.Sensors)
            {
                set.Add(new PinUse(role, r.Gpio, s));
            }
        }

        return set;
    }

    /// <summary>
    /// Every pin the config assigns: sensor pin (ADC1), tx/rx (1-Wire for ds18b20, COM2 otherwise),
    /// I2C bus 1 users on board.i2c1 (the backup RTC, config rtc, as "rtc"), board.rs485De for modbus sensors, board.outputs, board.wake, board.rainInt (the rain counter's INT),
    /// board.battery.
    /// </summary>
    public static HashSet<PinUse> FromConfig(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var board = root.GetProperty("board");
        var set = new HashSet<PinUse>();
        foreach (var s in root.GetProperty("sensors").EnumerateArray())
        {
            string id = s.GetProperty("id").GetString()!;
            string kind = s.GetProperty("kind").GetString()!;
            if (s.TryGetProperty("pin", out var pin))
            {
                set.Add(new PinUse("adc1", pin.GetInt32(), id));
            }

            if (s.TryGetProperty("tx", out var tx))
            {
                set.Add(new PinUse(kind == "ds18b20" ? "onewire:tx" : "uart_tx", tx.GetInt32(), id));
            }

            if (s.TryGetProperty("rx", out var rx))
            {
                set.Add(new PinUse(kind == "ds18b20" ? "onewire:rx" : "uart_rx", rx.GetInt32(), id));
            }

            if (s.TryGetProperty("bus", out var bus))
            {
                Assert.Equal(1, bus.GetInt32());
                var i2c = board.GetProperty("i2c1");
                set.Add(new PinUse("i2c_sda", i2c.GetProperty("sda").GetInt32(), id));
                set.Add(new PinUse("i2c_scl", i2c.GetProperty("scl").GetInt32(), id));
            }

            if (kind == "modbus")
            {
                set.Add(new PinUse("rs485_de", board.GetProperty("rs485De").GetInt32(), id));
            }
        }

        if (root.TryGetProperty("rtc", out var rtc))
        {
            // The backup RTC (hardware/common/rtc-backup.md) on I2C bus 1 (docs/config.md: bus defaults to 1).
            Assert.Equal(1, rtc.TryGetProperty("bus", out var rtcBus) ? rtcBus.GetInt32() : 1);
            var i2c = board.GetProperty("i2c1");
            set.Add(new PinUse("i2c_sda", i2c.GetProperty("sda").GetInt32(), "rtc"));
            set.Add(new PinUse("i2c_scl", i2c.GetProperty("scl").GetInt32(), "rtc"));
        }

        foreach (var o in board.GetProperty("outputs").EnumerateArray())
        {
            foreach (var s in o.GetProperty("sensors").EnumerateArray())
            {
                set.Add(new PinUse("gpio_out:" + o.GetProperty("signal").GetString(), o.GetProperty("gpio").GetInt32(), s.GetString()!));
            }
        }

        set.Add(new PinUse("wake", board.GetProperty("wake").GetInt32(), "service_button"));
        if (board.TryGetProperty("rainInt", out var rainInt))
        {
            set.Add(new PinUse("wake", rainInt.GetInt32(), "rain"));
        }
        set.Add(new PinUse("adc1", board.GetProperty("battery").GetInt32(), "battery"));
        return set;
    }

    /// <summary>Human-readable difference; empty when equal.</summary>
    public static List<string> Diff(string node, ISet<PinUse> pinMap, ISet<PinUse> config)
    {
        var d = new List<string>();
        d.AddRange(pinMap.Except(config).OrderBy(u => u.Gpio).Select(u => $"{node}: pin map has {u}, default config does not"));
        d.AddRange(config.Except(pinMap).OrderBy(u => u.Gpio).Select(u => $"{node}: default config has {u}, pin map does not"));
        return d;
    }
}
