using System.Globalization;
using System.Text.Json;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Gateway.Validation;
using FirmwareQuantities = IoTMonitor.Firmware.Core.Protocol.Quantities;

namespace IoTMonitor.Gateway.Tests.Validation;

/// <summary>
/// The gateway's quantity vocabulary (Validation/Quantities.cs: the one table the decoder, the query
/// API, alert notices and <c>iotmon check</c> read) against the contract, docs/protocol.md §8, against
/// the firmware core's table and against the golden vectors.
/// </summary>
public sealed class QuantityVocabularyTests
{
    public sealed record Row(string Code, string Unit, double Resolution, double Min, double Max);

    /// <summary>The rows of the table in docs/protocol.md §8 (copied next to the test assembly).</summary>
    public static List<Row> ProtocolTable()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "docs", "protocol.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith("## 8.", StringComparison.Ordinal));
        Assert.True(start >= 0, "docs/protocol.md has no section '## 8.'");
        var section = lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).ToList();
        var table = section.SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Select(Cells).ToList();
        Assert.True(table.Count > 2, "docs/protocol.md §8 has no table");

        var header = table[0];
        int Column(string name)
        {
            var i = header.IndexOf(name);
            Assert.True(i >= 0, $"docs/protocol.md §8 table has no column '{name}' (columns: {string.Join(", ", header)})");
            return i;
        }

        int code = Column("code"), unit = Column("unit"), resolution = Column("resolution"), range = Column("plausible range");
        return table.Skip(2).Select(c =>
        {
            var ends = c[range].Split('–', StringSplitOptions.TrimEntries);
            Assert.True(ends.Length == 2, $"range '{c[range]}' of {c[code]} is not 'min – max'");
            return new Row(c[code].Trim('`'), c[unit], Number(c[resolution]), Number(ends[0]), Number(ends[1]));
        }).ToList();
    }

    private static List<string> Cells(string line) => line.Trim().Trim('|').Split('|', StringSplitOptions.TrimEntries).ToList();

    // The doc writes negative numbers with U+2212 MINUS SIGN.
    private static double Number(string text) => double.Parse(text.Replace('\u2212', '-'), NumberStyles.Float, CultureInfo.InvariantCulture);

    [Fact]
    public void The_vocabulary_is_the_protocol_table_row_for_row()
    {
        var doc = ProtocolTable();
        var code = Quantities.All.Select(q => new Row(q.Code, q.Unit, q.Resolution, q.Min, q.Max)).ToList();

        Missing("docs/protocol.md §8", "Validation/Quantities.cs", doc.Select(r => r.Code), code.Select(r => r.Code));
        Missing("Validation/Quantities.cs", "docs/protocol.md §8", code.Select(r => r.Code), doc.Select(r => r.Code));
        foreach (var (d, c) in doc.Zip(code))
        {
            Assert.True(d == c, $"docs/protocol.md §8 has {d}, Validation/Quantities.cs has {c}");
        }

        Assert.Equal(doc, code); // and in the same order
    }

    private static void Missing(string inWhere, string notInWhere, IEnumerable<string> codes, IEnumerable<string> others)
    {
        var missing = codes.Except(others).ToList();
        Assert.True(missing.Count == 0, $"in {inWhere}, not in {notInWhere}: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Domain_and_name_are_the_two_parts_of_the_code_and_resolution_is_a_power_of_ten()
    {
        string[] domains = ["water", "rain", "flow", "soil", "air", "device"]; // §9: the InfluxDB measurements
        Assert.All(Quantities.All, q =>
        {
            Assert.Equal(q.Code, q.Domain + "." + q.Name);
            Assert.Contains(q.Domain, domains);
            Assert.Equal(q.Resolution, Math.Pow(10, -q.Decimals), 12);
            Assert.True(q.Min < q.Max, q.Code);
            Assert.Same(q, Quantities.Find(q.Code));
        });
        Assert.Equal(Quantities.All.Count, Quantities.All.Select(q => q.Code).Distinct().Count());
        Assert.Null(Quantities.Find("water.salinity"));
        Assert.Null(Quantities.Find(null));
        Assert.Equal(string.Empty, Quantities.UnitOf("water.*"));

        // The FROM list of the queries over every reading (completeness by seq, latest values, CSV):
        // a measurement missing there would show a rain gauge's readings as sequence gaps.
        Assert.Equal(string.Join(", ", domains), Quantities.Measurements);
    }

    [Fact]
    public void Every_probe_quantity_has_a_commissioning_range_inside_its_plausible_range()
    {
        Assert.All(Quantities.All.Where(q => q.Domain != "device" || q.Commissioning is not null), q =>
        {
            Assert.True(q.Commissioning is { } c && c.Min < c.Max && c.Min >= q.Min && c.Max <= q.Max, $"{q.Code}: commissioning {q.Commissioning} outside plausible {q.Min} – {q.Max}");
        });
    }

    [Fact]
    public void The_firmware_core_table_has_the_same_codes_decimals_and_ranges()
    {
        // The firmware keeps its rows in queue-index order (soil.ph appended) and has no units.
        var firmware = Enumerable.Range(0, FirmwareQuantities.Count)
            .Select(i => (Code: FirmwareQuantities.Code(i), Decimals: FirmwareQuantities.Decimals(i), Min: FirmwareQuantities.Min(i), Max: FirmwareQuantities.Max(i)))
            .OrderBy(r => r.Code, StringComparer.Ordinal)
            .ToList();
        var gateway = Quantities.All
            .Select(q => (q.Code, q.Decimals, q.Min, q.Max))
            .OrderBy(r => r.Code, StringComparer.Ordinal)
            .ToList();

        Missing("the gateway", "the firmware core (Protocol/Quantities.cs)", gateway.Select(r => r.Code), firmware.Select(r => r.Code));
        Missing("the firmware core (Protocol/Quantities.cs)", "the gateway", firmware.Select(r => r.Code), gateway.Select(r => r.Code));
        foreach (var (g, f) in gateway.Zip(firmware))
        {
            Assert.True(g == f, $"gateway {g} but firmware core {f} (code, decimals, min, max)");
        }
        Assert.All(Quantities.All, q => Assert.Equal(q.Code, FirmwareQuantities.Code(FirmwareQuantities.IndexOf(q.Code))));
    }

    [Fact]
    public void Every_quantity_in_the_golden_vectors_is_in_the_vocabulary_and_encoded_at_its_resolution()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in Vectors.Names())
        {
            var v = Vectors.Load(name);
            var unknownAllowed = v.TryGetProperty("error", out var e) && e.GetString() == DecodeError.UnknownQuantity;
            var encoded = v.GetProperty("roles").EnumerateArray().Any(x => x.GetString() == "encode");
            foreach (var (code, wireValue) in Readings(v))
            {
                var q = Quantities.Find(code);
                Assert.True(q is not null || unknownAllowed, $"vector {name}: quantity '{code}' is not in the vocabulary");
                if (q is null)
                {
                    continue;
                }

                seen.Add(code);
                if (encoded && wireValue is { } x)
                {
                    Assert.True(Math.Round(x, q.Decimals) == x, $"vector {name}: the encoder sent {code} {x}, finer than its resolution {q.Resolution}");
                }
            }
        }

        Assert.NotEmpty(seen);
    }

    /// <summary>
    /// Quantity codes of a vector's readings: encoder input (<c>batch</c>), payload (when it is JSON)
    /// and <c>decoded</c>; with the value as on the wire for the decoded ones (inputs are unrounded).
    /// </summary>
    private static IEnumerable<(string Code, double? WireValue)> Readings(JsonElement v)
    {
        if (v.TryGetProperty("batch", out var batch) && batch.TryGetProperty("readings", out var input))
        {
            foreach (var r in input.EnumerateArray())
            {
                yield return (r.GetProperty("quantity").GetString()!, null);
            }
        }

        if (v.TryGetProperty("decoded", out var decoded))
        {
            foreach (var r in decoded.EnumerateArray())
            {
                yield return (r.GetProperty("quantity").GetString()!, r.GetProperty("value") is { ValueKind: JsonValueKind.Number } x ? x.GetDouble() : null);
            }
        }

        foreach (var code in PayloadCodes(v.GetProperty("payload").GetString()!))
        {
            yield return (code, null);
        }
    }

    private static List<string> PayloadCodes(string payload)
    {
        var codes = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("r", out var r) && r.ValueKind == JsonValueKind.Array)
            {
                codes.AddRange(r.EnumerateArray()
                    .Where(x => x.ValueKind == JsonValueKind.Array && x.GetArrayLength() > 2 && x[2].ValueKind == JsonValueKind.String)
                    .Select(x => x[2].GetString()!));
            }
        }
        catch (JsonException)
        {
            // the not-JSON and truncated vectors
        }

        return codes;
    }
}
