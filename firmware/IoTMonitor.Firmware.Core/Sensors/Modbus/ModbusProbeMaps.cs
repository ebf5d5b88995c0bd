using IoTMonitor.Firmware.Core.Protocol;

namespace IoTMonitor.Firmware.Core.Sensors.Modbus
{
    /// <summary>
    /// Register maps shipped for common RS485 soil probes. **Vendor-specific**: the "7-in-1" probes
    /// sold under many names do not share one layout; check the probe's manual and pick or write a
    /// map in the node config. Sources: reference B6 [S19] (TronixLab/RS485-CWT-SOIL-SENSOR-PROBE
    /// README and examples; the serial-line and application specs for the framing).
    /// </summary>
    /// <remarks>
    /// Soil pH travels as <c>soil.ph</c> (added to protocol v1 §8 after the first draft). NPK are the vendor's "rapid estimate": no
    /// alerts on them.
    /// </remarks>
    public static class ModbusProbeMaps
    {
        /// <summary>
        /// ComWinTop CWT soil probe (NPK type): slave 1, 4800 8N1, function 03 from 0x0000:
        /// moisture ×0.1 %, temperature ×0.1 °C, EC µS/cm, pH ×0.1, N, P, K mg/kg. Temperature
        /// taken as two's complement for sub-zero soil (the README gives no negative example:
        /// that part is unconfirmed, hence <c>Confirmed = false</c>).
        /// </summary>
        public static ModbusRegisterMap CwtSoil7in1()
        {
            return new ModbusRegisterMap(
                "cwt-soil-7in1", 1, 4800, ModbusFrames.ReadHoldingRegisters, 0, true, false,
                "reference B6: ComWinTop CWT NPK, TronixLab/RS485-CWT-SOIL-SENSOR-PROBE",
                new ModbusRegisterEntry[]
                {
                    new ModbusRegisterEntry("moisture", 0x0000, 1, 0.1, false, Quantities.SoilMoisture),
                    new ModbusRegisterEntry("temperature", 0x0001, 1, 0.1, true, Quantities.SoilTemp),
                    new ModbusRegisterEntry("conductivity", 0x0002, 1, 1.0, false, Quantities.SoilEc),
                    new ModbusRegisterEntry("ph", 0x0003, 1, 0.1, false, Quantities.SoilPh),
                    new ModbusRegisterEntry("nitrogen", 0x0004, 1, 1.0, false, Quantities.SoilN),
                    new ModbusRegisterEntry("phosphorus", 0x0005, 1, 1.0, false, Quantities.SoilP),
                    new ModbusRegisterEntry("potassium", 0x0006, 1, 1.0, false, Quantities.SoilK),
                });
        }

        /// <summary>
        /// The other common family (reference B6): moisture 0x0012, temperature 0x0013, EC 0x0015,
        /// pH 0x0006 (×0.01), N/P/K 0x001E–0x0020, 9600 baud (ES-SM-TH-01S). The reference gives no
        /// scale for moisture and temperature: ×0.1 is assumed like the CWT probe (unconfirmed).
        /// </summary>
        public static ModbusRegisterMap SoilAlt0x12()
        {
            return new ModbusRegisterMap(
                "soil-alt-0x12", 1, 9600, ModbusFrames.ReadHoldingRegisters, 0, true, false,
                "reference B6: 'other family' (moisture 0x0012 …, ES-SM-TH-01S 9600 baud); scales of moisture/temp assumed",
                new ModbusRegisterEntry[]
                {
                    new ModbusRegisterEntry("moisture", 0x0012, 1, 0.1, false, Quantities.SoilMoisture),
                    new ModbusRegisterEntry("temperature", 0x0013, 1, 0.1, true, Quantities.SoilTemp),
                    new ModbusRegisterEntry("conductivity", 0x0015, 1, 1.0, false, Quantities.SoilEc),
                    new ModbusRegisterEntry("ph", 0x0006, 1, 0.01, false, Quantities.SoilPh),
                    new ModbusRegisterEntry("nitrogen", 0x001E, 1, 1.0, false, Quantities.SoilN),
                    new ModbusRegisterEntry("phosphorus", 0x001F, 1, 1.0, false, Quantities.SoilP),
                    new ModbusRegisterEntry("potassium", 0x0020, 1, 1.0, false, Quantities.SoilK),
                });
        }
    }
}
