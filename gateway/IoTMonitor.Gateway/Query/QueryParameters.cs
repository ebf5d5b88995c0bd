using System.Globalization;
using System.Text.RegularExpressions;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Query;

/// <summary>A request parameter was missing or wrong; the message names it and says what is expected (answered as 400).</summary>
public sealed class BadQueryException(string message) : Exception(message);

/// <summary>The aggregates a series request may ask for.</summary>
public static class Aggregates
{
    public static readonly IReadOnlyList<string> All = ["mean", "min", "max", "last", "count"];
}

/// <summary>Parses and checks the query-string parameters shared by the query endpoints.</summary>
public static partial class QueryParameters
{
    [GeneratedRegex("^([1-9][0-9]{0,5})(s|m|h|d)$")]
    private static partial Regex WindowPattern();

    public static string Id(string? value, string name)
    {
        if (value is null || !TopicName.IsValidId(value))
        {
            throw new BadQueryException($"{name} must be an id matching ^[a-z0-9][a-z0-9_-]{{0,31}}$ (got '{value}')");
        }

        return value;
    }

    public static string? OptionalId(string? value, string name) => string.IsNullOrEmpty(value) ? null : Id(value, name);

    /// <summary>A comma-separated list of ids (the parameter may also repeat); empty = none given.</summary>
    public static List<string> Ids(IEnumerable<string?> values, string name)
    {
        var list = new List<string>();
        foreach (var v in values)
        {
            if (string.IsNullOrEmpty(v))
            {
                continue;
            }

            foreach (var part in v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var id = Id(part, name);
                if (!list.Contains(id))
                {
                    list.Add(id);
                }
            }
        }

        return list;
    }

    public static Quantity Quantity(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new BadQueryException("quantity is required, e.g. quantity=water.ph (codes in docs/protocol.md §8)");
        }

        return Validation.Quantities.Find(value) ?? throw new BadQueryException($"quantity '{value}' is not in the vocabulary: {string.Join(", ", Validation.Quantities.All.Select(q => q.Code))}");
    }

    /// <summary>
    /// The last second InfluxDB 1.x can store or be asked about: its times are int64 nanoseconds since the
    /// epoch (models.MaxNanoTime = 2262-04-11T23:47:16.854775806Z), and a query past it fails with
    /// "overflowed duration". Every time parameter is held to 0 (the epoch) – this, in either form.
    /// </summary>
    public const long MaxTime = 9_223_372_036;

    /// <summary>A time as ISO 8601 (<c>2026-01-31T00:00:00Z</c>) or Unix seconds, from the epoch to <see cref="MaxTime"/>.</summary>
    public static long Time(string? value, string name, long fallback)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return InRange(seconds, value, name);
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return InRange(t.ToUnixTimeSeconds(), value, name);
        }

        throw new BadQueryException($"{name} must be ISO 8601 (e.g. 2026-01-31T00:00:00Z) or Unix seconds (got '{value}')");
    }

    private static long InRange(long seconds, string value, string name) =>
        seconds is >= 0 and <= MaxTime
            ? seconds
            : throw new BadQueryException($"{name} must be from 1970-01-01T00:00:00Z to 2262-04-11T23:47:16Z (Unix seconds 0–{MaxTime}, the times InfluxDB stores; got '{value}')");

    /// <summary>An optional time (as <see cref="Time"/>); null when not given.</summary>
    public static DateTimeOffset? OptionalTime(string? value, string name) =>
        string.IsNullOrEmpty(value) ? null : DateTimeOffset.FromUnixTimeSeconds(Time(value, name, 0));

    /// <summary>A count of items to return: a whole number 1..<paramref name="max"/>; <paramref name="fallback"/> when not given.</summary>
    public static int Limit(string? value, int fallback, int max, string name = "limit")
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > max)
        {
            throw new BadQueryException($"{name} must be a whole number 1–{max} (got '{value}')");
        }

        return n;
    }

    /// <summary>Checks <paramref name="from"/> &lt; <paramref name="to"/> and the range limit.</summary>
    public static void Range(long from, long to, QueryOptions options)
    {
        if (from >= to)
        {
            throw new BadQueryException("from must be before to");
        }

        if (to - from > options.MaxRangeDays * 86400L)
        {
            throw new BadQueryException($"the range is longer than Query:MaxRangeDays ({options.MaxRangeDays} days): narrow it");
        }
    }

    /// <summary>A window such as <c>30s</c>, <c>1m</c>, <c>1h</c>, <c>1d</c>; returns seconds.</summary>
    public static long Window(string? value, string name = "window")
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new BadQueryException($"{name} is required: a duration such as 1m, 15m, 1h or 1d");
        }

        var m = WindowPattern().Match(value);
        if (!m.Success)
        {
            throw new BadQueryException($"{name} must be a whole number followed by s, m, h or d, e.g. 1m or 1d (got '{value}')");
        }

        var n = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var seconds = n * m.Groups[2].Value switch { "s" => 1, "m" => 60, "h" => 3600, _ => 86400 };
        if (seconds > 366 * 86400L)
        {
            throw new BadQueryException($"{name} must be at most 366d");
        }

        return seconds;
    }

    public static string Aggregate(string? value)
    {
        var agg = string.IsNullOrEmpty(value) ? "mean" : value;
        if (!Aggregates.All.Contains(agg))
        {
            throw new BadQueryException($"agg must be one of {string.Join(", ", Aggregates.All)} (got '{value}')");
        }

        return agg;
    }

    /// <summary>Formats seconds as the shortest exact InfluxQL duration.</summary>
    public static string Duration(long seconds) =>
        seconds % 86400 == 0 ? $"{seconds / 86400}d" : seconds % 3600 == 0 ? $"{seconds / 3600}h" : seconds % 60 == 0 ? $"{seconds / 60}m" : $"{seconds}s";
}
