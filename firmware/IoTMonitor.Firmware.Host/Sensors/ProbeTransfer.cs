namespace IoTMonitor.Firmware.Host.Sensors;

/// <summary>
/// Transfer functions of the analog probe boards wired in hardware/*/pinmap.csv (physical value →
/// volts at the ESP32 pin), and the calibration points (raw volts, reference) that invert them.
/// <c>iotmon provision</c> writes exactly these points into the device config, so the firmware's
/// calibration turns the simulated voltages back into the simulated values.
/// </summary>
/// <remarks>Board figures follow the pin map notes; where the pin map gives none they are typical values (stated).</remarks>
public static class ProbeTransfer
{
    private const double Kelvin = 273.15;

    /// <summary>pH board: 1.5 V at pH 7, −0.18 V per pH at 25 °C (typical amplified glass electrode), Nernst slope ∝ T.</summary>
    public static double PhVolts(double ph, double waterTempC) => 1.5 - (0.18 * (ph - 7.0) * (waterTempC + Kelvin) / (25.0 + Kelvin));

    /// <summary>pH calibration: buffers 4, 7, 10 at 25 °C.</summary>
    public static readonly double[][] PhPoints = [[PhVolts(10, 25), 10], [PhVolts(7, 25), 7], [PhVolts(4, 25), 4]];

    /// <summary>EC board: about 164 mV per mS/cm (pin map), of the conductivity at the water temperature (2 %/°C).</summary>
    public static double EcVolts(double ec25UsPerCm, double waterTempC) => 0.164 * ec25UsPerCm * (1 + (0.02 * (waterTempC - 25))) / 1000.0;

    public static readonly double[][] EcPoints = [[0, 0], [EcVolts(12880, 25), 12880]];

    /// <summary>Turbidity sensor: 4.2 V clear water falling 0.9 mV per NTU, through a 10k/10k divider (pin = ½ sensor).</summary>
    public static double TurbidityVolts(double ntu) => 0.5 * (4.2 - (0.0009 * ntu));

    public static readonly double[][] TurbidityPoints = [[TurbidityVolts(3000), 3000], [TurbidityVolts(0), 0]];

    /// <summary>DO board: 0.1 V per mg/L (typical galvanic probe board, 0–3.0 V).</summary>
    public static double DoVolts(double mgL) => 0.1 * mgL;

    public static readonly double[][] DoPoints = [[0, 0], [DoVolts(20), 20]];

    /// <summary>Level: 4–20 mA transmitter over 0–10 m across a 120 Ω shunt (0.48–2.40 V, pin map).</summary>
    public static double LevelVolts(double metres) => 0.120 * (4 + (16 * metres / 10.0));

    public static readonly double[][] LevelPoints = [[LevelVolts(0), 0], [LevelVolts(10), 10]];

    /// <summary>Battery: 100k/100k divider (pin = ½ VBAT, pin map).</summary>
    public static double BatteryVolts(double vbat) => 0.5 * vbat;

    public static readonly double[][] BatteryPoints = [[0, 0], [BatteryVolts(4.2), 4.2]];

    /// <summary>Capacitive soil probe: 2.8 V dry falling to 1.2 V saturated (typical v1.2 probe at 3.3 V).</summary>
    public static double MoistureVolts(double vwc) => 2.8 - (0.016 * vwc);

    public static readonly double[][] MoisturePoints = [[MoistureVolts(100), 100], [MoistureVolts(0), 0]];
}
