using IoTMonitor.Firmware.Core.Protocol;
using IoTMonitor.Firmware.Core.Sensors.Modbus;

namespace IoTMonitor.Firmware.Core.Sensors.Rain
{
    /// <summary>
    /// Register maps of RS485 rain gauges that count their own tips. Vendor-specific like the soil
    /// probe maps (Modbus/ModbusProbeMaps): check the gauge's manual and write the map in code when it
    /// differs. The entry's scale is 1: the register holds tips; mm per tip is the config's
    /// <c>mmPerTip</c>.
    /// </summary>
    public static class RainGaugeMaps
    {
        /// <summary>Default mm per tip of <see cref="SonbusXm9505"/> (its manual: count × 0.1 mm).</summary>
        public const double SonbusMmPerTip = 0.1;

        /// <summary>
        /// Shanghai Sonbus XM9505 (XUNCHIP) RS485 tipping-bucket gauge, product page "Communication
        /// Protocol": slave 1, 9600 8N1, function 03, register 0x0000 (40001) = switch count 0–65535,
        /// rainfall = count × 0.1 mm; example query <c>01 03 00 00 00 01 84 0A</c>, answer
        /// <c>01 03 02 02 18 B9 2E</c> = 536 counts = 53.6 mm. Address 0x0066 and baud 0x0067 are
        /// read/write. The page gives no clear command and does not say what the count does after
        /// 65535 or at power-up: wrap to 0 is assumed, hence <c>Confirmed = false</c>.
        /// </summary>
        public static ModbusRegisterMap SonbusXm9505()
        {
            return new ModbusRegisterMap(
                "sonbus-xm9505", 1, 9600, ModbusFrames.ReadHoldingRegisters, 0, true, false,
                "Sonbus XM9505 product page, Communication Protocol (register 0x0000 count x 0.1 mm); wrap at 65535 assumed",
                new ModbusRegisterEntry[]
                {
                    new ModbusRegisterEntry("tips", 0x0000, 1, 1.0, false, Quantities.RainTotal),
                });
        }
    }
}
