using System.Text;
using IoTMonitor.Gateway.Query;

namespace IoTMonitor.Gateway.Api.Tests.Api;

/// <summary>The UTF-8 point reader of the series paths reads what the general chunk parser reads.</summary>
public sealed class InfluxAnswerTests
{
    private const string Chunk = """
        {"results":[{"statement_id":0,"series":[{"name":"water","tags":{"device":"d1","site":"s1"},"columns":["time","mean"],"values":[[1700000000,7.25],[1700000060,null],[1700000120,8],[1700000180,-1.5e-3]],"partial":true},{"name":"water","tags":{"device":"d2","site":"s2"},"columns":["time","mean"],"values":[[1700000000,1]]}],"partial":true}]}
        """;

    [Fact]
    public void Points_reader_agrees_with_the_general_parser_and_leaves_out_nulls()
    {
        var points = InfluxQueryClient.ParsePoints(Encoding.UTF8.GetBytes(Chunk));
        var general = InfluxQueryClient.ParseChunk(Chunk);
        Assert.Equal(general.Count, points.Count);
        for (var i = 0; i < general.Count; i++)
        {
            Assert.Equal(general[i].Name, points[i].Name);
            Assert.Equal(general[i].Tags, points[i].Tags);
            var expected = general[i].Rows.Where(r => r[1] is not null).Select(r => new SeriesPoint(InfluxQueryClient.AsLong(r[0]), InfluxQueryClient.AsDouble(r[1])!.Value));
            Assert.Equal(expected, points[i].Points);
        }

        Assert.Equal([new SeriesPoint(1700000000, 7.25), new SeriesPoint(1700000120, 8), new SeriesPoint(1700000180, -0.0015)], points[0].Points);
    }

    [Theory]
    [InlineData("""{"error":"database not found: x"}""", "database not found: x")]
    [InlineData("""{"results":[{"statement_id":0,"error":"invalid duration"}]}""", "invalid duration")]
    public void Errors_in_an_answer_become_InfluxQueryException(string json, string message)
    {
        var e = Assert.Throws<InfluxQueryException>(() => InfluxQueryClient.ParsePoints(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_without_series_has_no_points() =>
        Assert.Empty(InfluxQueryClient.ParsePoints("""{"results":[{"statement_id":0}]}"""u8));

    [Theory]
    [InlineData("mean", new[] { 2.0, 6.0 })]
    [InlineData("min", new[] { 1.0, 5.0 })]
    [InlineData("max", new[] { 3.0, 7.0 })]
    [InlineData("last", new[] { 3.0, 7.0 })]
    [InlineData("count", new[] { 3.0, 3.0 })]
    public void Fold_makes_epoch_aligned_windows(string agg, double[] expected)
    {
        List<SeriesPoint> raw = [new(0, 1), new(30, 3), new(59, 2), new(120, 5), new(150, 7), new(179, 6)];
        if (agg == "last")
        {
            raw = [new(0, 1), new(30, 2), new(59, 3), new(120, 5), new(150, 6), new(179, 7)];
        }

        var folded = SeriesQuery.Fold(raw, 60, agg);
        Assert.Equal([0L, 120L], folded.Select(p => p.T));
        Assert.Equal(expected, folded.Select(p => p.Value));
    }
}
