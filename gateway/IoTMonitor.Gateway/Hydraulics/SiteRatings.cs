namespace IoTMonitor.Gateway.Hydraulics;

/// <summary>The rating records of one site, the one in force chosen by sampling time.</summary>
public sealed class SiteRatings
{
    private readonly RatingRecord[] _byStart;

    public SiteRatings(IEnumerable<RatingRecord> records)
    {
        _byStart = [.. records.OrderBy(r => r.At)];
        for (var i = 1; i < _byStart.Length; i++)
        {
            if (_byStart[i].At == _byStart[i - 1].At)
            {
                throw new ArgumentException($"rating records '{_byStart[i - 1].Id}' and '{_byStart[i].Id}' start at the same time {_byStart[i].At}: which holds cannot be known");
            }
        }
    }

    public IReadOnlyList<RatingRecord> Records => _byStart;

    /// <summary>The record in force at <paramref name="unixSeconds"/>: the latest whose <c>at</c> is not after it; null before the first.</summary>
    public RatingRecord? InForce(long unixSeconds)
    {
        RatingRecord? found = null;
        foreach (var r in _byStart)
        {
            if (r.At > unixSeconds)
            {
                break;
            }

            found = r;
        }

        return found;
    }

    /// <summary>The discharge of a stage sampled at <paramref name="unixSeconds"/>, with the record that rated it (null when none was in force).</summary>
    public (Discharge Discharge, RatingRecord? Record) Rate(long unixSeconds, double stage, double? downstreamStage)
    {
        var record = InForce(unixSeconds);
        return record is null
            ? (Discharge.None(double.NaN, RatingQuality.None, $"no rating record in force at {unixSeconds} (the first starts at {(_byStart.Length > 0 ? _byStart[0].At : 0)})"), null)
            : (record.Rate(stage, downstreamStage), record);
    }
}
