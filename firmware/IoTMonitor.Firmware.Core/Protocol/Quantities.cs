namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>
    /// The quantity vocabulary of docs/protocol.md §8: code, resolution (as decimals) and
    /// plausible range. A reading refers to its quantity by index into these tables, so a queued
    /// record stays small and the encoder writes the code without a lookup.
    /// </summary>
    public static class Quantities
    {
        /// <summary>Index returned by <see cref="IndexOf"/> for an unknown code.</summary>
        public const int Unknown = -1;

#pragma warning disable CS1591 // the constants are the table's rows, named after their codes
        public const int WaterPh = 0;
        public const int WaterEc = 1;
        public const int WaterTds = 2;
        public const int WaterTurbidity = 3;
        public const int WaterDo = 4;
        public const int WaterTemp = 5;
        public const int WaterLevel = 6;
        public const int SoilMoisture = 7;
        public const int SoilTemp = 8;
        public const int SoilEc = 9;
        public const int SoilN = 10;
        public const int SoilP = 11;
        public const int SoilK = 12;
        public const int AirTemp = 13;
        public const int AirRh = 14;
        public const int AirPressure = 15;
        public const int AirPm1 = 16;
        public const int AirPm25 = 17;
        public const int AirPm10 = 18;
        public const int AirCo2 = 19;
        public const int DeviceBattery = 20;
        public const int DeviceRssi = 21;
        public const int SoilPh = 22; // added after the first release: queued records keep their indexes
        public const int RainTotal = 23;
        public const int FlowRate = 24;
        public const int FlowTotal = 25;
#pragma warning restore CS1591

        /// <summary>Decimals of the optional raw value (protocol §4: 4 decimals).</summary>
        public const int RawDecimals = 4;

        /// <summary>Decimals of the health battery voltage (same resolution as device.battery).</summary>
        public const int BatteryDecimals = 3;

        private static readonly string[] CodeTable =
        {
            "water.ph", "water.ec", "water.tds", "water.turbidity", "water.do", "water.temp", "water.level",
            "soil.moisture", "soil.temp", "soil.ec", "soil.n", "soil.p", "soil.k",
            "air.temp", "air.rh", "air.pressure", "air.pm1", "air.pm25", "air.pm10", "air.co2",
            "device.battery", "device.rssi",
            "soil.ph",
            "rain.total",
            "flow.rate", "flow.total",
        };

        // Resolution 0.01 → 2 decimals, 1 → 0, and so on (protocol §8 "resolution").
        private static readonly int[] DecimalsTable = { 2, 0, 0, 1, 2, 2, 3, 1, 2, 0, 0, 0, 0, 2, 1, 2, 0, 0, 0, 0, 3, 0, 2, 1, 4, 3 };

        private static readonly double[] MinTable = { 0, 0, 0, 0, 0, -5, -10, 0, -40, 0, 0, 0, 0, -40, 0, 300, 0, 0, 0, 0, 0, -120, 0, 0, -1000, 0 };

        private static readonly double[] MaxTable = { 14, 200000, 100000, 4000, 25, 50, 100, 100, 80, 20000, 2000, 2000, 2000, 85, 100, 1100, 1000, 1000, 1000, 40000, 5, 0, 14, 100000, 1000, 100000000000 };

        /// <summary>Number of quantities in the table.</summary>
        public static int Count
        {
            get { return CodeTable.Length; }
        }

        /// <summary>Wire code, e.g. "water.ph".</summary>
        public static string Code(int quantity)
        {
            return CodeTable[quantity];
        }

        /// <summary>Decimals the value is rounded to on the wire.</summary>
        public static int Decimals(int quantity)
        {
            return DecimalsTable[quantity];
        }

        /// <summary>Lower end of the plausible range.</summary>
        public static double Min(int quantity)
        {
            return MinTable[quantity];
        }

        /// <summary>Upper end of the plausible range.</summary>
        public static double Max(int quantity)
        {
            return MaxTable[quantity];
        }

        /// <summary>True when <paramref name="value"/> lies inside the plausible range (inclusive).</summary>
        public static bool IsPlausible(int quantity, double value)
        {
            return value >= MinTable[quantity] && value <= MaxTable[quantity];
        }

        /// <summary>Index of a wire code, or <see cref="Unknown"/>.</summary>
        public static int IndexOf(string code)
        {
            if (code == null)
            {
                return Unknown;
            }

            for (int i = 0; i < CodeTable.Length; i++)
            {
                if (CodeTable[i] == code)
                {
                    return i;
                }
            }

            return Unknown;
        }

        /// <summary>True when <paramref name="quantity"/> is a valid index.</summary>
        public static bool IsValid(int quantity)
        {
            return quantity >= 0 && quantity < CodeTable.Length;
        }
    }
}
