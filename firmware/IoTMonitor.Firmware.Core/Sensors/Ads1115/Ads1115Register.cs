namespace IoTMonitor.Firmware.Core.Sensors.Ads1115
{
    /// <summary>
    /// ADS1115 register pointers and Config register fields (TI SBAS444D §9.6, Table 6 address
    /// pointer, Table 8 Config register). Registers are 16 bits, sent MSB first.
    /// </summary>
    public static class Ads1115Register
    {
        /// <summary>Conversion register (P[1:0] = 00): the last result, 16-bit two's complement.</summary>
        public const byte Conversion = 0x00;

        /// <summary>Config register (P[1:0] = 01).</summary>
        public const byte Config = 0x01;

        /// <summary>Config register value after reset: 8583h (OS 1, AIN0–AIN1, ±2.048 V, single-shot, 128 SPS, comparator disabled).</summary>
        public const int ConfigReset = 0x8583;

        /// <summary>Bit 15 OS. Write 1: start a single conversion (power-down state only). Read 0: converting; 1: idle.</summary>
        public const int OsBit = 0x8000;

        /// <summary>Bits 14:12 MUX.</summary>
        public const int MuxShift = 12;

        /// <summary>Bits 11:9 PGA.</summary>
        public const int PgaShift = 9;

        /// <summary>Bit 8 MODE: 1 = single-shot / power-down (the node's choice: the chip sleeps between conversions).</summary>
        public const int ModeSingleShot = 0x0100;

        /// <summary>Bits 7:5 DR.</summary>
        public const int DataRateShift = 5;

        /// <summary>Bits 1:0 COMP_QUE = 11: comparator disabled, ALERT/RDY high impedance (bits 4:2 then have no effect; left 0).</summary>
        public const int ComparatorDisabled = 0x0003;

        /// <summary>MUX = 100 + n: AINn against GND (single-ended), n = 0…3.</summary>
        public const int MuxSingleEnded0 = 4;
    }
}
