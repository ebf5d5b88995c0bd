// Nullable annotations off: this file is also compiled by the (nullable-enabled) test project.
#nullable disable

namespace IoTMonitor.Firmware.Board
{
    /// <summary>
    /// Where the cellular variant of a node type wires its modem (hardware/{type}/pinmap-cellular.csv,
    /// hardware/common/cellular.md). The ESP32 has three UARTs and COM1 carries the debugger, so the
    /// modem takes the port the node's sensors leave free: COM2 on the water node (no serial sensor),
    /// COM3 on the air node (no 1-Wire), and COM3 on the soil node after the DS18B20 has been read
    /// (its 1-Wire host is closed first; the wake samples before it connects). The same values are
    /// the <c>cellular</c> section of config/{type}-cellular.json; tests/IoTMonitor.Firmware.Tests
    /// checks all three against each other and against the ESP32 pin rules.
    /// </summary>
    public sealed class ModemPins
    {
        /// <summary>Water node: COM2, TX 14, RX 36.</summary>
        public static readonly ModemPins Water = new ModemPins(2, 14, 36, 16, 17, 39);

        /// <summary>Soil node: COM3 shared in time with the 1-Wire bus, TX 33, RX 36.</summary>
        public static readonly ModemPins Soil = new ModemPins(3, 33, 36, 16, 17, 39);

        /// <summary>Air node: COM3, TX 14, RX 36.</summary>
        public static readonly ModemPins Air = new ModemPins(3, 14, 36, 16, 17, 39);

        private ModemPins(int uart, int tx, int rx, int pwrKey, int powerEn, int status)
        {
            Uart = uart;
            Tx = tx;
            Rx = rx;
            PwrKey = pwrKey;
            PowerEn = powerEn;
            Status = status;
        }

        /// <summary>2 = COM2 (UART1), 3 = COM3 (UART2).</summary>
        public int Uart { get; }

        /// <summary>ESP32 TX → level shifter → modem RXD.</summary>
        public int Tx { get; }

        /// <summary>Modem TXD → level shifter → ESP32 RX (input-only pin: it is only ever read).</summary>
        public int Rx { get; }

        /// <summary>Drives the NPN that pulls PWRKEY low (high = key pressed); 10 kΩ pull-down keeps it released through boot.</summary>
        public int PwrKey { get; }

        /// <summary>Enables the modem's VBAT load switch (high = on); pull-down keeps the modem unpowered through boot and deep sleep.</summary>
        public int PowerEn { get; }

        /// <summary>The modem's STATUS output through the level shifter (high = running).</summary>
        public int Status { get; }

        /// <summary>The modem pins of <paramref name="type"/>; null for an unknown type.</summary>
        public static ModemPins For(string type)
        {
            if (type == "water")
            {
                return Water;
            }

            if (type == "soil")
            {
                return Soil;
            }

            return type == "air" ? Air : null;
        }
    }
}
