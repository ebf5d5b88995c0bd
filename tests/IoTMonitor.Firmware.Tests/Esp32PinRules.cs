namespace IoTMonitor.Firmware.Tests;

/// <summary>One row of hardware/{type}/pinmap.csv (header signal,gpio,function,sensor,notes).</summary>
public sealed record PinRow(string Signal, int Gpio, string Function, string[] Sensors, string Notes);

/// <summary>
/// The classic-ESP32 pin constraints, in one place, with where each comes from:
/// the ESP32 Series Datasheet pin description and ADC channel table and Hardware.Esp32 Sleep wake pins
/// (docs/references.md, "nanoFramework class libraries"); hardware/pinmaps.md "Rules a test can check" (module WROOM-32E-N4).
/// <see cref="Check"/> returns one message per violation; an empty list means the map is valid.
/// </summary>
public static class Esp32PinRules
{
    /// <summary>Functions a pin map row may have (pinmaps.md rule 1).</summary>
    public static readonly string[] Functions =
        ["adc1", "i2c_sda", "i2c_scl", "uart_tx", "uart_rx", "rs485_de", "onewire", "gpio_out", "gpio_in", "wake", "modem_tx", "modem_rx"];

    /// <summary>Functions that drive the pin (pinmaps.md rule 3).</summary>
    public static readonly string[] Driven = ["gpio_out", "uart_tx", "rs485_de", "onewire", "i2c_sda", "i2c_scl", "modem_tx"];

    /// <summary>ADC1 GPIO → AdcController channel (§6). ADC2 (channels 10–19) fails while WiFi is on.</summary>
    public static readonly IReadOnlyDictionary<int, int> Adc1Channel = new Dictionary<int, int>
    {
        [36] = 0,
        [37] = 1,
        [38] = 2,
        [39] = 3,
        [32] = 4,
        [33] = 5,
        [34] = 6,
        [35] = 7,
    };

    /// <summary>GPIO 34–39: input only, no internal pulls (§4).</summary>
    public static readonly int[] InputOnly = [34, 35, 36, 37, 38, 39];

    /// <summary>Strapping pins (§4): 0, 2, 5, 12 (MTDI, must be low at boot with 3.3 V flash), 15 (MTDO).</summary>
    public static readonly int[] Strapping = [0, 2, 5, 12, 15];

    /// <summary>
    /// Strapping pins a map may use anyway, with the reason. Empty: no node needs one. (GPIO4, the
    /// wake button, is not a strapping pin on the classic ESP32 per §4, so it needs no exception.)
    /// </summary>
    public static readonly IReadOnlyDictionary<int, string> StrappingExceptions = new Dictionary<int, string>();

    /// <summary>GPIO 6–11: SPI flash (§4).</summary>
    public static readonly int[] Flash = [6, 7, 8, 9, 10, 11];

    /// <summary>GPIO 16/17: PSRAM on WROVER (GPIO16 on WROOM-32E with PSRAM) (§4); avoided so maps hold on PSRAM boards.</summary>
    public static readonly int[] Psram = [16, 17];

    /// <summary>GPIO 1/3: COM1 = UART0, carries the debugger (§4).</summary>
    public static readonly int[] Debugger = [1, 3];

    /// <summary>Deep-sleep wake-capable pins of the classic ESP32 (§4, Sleep.WakeupGpioPin).</summary>
    public static readonly int[] WakeCapable = [0, 2, 4, 12, 13, 14, 15, 25, 26, 27, 32, 33, 34, 35, 36, 37, 38, 39];

    /// <summary>GPIOs that exist on the classic ESP32 (0–39 without 20, 24, 28–31).</summary>
    public static bool Exists(int gpio) => gpio is >= 0 and <= 39 && gpio is not (20 or 24 or (>= 28 and <= 31));

    /// <summary>I2C1 firmware defaults (§4): other pins would need SetPinFunction, which the firmware does not do.</summary>
    public const int I2c1Sda = 18;

    /// <summary>See <see cref="I2c1Sda"/>.</summary>
    public const int I2c1Scl = 19;

    public static List<string> Check(string node, IReadOnlyList<PinRow> rows) => Check(node, rows, noPsramModule: false);

    /// <summary>
    /// As <see cref="Check(string, IReadOnlyList{PinRow})"/>; <paramref name="noPsramModule"/> allows GPIO16/17
    /// for a board that fits the WROOM-32E-N4 (no PSRAM) only, as the cellular variants do (hardware/common/cellular.md).
    /// </summary>
    public static List<string> Check(string node, IReadOnlyList<PinRow> rows, bool noPsramModule)
    {
        var problems = new List<string>();
        void Fail(PinRow r, string why) => problems.Add($"{node}: {r.Signal} (GPIO{r.Gpio}): {why}");

        foreach (var r in rows)
        {
            if (!Functions.Contains(r.Function))
            {
                Fail(r, $"unknown function '{r.Function}'");
            }

            if (!Exists(r.Gpio))
            {
                Fail(r, "no such GPIO on the ESP32");
                continue;
            }

            if (r.Function == "adc1")
            {
                if (!Adc1Channel.TryGetValue(r.Gpio, out var ch))
                {
                    Fail(r, "analog input not on ADC1 (GPIO 32-39); ADC2 fails while WiFi is on");
                }
                else if (!r.Notes.Contains($"ADC1_CH{ch}", StringComparison.Ordinal) && !r.Notes.Contains($"channel {ch}", StringComparison.Ordinal))
                {
                    Fail(r, $"notes do not name ADC1 channel {ch}");
                }
            }

            if (Driven.Contains(r.Function) && InputOnly.Contains(r.Gpio))
            {
                Fail(r, "driven function on an input-only pin (34-39)");
            }

            if (Strapping.Contains(r.Gpio) && !StrappingExceptions.ContainsKey(r.Gpio))
            {
                Fail(r, "strapping pin (0, 2, 5, 12, 15)");
            }

            if (Flash.Contains(r.Gpio))
            {
                Fail(r, "SPI flash pin (6-11)");
            }

            if (Psram.Contains(r.Gpio) && !noPsramModule)
            {
                Fail(r, "PSRAM pin on WROVER (16/17)");
            }

            if (Debugger.Contains(r.Gpio))
            {
                Fail(r, "COM1 debugger pin (1/3)");
            }

            if (r.Function == "wake" && !WakeCapable.Contains(r.Gpio))
            {
                Fail(r, "wake function on a pin that cannot wake from deep sleep");
            }

            if (r.Function == "i2c_sda" && r.Gpio != I2c1Sda)
            {
                Fail(r, $"I2C1 SDA not on the firmware default {I2c1Sda}");
            }

            if (r.Function == "i2c_scl" && r.Gpio != I2c1Scl)
            {
                Fail(r, $"I2C1 SCL not on the firmware default {I2c1Scl}");
            }
        }

        foreach (var g in rows.GroupBy(r => r.Gpio).Where(g => g.Count() > 1))
        {
            problems.Add($"{node}: GPIO{g.Key} used more than once ({string.Join(", ", g.Select(r => r.Signal))})");
        }

        var oneWire = rows.Where(r => r.Function == "onewire").ToList();
        if (oneWire.Count != 0 && (oneWire.Count != 2 || !oneWire.Any(r => r.Signal.EndsWith("_tx", StringComparison.Ordinal)) || !oneWire.Any(r => r.Signal.EndsWith("_rx", StringComparison.Ordinal))))
        {
            problems.Add($"{node}: 1-Wire needs exactly one TX and one RX pin (COM3)");
        }

        var com2 = rows.Where(r => r.Function is "uart_tx" or "uart_rx" or "rs485_de").ToList();
        var com2Users = com2.SelectMany(r => r.Sensors).Distinct().ToList();
        if (com2Users.Count > 1)
        {
            problems.Add($"{node}: more than one COM2 user ({string.Join(", ", com2Users)}); COM1 is the debugger and COM3 the 1-Wire bus");
        }

        if (com2.Count != 0 && (com2.Count(r => r.Function == "uart_tx") != 1 || com2.Count(r => r.Function == "uart_rx") != 1))
        {
            problems.Add($"{node}: COM2 needs exactly one uart_tx and one uart_rx");
        }

        return problems;
    }
}
