namespace IoTMonitor.Gateway.Hydraulics;

/// <summary>
/// A site's own rating: stage–discharge points measured at a natural or non-standard section,
/// interpolated linearly between neighbouring points and never beyond them (ISO 1100-2's rule that
/// a rating is used only within the range of its gaugings). Below the first point the discharge is 0
/// when that point is the cease-to-flow stage (discharge 0), otherwise unknown; above the last point it
/// is unknown. Heads are the gauge's stage minus the record's zero, as for the structures.
/// </summary>
public sealed class StageDischargeTable : IStructureRating
{
    /// <summary>Most points a table may hold (enough for a season's gaugings; keeps the config small).</summary>
    public const int MaxPoints = 64;

    private readonly double[] _head;
    private readonly double[] _flow;

    private StageDischargeTable(double[] head, double[] flow)
    {
        _head = head;
        _flow = flow;
    }

    public string Describe => $"rating table of {_head.Length} points";

    public double MinHead => _head[0];

    public double MaxHead => _head[^1];

    /// <summary>A table from [head m, discharge m³/s] points in rising head; null with <paramref name="error"/> when they do not make a rating.</summary>
    public static StageDischargeTable? Create(IReadOnlyList<IReadOnlyList<double>> points, out string? error)
    {
        error = null;
        if (points.Count is < 2 or > MaxPoints)
        {
            error = $"a rating table needs 2–{MaxPoints} points [head, discharge]";
            return null;
        }

        var head = new double[points.Count];
        var flow = new double[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            if (points[i].Count != 2 || !double.IsFinite(points[i][0]) || !double.IsFinite(points[i][1]) || points[i][1] < 0)
            {
                error = $"points[{i}] must be [head m, discharge m³/s ≥ 0]";
                return null;
            }

            head[i] = points[i][0];
            flow[i] = points[i][1];
            if (i > 0 && !(head[i] > head[i - 1]))
            {
                error = $"points[{i}]: heads must rise strictly ({head[i]} after {head[i - 1]})";
                return null;
            }

            if (i > 0 && flow[i] < flow[i - 1])
            {
                error = $"points[{i}]: discharge may not fall as the head rises ({flow[i]} after {flow[i - 1]})";
                return null;
            }
        }

        return new StageDischargeTable(head, flow);
    }

    public Discharge Rate(double head, double? downstreamHead)
    {
        if (head < _head[0])
        {
            return _flow[0] == 0
                ? Discharge.Good(0, head)
                : Discharge.None(head, RatingQuality.OutOfRange, $"head {head:0.###} m below the table's lowest point {_head[0]:0.###} m");
        }

        if (head > _head[^1])
        {
            return Discharge.None(head, RatingQuality.OutOfRange, $"head {head:0.###} m above the table's highest point {_head[^1]:0.###} m: a table is not extrapolated");
        }

        var i = Array.BinarySearch(_head, head);
        if (i >= 0)
        {
            return Discharge.Good(_flow[i], head);
        }

        var upper = ~i;
        var lower = upper - 1;
        var fraction = (head - _head[lower]) / (_head[upper] - _head[lower]);
        return Discharge.Good(_flow[lower] + ((_flow[upper] - _flow[lower]) * fraction), head);
    }
}
