namespace IoTMonitor.Firmware.Host.Signals;

/// <summary>
/// The node's 1S2P 18650 pack with its solar charger (hardware/common/power.md): state of charge
/// in mAh, drained by deep sleep (a few tens of µA), by each wake (awake time × average current,
/// WiFi transmissions included) and recharged by the panel through the MPPT charger in sunshine.
/// Voltage follows a typical Li-ion open-circuit curve (3.0 V empty … 4.2 V full).
/// </summary>
public sealed class BatteryModel
{
    private readonly Func<double, double> _sun;
    private double _lastUtc = double.NaN;

    /// <param name="sun">Sunshine 0–1 at a time (<see cref="SiteEnvironment.Sun"/>).</param>
    public BatteryModel(Func<double, double> sun, double capacityMah = 6000, double stateOfCharge = 0.8, double panelChargeMa = 550)
    {
        _sun = sun;
        CapacityMah = capacityMah;
        ChargeMah = capacityMah * stateOfCharge;
        PanelChargeMa = panelChargeMa;
    }

    public double CapacityMah { get; }

    /// <summary>Charging current at full sun, mA (5 W panel, MPPT, ~4 V: about 1 A peak; derated for angle and heat).</summary>
    public double PanelChargeMa { get; set; }

    /// <summary>Deep-sleep current of the whole node, mA: the core power model's sleep floor (ESP32, LDO, battery divider, cold cutoff, BMS, charger, leakage).</summary>
    public double SleepMa { get; set; } = new IoTMonitor.Firmware.Core.Power.PowerProfile().SleepFloorMa();

    /// <summary>Average current while awake, mA (ESP32 active with WiFi bursts, sensors powered).</summary>
    public double AwakeMa { get; set; } = 160;

    public double ChargeMah { get; private set; }

    /// <summary>Energy spent on wakes so far, mAh (the "wake cost" total).</summary>
    public double WakeMah { get; private set; }

    public double StateOfCharge => ChargeMah / CapacityMah;

    /// <summary>Open-circuit pack voltage now.</summary>
    public double Volts
    {
        get
        {
            var s = Math.Clamp(StateOfCharge, 0, 1);

            // Piecewise typical NMC 18650 OCV curve: steep below 10 %, flat plateau, rising to 4.2 V.
            return s < 0.1 ? 3.0 + (s * 4.5) : s < 0.9 ? 3.45 + ((s - 0.1) * 0.75 / 0.8 * 0.85) : 4.0375 + ((s - 0.9) * 1.625);
        }
    }

    /// <summary>Runs the pack forward to <paramref name="utc"/>: sleep drain and solar charge, integrated per 10 minutes.</summary>
    public void AdvanceTo(double utc)
    {
        if (double.IsNaN(_lastUtc))
        {
            _lastUtc = utc;
            return;
        }

        const double step = 600;
        var t = _lastUtc;
        while (t < utc)
        {
            var dt = Math.Min(step, utc - t);
            var hours = dt / 3600;
            ChargeMah += ((PanelChargeMa * _sun(t + (dt / 2))) - SleepMa) * hours;
            ChargeMah = Math.Clamp(ChargeMah, 0, CapacityMah);
            t += dt;
        }

        _lastUtc = Math.Max(_lastUtc, utc);
    }

    /// <summary>Charges a wake of <paramref name="awakeMs"/>.</summary>
    public void SpendWake(long awakeMs)
    {
        var mah = AwakeMa * awakeMs / 3_600_000.0;
        WakeMah += mah;
        ChargeMah = Math.Max(0, ChargeMah - mah);
    }
}
