// Nullable annotations off: this file is also compiled by the (nullable-enabled) test project.
#nullable disable

namespace IoTMonitor.Firmware.Board
{
    /// <summary>One switched output of a node board (rail, boost or control line).</summary>
    public sealed class BoardOutput
    {
        /// <summary>Output on <paramref name="gpio"/> named as the pin map's <c>signal</c>, needed by <paramref name="sensors"/>.</summary>
        public BoardOutput(string signal, int gpio, string[] sensors)
        {
            Signal = signal;
            Gpio = gpio;
            Sensors = sensors;
        }

        /// <summary>The pin map's <c>signal</c> (e.g. <c>sensor_power_en</c>).</summary>
        public string Signal { get; }

        /// <summary>GPIO number.</summary>
        public int Gpio { get; }

        /// <summary>Config sensor ids that need this output high while they measure (pin map <c>sensor</c> column); <c>rtc</c> for the backup RTC's I2C access.</summary>
        public string[] Sensors { get; }
    }

    /// <summary>
    /// The board-level pins of each node type that the device config model (SensorConfig: pin,
    /// bus, tx, rx) has no field for: switched rails and control lines, the RS485 driver-enable,
    /// the battery divider, the wake button and the I2C1 pins. Fixed by the PCB, so constants;
    /// the same values appear in the <c>board</c> section of config/{type}.json, and
    /// tests/IoTMonitor.Firmware.Tests checks both against hardware/{type}/pinmap.csv.
    /// Plain C# (no nanoFramework types) so the test project compiles this very file.
    /// </summary>
    public sealed class BoardPins
    {
        /// <summary>Pin map of the water node (hardware/water/pinmap.csv).</summary>
        public static readonly BoardPins Water = new BoardPins(
            "water",
            35,
            4,
            -1,
            18,
            19,
            new BoardOutput[]
            {
                new BoardOutput("sensor_power_en", 25, new string[] { "ph", "do", "water_temp", "ec", "turbidity", "rtc" }),
                new BoardOutput("ec_power_en", 26, new string[] { "ec" }),
                new BoardOutput("boost_5v_en", 27, new string[] { "turbidity" }),
                new BoardOutput("loop_power_en", 23, new string[] { "level" }),
            },
            34);

        /// <summary>Pin map of the soil node (hardware/soil/pinmap.csv).</summary>
        public static readonly BoardPins Soil = new BoardPins(
            "soil",
            35,
            4,
            14,
            18,
            19,
            new BoardOutput[]
            {
                new BoardOutput("sensor_power_en", 25, new string[] { "soil_moisture", "soil_temp", "soil_probe", "rtc" }),
                new BoardOutput("boost_12v_en", 27, new string[] { "soil_probe" }),
            });

        /// <summary>Pin map of the air node (hardware/air/pinmap.csv).</summary>
        public static readonly BoardPins Air = new BoardPins(
            "air",
            35,
            4,
            -1,
            18,
            19,
            new BoardOutput[]
            {
                new BoardOutput("pms_set", 26, new string[] { "pms5003" }),
                new BoardOutput("sensor_power_en", 25, new string[] { "bme280", "scd41", "rtc" }),
                new BoardOutput("boost_5v_en", 27, new string[] { "pms5003" }),
            });

        private BoardPins(string type, int battery, int wake, int rs485De, int i2cSda, int i2cScl, BoardOutput[] outputs)
            : this(type, battery, wake, rs485De, i2cSda, i2cScl, outputs, -1)
        {
        }

        private BoardPins(string type, int battery, int wake, int rs485De, int i2cSda, int i2cScl, BoardOutput[] outputs, int rainInt)
        {
            RainInt = rainInt;
            Type = type;
            Battery = battery;
            Wake = wake;
            Rs485De = rs485De;
            I2cSda = i2cSda;
            I2cScl = i2cScl;
            Outputs = outputs;
        }

        /// <summary>Node type (<c>water</c>, <c>soil</c>, <c>air</c>).</summary>
        public string Type { get; }

        /// <summary>ADC1 pin of the VBAT/2 divider.</summary>
        public int Battery { get; }

        /// <summary>Battery divider ratio (100k/100k: VBAT = 2 × pin).</summary>
        public double BatteryDivider
        {
            get { return 2.0; }
        }

        /// <summary>Service/wake button (EXT0 wake at level 0).</summary>
        public int Wake { get; }

        /// <summary>
        /// The flash-flood option's PCF8593 INT (open drain, active low, 100 kΩ pull-up to the
        /// always-on 3.3 V): an input-only RTC GPIO for the EXT1 wake; -1 when the board has none.
        /// </summary>
        public int RainInt { get; }

        /// <summary>COM2 RTS = RS485 DE/RE pin, -1 when the node has no RS485.</summary>
        public int Rs485De { get; }

        /// <summary>I2C1 SDA, -1 when the node has no I2C.</summary>
        public int I2cSda { get; }

        /// <summary>I2C1 SCL, -1 when the node has no I2C.</summary>
        public int I2cScl { get; }

        /// <summary>Switched outputs, all active high with pull-downs.</summary>
        public BoardOutput[] Outputs { get; }

        /// <summary>The board of <paramref name="type"/>; null for an unknown type.</summary>
        public static BoardPins For(string type)
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
