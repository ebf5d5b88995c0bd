namespace IoTMonitor.Firmware.Core.Protocol
{
    /// <summary>
    /// One reading as it travels sample → queue → encoder (protocol §4, positional array
    /// <c>[n, t, quantity, value, flags, raw?]</c>). A struct held in preallocated arrays, so the hot
    /// path allocates nothing. The raw (uncalibrated) value stays beside the calibrated one.
    /// </summary>
    public struct Reading
    {
        /// <summary>Sequence number within the boot, from 1 (protocol §3).</summary>
        public int Seq;

        /// <summary>Sampling time, seconds since 1970 (or unsynced RTC seconds, protocol §3).</summary>
        public long Time;

        /// <summary>Index into <see cref="Quantities"/>.</summary>
        public int Quantity;

        /// <summary>Calibrated value in the quantity's unit. Ignored (sent as null) with NO_VALUE.</summary>
        public double Value;

        /// <summary>Quality bit set (<see cref="QualityFlags"/>).</summary>
        public int Flags;

        /// <summary>The uncalibrated driver value; sent only when <see cref="HasRaw"/>.</summary>
        public double Raw;

        /// <summary>True when <see cref="Raw"/> is to be sent.</summary>
        public bool HasRaw;

        /// <summary>Sets every field at once (no allocation; the struct is overwritten in place).</summary>
        public void Set(int seq, long time, int quantity, double value, int flags)
        {
            Seq = seq;
            Time = time;
            Quantity = quantity;
            Value = value;
            Flags = flags;
            Raw = 0;
            HasRaw = false;
        }
    }
}
