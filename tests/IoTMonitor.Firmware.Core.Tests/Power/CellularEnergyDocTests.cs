using System.Globalization;
using IoTMonitor.Firmware.Core.Config;
using IoTMonitor.Firmware.Core.Power;
using Xunit.Abstractions;

namespace IoTMonitor.Firmware.Core.Tests.Power;

/// <summary>
/// The cellular energy table in hardware/common/power.md and firmware/README.md is
/// <see cref="CellularEnergy"/> run on the shipped configs with the Cat-1 (A7670C) and NB-IoT
/// (SIM7080G) profiles: each document's table after <see cref="Marker"/> must equal, cell for cell,
/// what <see cref="Rows"/> computes now, and the mode in each row is the one the numbers choose.
/// </summary>
public class CellularEnergyDocTests(ITestOutputHelper output)
{
    public const string Marker = "<!-- cellular-energy-table: computed from firmware/IoTMonitor.Firmware/config/*.json by Power/CellularEnergyDocTests -->";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IEnumerable<string[]> Rows()
    {
        var p = new PowerProfile();
        foreach (var m in new[] { CellularProfile.Cat1(), CellularProfile.NbIot() })
        {
            foreach (var type in ShippedConfigs.Types)
            {
                DeviceConfig c = ShippedConfigs.Load(type);
                int publishes = CellularEnergy.Publishes(c);
                bool psm = CellularEnergy.ChoosePsm(m, p, publishes, c.UploadSec);
                yield return
                [
                    type + " " + m.Rat,
                    m.Module,
                    psm ? "PSM" : "off between uploads",
                    (CellularEnergy.UploadMas(m, p, publishes, false) / 3600.0).ToString("F2", Inv),
                    m.PsmGranted ? (CellularEnergy.UploadMas(m, p, publishes, true) / 3600.0).ToString("F2", Inv) : "not granted",
                    (CellularEnergy.StayRegisteredMas(m, p, publishes, c.UploadSec) / 3600.0).ToString("F2", Inv),
                    CellularEnergy.DailyMah(c, p, m, psm).ToString("F1", Inv),
                    CellularEnergy.DailyMah(c, p, m, false).ToString("F1", Inv),
                    CellularEnergy.LifeDays(c, p, m, psm).ToString("F0", Inv),
                    CellularEnergy.SolarMargin(c, p, m, psm, EnergyDocTests.WorstPsh).ToString("F1", Inv) + "×",
                ];
            }
        }
    }

    [Fact]
    public void Prints_the_table()
    {
        output.WriteLine(Marker);
        output.WriteLine("| node | module | mode (chosen) | mAh per upload, off between | mAh per upload, PSM | mAh per upload interval, staying registered | mAh/day | mAh/day, off between (board without the enable latch) | days without sun | sun / load at PSH 1.0 |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in Rows())
        {
            output.WriteLine("| " + string.Join(" | ", r) + " |");
        }

        Assert.Equal(6, Rows().Count());
    }

    [Fact]
    public void Switching_the_cat1_module_off_beats_staying_registered_at_hourly_uploads()
    {
        var p = new PowerProfile();
        var m = CellularProfile.Cat1();
        foreach (var type in ShippedConfigs.Types)
        {
            DeviceConfig c = ShippedConfigs.Load(type);
            int publishes = CellularEnergy.Publishes(c);
            Assert.True(CellularEnergy.UploadMas(m, p, publishes, false) < CellularEnergy.StayRegisteredMas(m, p, publishes, c.UploadSec), type);
            Assert.False(CellularEnergy.ChoosePsm(m, p, publishes, c.UploadSec), type);
        }
    }

    [Fact]
    public void An_upload_from_off_adds_up_its_phases()
    {
        var m = new CellularProfile { PowerOnMs = 1000, BootMs = 1000, BootMa = 10, RegistrationMs = 1000, RegistrationMa = 20, AtStepsMs = 0, ConnectMs = 1000, RoundTripMs = 0, DataMa = 100, ConnectedIdleMa = 0, PowerOffMs = 1000, PowerOffMa = 5 };

        // 2 s × 10 + 1 s × 20 + (1 s + 2 × 0.1 s) × 100 + 1.5 s × 0 + 1 s × 5 = 165 mA·s.
        Assert.Equal(165.0, CellularEnergy.OffUploadModemMas(m, 2), 6);
        Assert.Equal(1000 + 1000 + 1000 + 1000 + 200 + 1500 + 1000, CellularEnergy.OffUploadMs(m, 2));
    }

    [Theory]
    [InlineData("hardware/common/power.md")]
    [InlineData("firmware/README.md")]
    public void Doc_table_matches_the_model_on_the_shipped_configs(string doc)
    {
        var lines = File.ReadAllLines(RepoPaths.Combine(doc.Split('/')));
        int at = Array.FindIndex(lines, l => l.Trim() == Marker);
        Assert.True(at >= 0, $"{doc}: no cellular energy table marker");
        var rows = new Dictionary<string, string[]>();
        for (int i = at + 3; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            var cells = lines[i].Trim().Trim('|').Split('|').Select(s => s.Trim()).ToArray();
            rows[cells[0]] = cells;
        }

        foreach (var r in Rows())
        {
            Assert.True(rows.ContainsKey(r[0]), $"{doc}: no row for {r[0]}");
            Assert.Equal(r, rows[r[0]]);
        }
    }
}
