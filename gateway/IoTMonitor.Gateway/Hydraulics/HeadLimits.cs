namespace IoTMonitor.Gateway.Hydraulics;

/// <summary>The head checks every structure shares: no flow at or below the datum, flagged outside the published range.</summary>
internal static class HeadLimits
{
    /// <summary>Applies the range check to a value the structure's equation gave; a head at or below 0 is no flow over the crest/floor (exactly 0, good).</summary>
    public static Discharge Check(IStructureRating rating, double head, Func<double, double> equation)
    {
        if (head <= 0)
        {
            return Discharge.Good(0, head);
        }

        var q = equation(head);
        if (head < rating.MinHead)
        {
            return Discharge.Flagged(q, head, $"head {head:0.###} m below the rating's lowest {rating.MinHead:0.###} m ({rating.Describe})");
        }

        if (head > rating.MaxHead)
        {
            return Discharge.Flagged(q, head, $"head {head:0.###} m above the rating's highest {rating.MaxHead:0.###} m ({rating.Describe})");
        }

        return Discharge.Good(q, head);
    }
}
