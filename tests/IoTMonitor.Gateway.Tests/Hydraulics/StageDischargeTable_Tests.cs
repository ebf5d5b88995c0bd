using IoTMonitor.Gateway.Hydraulics;

namespace IoTMonitor.Gateway.Tests.Hydraulics;

public sealed class StageDischargeTable_Tests
{
    private static StageDischargeTable Table(params double[][] points) =>
        StageDischargeTable.Create(points.Select(p => (IReadOnlyList<double>)p).ToList(), out _)!;

    [Fact]
    public void Between_points_the_discharge_is_interpolated_and_on_a_point_it_is_the_point()
    {
        var t = Table([0.10, 0.0], [0.30, 0.40], [0.50, 1.20]);
        Assert.Equal(0.40, t.Rate(0.30, null).Flow!.Value, 12);
        Assert.Equal(0.20, t.Rate(0.20, null).Flow!.Value, 12);
        Assert.Equal(0.80, t.Rate(0.40, null).Flow!.Value, 12);
        Assert.Equal(RatingQuality.None, t.Rate(0.45, null).Quality);
    }

    [Fact]
    public void Below_a_cease_to_flow_point_is_zero_and_beyond_the_table_is_no_value()
    {
        var t = Table([0.10, 0.0], [0.50, 1.20]);
        Assert.Equal(Discharge.Good(0, 0.05), t.Rate(0.05, null));
        var above = t.Rate(0.51, null);
        Assert.Null(above.Flow);
        Assert.Equal(RatingQuality.OutOfRange | RatingQuality.NoValue, above.Quality);
        Assert.Contains("not extrapolated", above.Reason, StringComparison.Ordinal);

        var flowing = Table([0.10, 0.05], [0.50, 1.20]);
        Assert.Equal(RatingQuality.OutOfRange | RatingQuality.NoValue, flowing.Rate(0.05, null).Quality);
    }

    [Fact]
    public void A_table_that_is_not_a_rating_is_refused_with_the_point_named()
    {
        Assert.Null(StageDischargeTable.Create([[0.1, 0]], out var one));
        Assert.Contains("2–64 points", one, StringComparison.Ordinal);
        Assert.Null(StageDischargeTable.Create([[0.1, 0], [0.1, 0.2]], out var flat));
        Assert.Contains("points[1]: heads must rise", flat, StringComparison.Ordinal);
        Assert.Null(StageDischargeTable.Create([[0.1, 0.3], [0.2, 0.2]], out var falling));
        Assert.Contains("points[1]: discharge may not fall", falling, StringComparison.Ordinal);
        Assert.Null(StageDischargeTable.Create([[0.1, 0], [0.2]], out var shape));
        Assert.Contains("points[1] must be", shape, StringComparison.Ordinal);
    }
}
