using System.Text.Json;
using IoTMonitor.Cli.Commands;
using CliQuantities = IoTMonitor.Cli.Vocabulary.Quantities;
using GatewayQuantities = IoTMonitor.Gateway.Validation.Quantities;

namespace IoTMonitor.Cli.Tests;

/// <summary>
/// <c>iotmon check</c> judges each probe by the gateway's quantity vocabulary (the gateway's
/// Validation/Quantities.cs compiled into the CLI): its commissioning range, else its plausible range.
/// No servers: <see cref="CheckCommand.Evaluate"/> on a device entry and latest values given as JSON.
/// </summary>
public sealed class CheckRanges_Tests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_764_320_400);

    [Fact]
    public void The_cli_vocabulary_is_the_gateways()
    {
        var cli = CliQuantities.All.Select(q => (q.Code, q.Unit, q.Resolution, q.Min, q.Max, q.Commissioning));
        var gateway = GatewayQuantities.All.Select(q => (q.Code, q.Unit, q.Resolution, q.Min, q.Max, q.Commissioning));
        Assert.Equal(gateway, cli);
    }

    [Theory]
    [InlineData("soil.ph", 6.8, CheckCommand.Verdict.Pass)]
    [InlineData("soil.ph", 9.6, CheckCommand.Verdict.Fail)]
    [InlineData("water.ph", 5.9, CheckCommand.Verdict.Fail)]
    [InlineData("air.co2", 420, CheckCommand.Verdict.Pass)]
    public void A_probe_is_judged_by_its_commissioning_range(string code, double value, CheckCommand.Verdict verdict)
    {
        var row = Probe(code, value);
        Assert.Equal(verdict, row.Verdict);
        var c = GatewayQuantities.Find(code)!.Commissioning!.Value;
        Assert.Equal(FormattableString.Invariant($"{c.Min} … {c.Max}"), row.Expected);
    }

    [Fact]
    public void Soil_ph_has_the_soil_range_not_the_water_one()
    {
        Assert.Equal("4.5 … 9", CheckCommand.ExpectedRange("soil.ph").Text);
        Assert.Equal("6 … 9.5", CheckCommand.ExpectedRange("water.ph").Text);
    }

    [Fact]
    public void A_quantity_without_a_commissioning_range_is_judged_by_its_plausible_range()
    {
        Assert.Equal("plausible -120 … 0", CheckCommand.ExpectedRange("device.rssi").Text);
        Assert.Equal(CheckCommand.Verdict.Pass, Probe("device.rssi", -70).Verdict);
        Assert.Equal(CheckCommand.Verdict.Fail, Probe("device.rssi", 5).Verdict);
    }

    [Fact]
    public void A_configured_code_outside_the_vocabulary_is_named_as_such()
    {
        var doc = new DeviceDoc("wq-0009", 900, 3600, 50, ["water.salinity"], [(0, 5)], "{}");
        var rows = CheckCommand.Evaluate("wq-0009", Entry(), Latest("water.ph", 7), null, doc, Now, TimeSpan.FromHours(2));
        var row = Assert.Single(rows, r => r.Check == "probe water.salinity");
        Assert.Equal(CheckCommand.Verdict.Fail, row.Verdict);
        Assert.Equal("not in the vocabulary", row.Expected);
        Assert.Contains("not a protocol quantity code", row.Note, StringComparison.Ordinal);
    }

    private static CheckCommand.CheckRow Probe(string code, double value)
    {
        var rows = CheckCommand.Evaluate("n1", Entry(), Latest(code, value), null, null, Now, TimeSpan.FromHours(2));
        return Assert.Single(rows, r => r.Check == "probe " + code);
    }

    private static JsonElement Entry() => Json($$"""{"id":"n1","site":"s1","enabled":true,"lastSeen":"{{Now.AddMinutes(-5):O}}","battery":3.9,"rssi":-60,"boot":1,"highestSequence":10}""");

    private static JsonElement Latest(string code, double value) =>
        Json(FormattableString.Invariant($$"""[{"site":"s1","device":"n1","quantity":"{{code}}","t":{{Now.ToUnixTimeSeconds() - 300}},"value":{{value}},"flags":0}]"""));

    private static JsonElement Json(string text)
    {
        using var d = JsonDocument.Parse(text);
        return d.RootElement.Clone();
    }
}
