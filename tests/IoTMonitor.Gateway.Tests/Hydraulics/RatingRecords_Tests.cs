using IoTMonitor.Gateway.Hydraulics;

namespace IoTMonitor.Gateway.Tests.Hydraulics;

public sealed class RatingRecords_Tests
{
    private static RatingRecord Build(RatingOptions o)
    {
        var r = o.Build(out var error);
        Assert.True(r is not null, error);
        return r!;
    }

    [Fact]
    public void The_record_in_force_at_the_sampling_time_rates_the_reading_with_its_own_zero()
    {
        var first = Build(new RatingOptions { Id = "rating-a", At = 1000, Kind = "parshall", Throat = "2ft", Zero = 0.10 });
        var second = Build(new RatingOptions { Id = "rating-b", At = 5000, Kind = "parshall", Throat = "2ft", Zero = 0.12 });
        var site = new SiteRatings([second, first]);

        var (before, none) = site.Rate(999, 0.5, null);
        Assert.Null(none);
        Assert.Equal(RatingQuality.NoValue, before.Quality);
        Assert.Contains("no rating record in force", before.Reason, StringComparison.Ordinal);

        var (a, ra) = site.Rate(4999, 0.76, null);
        Assert.Equal("rating-a", ra!.Id);
        Assert.Equal(0.66, a.Head, 9);
        Assert.Equal(0.75, a.Flow!.Value, 2);

        var (b, rb) = site.Rate(5000, 0.78, null);
        Assert.Equal("rating-b", rb!.Id);
        Assert.Equal(0.66, b.Head, 9);
    }

    [Fact]
    public void The_downstream_gauge_is_read_against_its_own_zero_for_submergence()
    {
        var r = Build(new RatingOptions { Id = "r", Kind = "parshall", Throat = "2ft", Zero = 0.10, DownstreamZero = 0.30 });
        Assert.Equal(RatingQuality.None, r.Rate(0.60, 0.30 + 0.34).Quality); // Hb/Ha = 0.68
        Assert.Equal(RatingQuality.Submerged | RatingQuality.NoValue, r.Rate(0.60, 0.30 + 0.36).Quality); // 0.72 > 0.70
    }

    [Fact]
    public void Two_records_starting_together_are_refused()
    {
        var a = Build(new RatingOptions { Id = "a", At = 10, Kind = "parshall", Throat = "1ft" });
        var b = Build(new RatingOptions { Id = "b", At = 10, Kind = "parshall", Throat = "2ft" });
        var e = Assert.Throws<ArgumentException>(() => new SiteRatings([a, b]));
        Assert.Contains("start at the same time", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "parshall", "id must be")]
    [InlineData("r", "orifice", "kind 'orifice' is not one of")]
    [InlineData("r", "v-notch", "fully contracted")]
    [InlineData("r", "rectangular", "crestWidth ≥ 0.15 m")]
    [InlineData("r", "table", "2–64 points")]
    [InlineData("r", "parshall", "unknown Parshall throat")]
    public void A_record_that_cannot_rate_is_refused_with_a_reason(string id, string kind, string expected)
    {
        Assert.Null(new RatingOptions { Id = id, Kind = kind }.Build(out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_kind_builds_from_its_keys()
    {
        Assert.IsType<VNotchWeir>(Build(new RatingOptions { Id = "v", Kind = "v-notch", Angle = 60, CrestHeight = 0.5, ChannelWidth = 1.2 }).Structure);
        Assert.IsType<RectangularWeir>(Build(new RatingOptions { Id = "w", Kind = "rectangular", CrestWidth = 0.5, ChannelWidth = 1.0, CrestHeight = 0.3 }).Structure);
        Assert.IsType<StageDischargeTable>(Build(new RatingOptions { Id = "t", Kind = "table", Points = [[0.1, 0], [0.4, 0.3]] }).Structure);
    }
}

public sealed class MeteringOptions_Tests
{
    [Fact]
    public void Configuration_errors_name_the_site_and_record()
    {
        var options = new IoTMonitor.Gateway.Metering.MeteringOptions();
        options.Sites["canal-3"] = new()
        {
            Ratings =
            [
                new RatingOptions { Id = "a", At = 10, Kind = "parshall", Throat = "2ft", DownstreamZero = 0.2 },
                new RatingOptions { Id = "b", At = 10, Kind = "parshall", Throat = "3ft" },
                new RatingOptions { Id = "c", At = 20, Kind = "v-notch", CrestHeight = 0.2 },
            ],
        };
        options.Sites["empty"] = new();
        var errors = options.Validate().ToList();
        Assert.Contains("Metering:Sites:canal-3: Ratings[0]: downstreamZero is set but the site names no DownstreamDevice", errors);
        Assert.Contains("Metering:Sites:canal-3: Ratings[1]: 'b' starts at 10 like 'a': which holds cannot be known", errors);
        Assert.Contains(errors, e => e.StartsWith("Metering:Sites:canal-3: Ratings[2]: a fully contracted V-notch", StringComparison.Ordinal));
        Assert.Contains("Metering:Sites:empty: Ratings must hold at least one record", errors);
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Allocations_and_deliveries_are_checked_and_named()
    {
        var options = new IoTMonitor.Gateway.Metering.MeteringOptions { AlertCheckSeconds = 0 };
        options.Sites["m"] = new() { Source = "meter" };
        options.Districts["d"] = new()
        {
            Channels =
            {
                ["c"] = new()
                {
                    Sites = ["m"],
                    Allocations =
                    [
                        new() { Id = "spring", From = 100, To = 200, Volume = 5000 },
                        new() { Id = "spring", From = 100, To = 200, Volume = 5000 },
                        new() { Id = "round-2", From = 300, To = 300, Volume = 0 },
                    ],
                    Deliveries = [new() { From = 100, To = 200 }, new() { From = 200, To = 100, MinFlow = -1 }],
                },
            },
        };
        var errors = options.Validate().ToList();
        Assert.Contains("Metering:AlertCheckSeconds must be 1–3600", errors);
        Assert.Contains("Metering:Districts:d:Channels:c: Allocations[1]: Id must be 1–32 characters and unique in the channel", errors);
        Assert.Contains("Metering:Districts:d:Channels:c: Allocations[2]: From < To (Unix seconds) and Volume > 0 m³", errors);
        Assert.Contains("Metering:Districts:d:Channels:c: Deliveries[1]: From < To (Unix seconds) and MinFlow, when set, > 0 m³/s", errors);
        Assert.Equal(4, errors.Count);
    }
}
