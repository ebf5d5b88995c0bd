using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>Min/avg/max of one quantity over one period (from InfluxDB), in the quantity's own unit.</summary>
public readonly record struct Hj212Aggregate(string Quantity, double Min, double Avg, double Max);

/// <summary>
/// Turns readings and aggregates into framed packets for one station: pollutant codes (Appendix B plus
/// <c>ExtraCodes</c>), unit conversion, data flags, DataTime in the configured offset, splitting.
/// </summary>
public sealed class Hj212Composer
{
    private readonly Hj212Options _options;

    public Hj212Composer(Hj212Options options)
    {
        _options = options;
        Time = new Hj212Time(options.Offset);
    }

    public Hj212Time Time { get; }

    /// <summary>The pollutant code of a quantity, the factor to the code's unit and the decimals to print; null when it is not sent.</summary>
    public (string Code, double Factor, int Decimals)? CodeOf(Quantity quantity)
    {
        if (Hj212PollutantCodes.Standard.TryGetValue(quantity.Code, out var std))
        {
            // a factor of 0.1 (hPa → kPa) needs one more decimal to keep the resolution
            var extra = std.Factor < 1 ? (int)Math.Round(-Math.Log10(std.Factor)) : 0;
            return (std.Code, std.Factor, quantity.Decimals + extra);
        }

        return _options.ExtraCodes.TryGetValue(quantity.Code, out var code) ? (code, 1, quantity.Decimals) : null;
    }

    /// <summary>One real-time message (CN 2011) of the readings sampled at <paramref name="t"/>; empty when none has a code.</summary>
    public List<(string Qn, string Frame)> RealTime(Hj212Platform platform, Hj212Station station, long t, IEnumerable<Reading> readings, bool deviceStopping, Func<string> nextQn)
    {
        var items = new List<string>();
        foreach (var r in readings)
        {
            if (CodeOf(r.Quantity) is not { } c)
            {
                continue;
            }

            var flag = Hj212DataFlag.Of(r.Flags, deviceStopping);
            items.Add(r.Value is { } v
                ? $"{c.Code}-Rtd={Hj212Packet.Number(v * c.Factor, c.Decimals)},{c.Code}-Flag={flag}"
                : $"{c.Code}-Flag={flag}");
        }

        return items.Count == 0 ? [] : Frames(platform, station, Hj212Cn.RealTime, "DataTime=" + Time.DataTime(t), items, nextQn, platform.RequireAnswer);
    }

    /// <summary>
    /// One minute/hour/day message (CN 2051/2061/2031) for the period starting at <paramref name="start"/>:
    /// <c>code-Min,code-Avg,code-Max</c> per quantity. Cou (the standard's cumulative amount over the
    /// period) is not sent: none of the quantities is a flow or an amount.
    /// </summary>
    public List<(string Qn, string Frame)> Aggregate(Hj212Platform platform, Hj212Station station, string cn, long start, IEnumerable<Hj212Aggregate> aggregates, Func<string> nextQn, bool answerRequired)
    {
        var items = AggregateItems(aggregates);
        return items.Count == 0 ? [] : Frames(platform, station, cn, "DataTime=" + Time.DataTime(start), items, nextQn, answerRequired);
    }

    public List<string> AggregateItems(IEnumerable<Hj212Aggregate> aggregates)
    {
        var items = new List<string>();
        foreach (var a in aggregates.OrderBy(a => Quantities.Find(a.Quantity) is { } q && CodeOf(q) is { } c ? c.Code : a.Quantity, StringComparer.Ordinal))
        {
            if (Quantities.Find(a.Quantity) is not { } q || CodeOf(q) is not { } c)
            {
                continue;
            }

            // the average keeps three more decimals than a reading: it is not rounded to the sensor's resolution
            items.Add($"{c.Code}-Min={Hj212Packet.Number(a.Min * c.Factor, c.Decimals)},{c.Code}-Avg={Hj212Packet.Number(a.Avg * c.Factor, c.Decimals + 3)},{c.Code}-Max={Hj212Packet.Number(a.Max * c.Factor, c.Decimals)}");
        }

        return items;
    }

    /// <summary>A request's answer or result (9011/9012) or another reply with the request's QN.</summary>
    public static string Reply(Hj212Message request, string st, string cn, string cp) =>
        Hj212Packet.Frame(Hj212Packet.DataSegment(new Hj212Header(request.Qn, st, cn, request.Pw, request.Mn, Hj212Packet.Version2017), cp));

    private static List<(string Qn, string Frame)> Frames(Hj212Platform platform, Hj212Station station, string cn, string cpPrefix, List<string> items, Func<string> nextQn, bool answerRequired)
    {
        var header = new Hj212Header(nextQn(), station.St, cn, platform.Password, station.Mn, Hj212Packet.Version2017 | (answerRequired ? Hj212Packet.AnswerRequired : 0));
        return Hj212Packet.DataSegments(header, cpPrefix, items, nextQn).Select(p => (p.Qn, Hj212Packet.Frame(p.Segment))).ToList();
    }
}
