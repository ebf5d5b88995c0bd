using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Sensors.Analog;

namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// The analog probe boards of hardware/*/pinmap.csv as transfer functions (physical value → volts
/// at the ESP32 pin), written as the inverse of the core drivers' conversion in
/// firmware/IoTMonitor.Firmware.Core/Sensors/Analog with the board constants of the core's catalog
/// and the calibration records the virtual nodes' configs carry (<see cref="Fleet.DeviceConfigDocument"/>),
/// so the real drivers turn the simulated voltages back into the simulated values. Temperature
/// dependence is simulated from the water temperature; the driver compensates for it.
/// </summary>
public static class ProbeTransfer
{
    private const double Kelvin = 273.15;

    /// <summary>DO board calibration the virtual nodes carry: 1.65 V in air-saturated water at 25 °C.</summary>
    public const double DoSaturationVoltsAt25C = 1.65;

    /// <summary>
    /// Turbidity standards of the virtual nodes' calibration, NTU, with the pin volts the vendor
    /// curve gives for each (<see cref="TurbidityPointVolts"/>): between them the simulated probe
    /// answers linearly, as its calibration assumes.
    /// </summary>
    public static readonly double[] TurbidityPointNtu = [0, 10, 25, 50, 100, 300, 1000, 3000];

    /// <summary>Pin volts of <see cref="TurbidityPointNtu"/> (vendor curve through the 10k/10k divider).</summary>
    public static readonly double[] TurbidityPointVolts = TurbidityPointNtu.Select(VendorTurbidityVolts).ToArray();

    /// <summary>Level transmitter range of the water node, metres (4 mA … 20 mA).</summary>
    public const double LevelRangeM = SensorCatalog.LevelRangeM;

    /// <summary>4–20 mA shunt, ohms (pin map: 120 Ω).</summary>
    public const double LevelShuntOhms = SensorCatalog.LevelShuntOhms;

    /// <summary>
    /// pH board (DFRobot V2 defaults of <see cref="PhProbe"/>: 1.5 V at pH 7, 2.03244 V at pH 4 at
    /// 25 °C); a glass electrode's slope is proportional to absolute temperature (Nernst), which the
    /// driver compensates with the water temperature of the same round.
    /// </summary>
    public static double PhVolts(double ph, double waterTempC)
    {
        var slope = (PhProbe.DefaultVoltsPh4 - PhProbe.DefaultVoltsPh7) / (4.0 - 7.0); // V per pH at 25 °C
        return PhProbe.DefaultVoltsPh7 + (slope * (ph - 7.0) * (waterTempC + Kelvin) / (25.0 + Kelvin));
    }

    /// <summary>EC board DFR0300 (<see cref="EcProbe.RawUsPerCm"/>): µS/cm = V × 10⁶ / 164; a probe reads the conductivity at the water temperature (2 %/°C).</summary>
    public static double EcVolts(double ec25UsPerCm, double waterTempC) =>
        ec25UsPerCm * (1 + (0.02 * (waterTempC - 25))) / EcProbe.RawUsPerCm(EcCurve.Dfr0300, 1.0);

    /// <summary>Turbidity sensor as calibrated: linear between the standards of <see cref="TurbidityPointNtu"/>.</summary>
    public static double TurbidityVolts(double ntu)
    {
        var n = Math.Clamp(ntu, TurbidityPointNtu[0], TurbidityPointNtu[^1]);
        var i = 1;
        while (i < TurbidityPointNtu.Length - 1 && n > TurbidityPointNtu[i])
        {
            i++;
        }

        var f = (n - TurbidityPointNtu[i - 1]) / (TurbidityPointNtu[i] - TurbidityPointNtu[i - 1]);
        return TurbidityPointVolts[i - 1] + (f * (TurbidityPointVolts[i] - TurbidityPointVolts[i - 1]));
    }

    /// <summary>Turbidity sensor on the vendor curve of <see cref="TurbidityProbe"/> through the 10k/10k divider (pin = sensor / <see cref="SensorCatalog.TurbidityDivider"/>).</summary>
    public static double VendorTurbidityVolts(double ntu)
    {
        // NTU = −1120.4 v² + 5742.3 v − 4352.9 on the falling branch 2.56–4.2 V.
        var d = (5742.3 * 5742.3) - (4 * 1120.4 * (4352.9 + Math.Max(0, ntu)));
        var v = d <= 0 ? 5742.3 / (2 * 1120.4) : (5742.3 + Math.Sqrt(d)) / (2 * 1120.4);
        return Math.Min(v, 4.2) / SensorCatalog.TurbidityDivider;
    }

    /// <summary>
    /// DO board, one-point calibrated at <see cref="DoSaturationVoltsAt25C"/>: volts = DO × V_sat(T) / C_sat(T),
    /// V_sat(T) = 1.65 V + 35 mV/°C · (T − 25) (the SEN0237 model of <see cref="DissolvedOxygenProbe"/>).
    /// </summary>
    public static double DoVolts(double mgL, double waterTempC)
    {
        DissolvedOxygenProbe.TrySaturationMgPerL(waterTempC, out var cSat);
        var vSat = DoSaturationVoltsAt25C + (DissolvedOxygenProbe.OnePointMvPerC / 1000.0 * (waterTempC - 25.0));
        return mgL * vSat / cSat;
    }

    /// <summary>Level: 4–20 mA over 0–<see cref="LevelRangeM"/> m across the shunt.</summary>
    public static double LevelVolts(double metres) => (4 + (16 * metres / LevelRangeM)) * LevelShuntOhms / 1000.0;

    /// <summary>Battery: 100k/100k divider (pin = ½ VBAT).</summary>
    public static double BatteryVolts(double vbat) => vbat * SensorCatalog.BatteryDividerOhms / (SensorCatalog.BatteryDividerOhms + SensorCatalog.BatteryDividerOhms);

    /// <summary>Capacitive soil probe: 2.8 V dry … 1.2 V in water (typical v1.2 probe at 3.3 V), linear.</summary>
    public static double MoistureVolts(double vwc) =>
        SensorCatalog.MoistureDryVolts - ((SensorCatalog.MoistureDryVolts - SensorCatalog.MoistureWetVolts) * vwc / 100.0);
}
