using System.Globalization;
using System.Text.RegularExpressions;

namespace IoTMonitor.Firmware.Tests;

/// <summary>
/// hardware/{type}/bom.csv is orderable: every line names a manufacturer, a part number and a second
/// source (or says why there is none), a quantity, unit prices at 1/10/100 that do not rise with the
/// quantity, the price date and whether the price is an estimate, and whether the part was checked
/// against its datasheet; the totals per node in hardware/README.md are the sums of the lines.
/// </summary>
public partial class BomTests
{
    public static TheoryData<string> Types => new() { "water", "soil", "air" };

    private const string Header = "part,manufacturer,mpn,second_source,quantity,description,unit_usd_1,unit_usd_10,unit_usd_100,price_date,price_basis,verified";

    private sealed record Line(string Part, string Manufacturer, string Mpn, string SecondSource, int Quantity, decimal[] Prices, string Date, string Basis, string Verified);

    private static List<Line> Read(string type)
    {
        var lines = File.ReadAllLines(RepoPaths.Combine("hardware", type, "bom.csv"));
        Assert.Equal(Header, lines[0]);
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var c = Csv(l);
            Assert.True(c.Count == 12, $"{type}: {l}");
            return new Line(c[0], c[1], c[2], c[3], int.Parse(c[4], CultureInfo.InvariantCulture),
                [decimal.Parse(c[6], CultureInfo.InvariantCulture), decimal.Parse(c[7], CultureInfo.InvariantCulture), decimal.Parse(c[8], CultureInfo.InvariantCulture)], c[9], c[10], c[11]);
        }).ToList();
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Every_line_is_orderable(string type)
    {
        var bom = Read(type);
        Assert.NotEmpty(bom);
        Assert.Equal(bom.Count, bom.Select(b => b.Part).Distinct().Count());
        foreach (var b in bom)
        {
            Assert.False(string.IsNullOrWhiteSpace(b.Manufacturer), $"{type}/{b.Part}: no manufacturer");
            Assert.False(string.IsNullOrWhiteSpace(b.Mpn), $"{type}/{b.Part}: no part number");
            Assert.DoesNotContain(" class", b.Mpn, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(b.SecondSource), $"{type}/{b.Part}: no second source (write 'none: why')");
            Assert.True(b.Quantity > 0, $"{type}/{b.Part}: quantity {b.Quantity}");
            Assert.True(b.Prices[0] > 0 && b.Prices[0] >= b.Prices[1] && b.Prices[1] >= b.Prices[2], $"{type}/{b.Part}: prices {string.Join('/', b.Prices)}");
            Assert.Matches(@"^\d{4}-\d{2}$", b.Date);
            Assert.Contains(b.Basis, new[] { "estimate", "quote", "catalogue" });
            Assert.Contains(b.Verified, new[] { "datasheet", "suggestion" });
        }
    }

    [Fact]
    public void The_water_node_lists_the_ads1115_its_pin_map_wires()
    {
        Assert.Contains(Read("water"), b => b.Part == "ads1115_board" && b.Mpn.Contains("ADS1115", StringComparison.Ordinal));
        Assert.Contains(File.ReadAllLines(RepoPaths.Combine("hardware", "water", "pinmap.csv")), l => l.StartsWith("i2c_sda,18,i2c_sda,ph;ec;do;turbidity;rtc,", StringComparison.Ordinal));
    }

    /// <summary>Every shipped config names the DS3231 backup RTC (hardware/common/rtc-backup.md): its board orders the chip, the cell and the holder.</summary>
    [Theory]
    [MemberData(nameof(Types))]
    public void A_node_whose_config_names_the_rtc_orders_the_ds3231_its_cell_and_holder(string type)
    {
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(ConfigPins.ConfigPath(type)));
        Assert.True(config.RootElement.TryGetProperty("rtc", out var rtc), $"{type}: the shipped config names no rtc");
        Assert.Equal("ds3231", rtc.GetProperty("kind").GetString());
        var bom = Read(type);
        Assert.Contains(bom, b => b.Part == "rtc_ds3231" && b.Mpn.StartsWith("DS3231", StringComparison.Ordinal) && b.Quantity == 1);
        Assert.Contains(bom, b => b.Part == "rtc_cell" && b.Mpn.Contains("CR2032", StringComparison.Ordinal) && b.Quantity == 1);
        Assert.Contains(bom, b => b.Part == "rtc_cell_holder" && b.Quantity == 1);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void The_readme_totals_are_the_sums_of_the_lines(string type)
    {
        var bom = Read(type);
        var readme = File.ReadAllText(RepoPaths.Combine("hardware", "README.md"));
        var m = new Regex($@"^\| {type} \| ([0-9.]+) \| ([0-9.]+) \| ([0-9.]+) \|", RegexOptions.Multiline).Match(readme);
        Assert.True(m.Success, $"hardware/README.md has no totals row for {type}");
        for (var i = 0; i < 3; i++)
        {
            var sum = bom.Sum(b => b.Quantity * b.Prices[i]);
            Assert.Equal(sum, decimal.Parse(m.Groups[i + 1].Value, CultureInfo.InvariantCulture));
        }
    }

    // RFC 4180 fields: quoted fields may hold commas and doubled quotes.
    internal static List<string> Csv(string line)
    {
        var fields = new List<string>();
        var sb = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    sb.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(ch);
            }
        }

        fields.Add(sb.ToString());
        return fields;
    }
}
