namespace IoTMonitor.Firmware.Core.Sensors.Modbus
{
    /// <summary>
    /// A probe's register map as data: the serial settings and the list of values. The driver reads
    /// the whole span from the lowest to the highest register in one request, so a map must fit in
    /// 125 registers.
    /// </summary>
    public sealed class ModbusRegisterMap
    {
        /// <summary>Creates a map; see the properties for the meaning of each argument.</summary>
        public ModbusRegisterMap(string name, int slaveAddress, int baud, byte function, int warmupMs, bool vendorSpecific, bool confirmed, string source, ModbusRegisterEntry[] entries)
        {
            Name = name;
            SlaveAddress = slaveAddress;
            Baud = baud;
            Function = function;
            WarmupMs = warmupMs;
            VendorSpecific = vendorSpecific;
            Confirmed = confirmed;
            Source = source;
            Entries = entries;
        }

        /// <summary>Map name as used in the node config.</summary>
        public string Name { get; private set; }

        /// <summary>Factory slave address.</summary>
        public int SlaveAddress { get; private set; }

        /// <summary>Factory baud rate (8N1).</summary>
        public int Baud { get; private set; }

        /// <summary>0x03 (holding) or 0x04 (input registers).</summary>
        public byte Function { get; private set; }

        /// <summary>Power-up settling time before the first valid read, ms (0 when the vendor gives none).</summary>
        public int WarmupMs { get; private set; }

        /// <summary>True when the layout is one vendor's, not a standard: check the probe's manual.</summary>
        public bool VendorSpecific { get; private set; }

        /// <summary>False when part of the map (a scale, a register) has no source and is assumed.</summary>
        public bool Confirmed { get; private set; }

        /// <summary>Where the layout comes from (reference section / vendor document).</summary>
        public string Source { get; private set; }

        /// <summary>The values, one channel each, in channel order.</summary>
        public ModbusRegisterEntry[] Entries { get; private set; }

        /// <summary>Lowest register any entry uses.</summary>
        public int FirstRegister
        {
            get
            {
                int first = int.MaxValue;
                for (int i = 0; i < Entries.Length; i++)
                {
                    if (Entries[i].Register < first)
                    {
                        first = Entries[i].Register;
                    }
                }

                return first;
            }
        }

        /// <summary>Registers from <see cref="FirstRegister"/> to the last one any entry uses.</summary>
        public int Span
        {
            get
            {
                int last = -1;
                for (int i = 0; i < Entries.Length; i++)
                {
                    int end = Entries[i].Register + Entries[i].Count - 1;
                    if (end > last)
                    {
                        last = end;
                    }
                }

                return last - FirstRegister + 1;
            }
        }

        /// <summary>True when the map can be read in one request and every entry is well-formed.</summary>
        public bool IsValid
        {
            get
            {
                if (Entries == null || Entries.Length == 0 || SlaveAddress < 1 || SlaveAddress > 247
                    || (Function != ModbusFrames.ReadHoldingRegisters && Function != ModbusFrames.ReadInputRegisters))
                {
                    return false;
                }

                for (int i = 0; i < Entries.Length; i++)
                {
                    ModbusRegisterEntry e = Entries[i];
                    if (e == null || (e.Count != 1 && e.Count != 2) || e.Register < 0 || e.Register + e.Count > 0x10000)
                    {
                        return false;
                    }
                }

                return Span <= ModbusFrames.MaxRegisters;
            }
        }
    }
}
