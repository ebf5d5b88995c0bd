namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>
    /// Quality bit set of a reading, exactly as on the wire (docs/protocol.md §4, "Quality flags").
    /// Plain int constants rather than a [Flags] enum: the encoder writes the integer as is and bits
    /// 7+ are reserved for later protocol additions.
    /// </summary>
    public static class QualityFlags
    {
        /// <summary>0: a good reading.</summary>
        public const int None = 0;

        /// <summary>Bit 0: outside the quantity's plausible range (protocol §8).</summary>
        public const int OutOfRange = 1;

        /// <summary>Bit 1: identical value for the configured number of samples.</summary>
        public const int Stuck = 2;

        /// <summary>Bit 2: sensor absent, open circuit, bus/CRC error; the value is sent as null.</summary>
        public const int NoValue = 4;

        /// <summary>Bit 3: read before the sensor's warm-up time elapsed.</summary>
        public const int WarmingUp = 8;

        /// <summary>Bit 4: no calibration record, or it has expired.</summary>
        public const int Uncalibrated = 16;

        /// <summary>Bit 5: the time was rebased after a late clock sync (protocol §3).</summary>
        public const int TimeEstimated = 32;

        /// <summary>Bit 6: the driver reported a fault but produced a value.</summary>
        public const int SensorFault = 64;

        /// <summary>True when <paramref name="flags"/> has every bit of <paramref name="bits"/>.</summary>
        public static bool Has(int flags, int bits)
        {
            return (flags & bits) == bits;
        }
    }
}
