namespace IoTMonitor.Firmware.Core.Sensors.Modbus
{
    /// <summary>
    /// One value of a Modbus probe: where it is and how to turn the register(s) into the quantity's
    /// unit: value = register(s) as signed or unsigned integer × <see cref="Scale"/>.
    /// </summary>
    public sealed class ModbusRegisterEntry
    {
        /// <summary>Creates an entry.</summary>
        public ModbusRegisterEntry(string name, int register, int count, double scale, bool signed, int quantity)
        {
            Name = name;
            Register = register;
            Count = count;
            Scale = scale;
            Signed = signed;
            Quantity = quantity;
        }

        /// <summary>Vendor's name of the value (for logs and the config UI).</summary>
        public string Name { get; private set; }

        /// <summary>Register address (0-based, as on the wire).</summary>
        public int Register { get; private set; }

        /// <summary>1 (16-bit) or 2 (32-bit, high word first).</summary>
        public int Count { get; private set; }

        /// <summary>Multiplier from the integer to the unit (0.1 for "×0.1 %").</summary>
        public double Scale { get; private set; }

        /// <summary>Two's complement when true (temperatures below 0).</summary>
        public bool Signed { get; private set; }

        /// <summary>
        /// Index into <c>Protocol.Quantities</c>, or <c>Quantities.Unknown</c> for a value protocol v1
        /// has no code for (it is read and logged but not queued).
        /// </summary>
        public int Quantity { get; private set; }

        /// <summary>Converts the entry's registers starting at <paramref name="first"/> of <paramref name="registers"/>.</summary>
        public double Decode(ModbusResponseParser registers, int first)
        {
            int offset = Register - first;
            long v;
            if (Count == 2)
            {
                v = ((long)registers.Register(offset) << 16) | (long)registers.Register(offset + 1);
                if (Signed && v >= 0x80000000L)
                {
                    v -= 0x100000000L;
                }
            }
            else
            {
                v = registers.Register(offset);
                if (Signed && v >= 0x8000)
                {
                    v -= 0x10000;
                }
            }

            return v * Scale;
        }
    }
}
