using IoTMonitor.Gateway.Hydraulics;

namespace IoTMonitor.Gateway.Tests.Hydraulics;

/// <summary>
/// The structure ratings against published figures (docs/references.md "Flow measurement"): each
/// expected value below is printed in the source named beside it, not computed by the code under test.
/// </summary>
public sealed class Structures_Tests
{
    private const double Ft = 0.3048;
    private const double Cfs = 0.028316846592;

    // Bos 1989 table 7.3: the metric free-flow coefficient (Q m³/s for ha m) and exponent of each standard throat.
    public static TheoryData<string, double, double> BosMetric => new()
    {
        { "1in", 0.0604, 1.55 }, { "2in", 0.1207, 1.55 }, { "3in", 0.1771, 1.55 }, { "6in", 0.3812, 1.58 },
        { "9in", 0.5354, 1.53 }, { "1ft", 0.6909, 1.522 }, { "1.5ft", 1.056, 1.538 }, { "2ft", 1.428, 1.550 },
        { "3ft", 2.184, 1.566 }, { "4ft", 2.953, 1.578 }, { "5ft", 3.732, 1.587 }, { "6ft", 4.519, 1.595 },
        { "7ft", 5.312, 1.601 }, { "8ft", 6.112, 1.607 }, { "10ft", 7.463, 1.6 }, { "12ft", 8.859, 1.6 },
        { "15ft", 10.96, 1.6 }, { "20ft", 14.45, 1.6 }, { "25ft", 17.94, 1.6 }, { "30ft", 21.44, 1.6 },
        { "40ft", 28.43, 1.6 }, { "50ft", 35.41, 1.6 },
    };

    [Theory]
    [MemberData(nameof(BosMetric))]
    public void Every_Parshall_throat_gives_the_metric_table_of_Bos_from_the_USBR_equation(string throat, double metricC, double n)
    {
        var flume = ParshallFlume.Create(throat, null, null, out var error)!;
        Assert.Null(error);
        foreach (var ha in new[] { flume.MinHead, (flume.MinHead + flume.MaxHead) / 2, flume.MaxHead })
        {
            var published = metricC * Math.Pow(ha, n);
            Assert.InRange(flume.FreeFlow(ha) / published, 0.9990, 1.0010);
        }
    }

    [Fact]
    public void A_2ft_flume_at_0_66_m_passes_0_75_m3s_as_in_the_Utah_State_lecture_example()
    {
        // Merkley, BIE 5300/6300 Lecture 2 (Utah State University, 2005): 0.75 m³/s in a 0.61 m flume needs hu = (0.75/1.429)^(1/1.55) = 0.66 m.
        var flume = ParshallFlume.Create("2ft", null, null, out _)!;
        var q = flume.Rate(0.66, null);
        Assert.Equal(RatingQuality.None, q.Quality);
        Assert.Equal(0.75, q.Flow!.Value, 2);
    }

    [Fact]
    public void USBR_English_figures_come_out_in_cubic_feet_per_second()
    {
        // USBR WMM 3rd ed. ch. 8: 1 ft flume Q = 4.00 Ha^1.522, 10 ft flume Q = 39.38 Ha^1.6 (ft, ft³/s); at Ha = 1 ft the coefficient itself.
        Assert.Equal(4.00, ParshallFlume.Create("1ft", null, null, out _)!.FreeFlow(Ft) / Cfs, 6);
        Assert.Equal(39.38, ParshallFlume.Create("10ft", null, null, out _)!.FreeFlow(Ft) / Cfs, 2);
    }

    [Theory]
    [InlineData("3in", 0.50)]
    [InlineData("9in", 0.60)]
    [InlineData("4ft", 0.70)]
    [InlineData("20ft", 0.80)]
    public void A_flume_submerged_past_its_transition_gives_no_free_flow_value(string throat, double transition)
    {
        // USBR WMM ch. 8: transition submergence 0.5 (1–3 in), 0.6 (6–9 in), 0.7 (1–8 ft), 0.8 (10–50 ft).
        var flume = ParshallFlume.Create(throat, null, null, out _)!;
        var ha = (flume.MinHead + flume.MaxHead) / 2;
        var free = flume.Rate(ha, (transition - 0.01) * ha);
        Assert.Equal(RatingQuality.None, free.Quality);
        Assert.NotNull(free.Flow);
        var submerged = flume.Rate(ha, (transition + 0.01) * ha);
        Assert.Equal(RatingQuality.Submerged | RatingQuality.NoValue, submerged.Quality);
        Assert.Null(submerged.Flow);
        Assert.Contains("free-flow limit", submerged.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Heads_outside_the_published_range_are_flagged_and_no_head_is_no_flow()
    {
        var flume = ParshallFlume.Create("2ft", null, null, out _)!;
        Assert.Equal(0.046, flume.MinHead);
        Assert.Equal(0.76, flume.MaxHead);
        var low = flume.Rate(0.02, null);
        Assert.Equal(RatingQuality.OutOfRange, low.Quality);
        Assert.Contains("below the rating's lowest", low.Reason, StringComparison.Ordinal);
        var high = flume.Rate(0.80, null);
        Assert.Equal(RatingQuality.OutOfRange, high.Quality);
        Assert.Contains("above the rating's highest", high.Reason, StringComparison.Ordinal);
        Assert.Equal(Discharge.Good(0, -0.01), flume.Rate(-0.01, null));
        Assert.Equal(0.0, flume.Rate(0, null).Flow);
    }

    [Fact]
    public void A_site_may_narrow_the_head_range_but_not_widen_it()
    {
        Assert.NotNull(ParshallFlume.Create("2ft", 0.1, 0.5, out _));
        Assert.Null(ParshallFlume.Create("2ft", 0.01, null, out var e1));
        Assert.Contains("0.046–0.76", e1, StringComparison.Ordinal);
        Assert.Null(ParshallFlume.Create("2ft", null, 0.9, out _));
        Assert.Null(ParshallFlume.Create("2.5ft", null, null, out var e2));
        Assert.Contains("unknown Parshall throat", e2, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.4)]
    [InlineData(0.6)]
    [InlineData(0.8)]
    [InlineData(1.0)]
    [InlineData(1.25)]
    public void A_90_degree_notch_by_Kindsvater_Shen_matches_the_USBR_90_degree_equation(double headFt)
    {
        // USBR WMM ch. 7 eq. 7-6: fully contracted 90° V-notch Q = 2.49 h^2.48 (ft, ft³/s), heads 0.2–1.25 ft.
        var notch = VNotchWeir.Create(90, 0.9, 2.0, null, null, out var error)!;
        Assert.Null(error);
        var usbr = 2.49 * Math.Pow(headFt, 2.48) * Cfs;
        Assert.InRange(notch.FreeFlow(headFt * Ft) / usbr, 0.99, 1.01);
    }

    [Fact]
    public void The_90_degree_coefficients_are_those_of_ISO_1438()
    {
        // ISO 1438 (Bos 1989 §5.2): fully contracted 90° notch Ce = 0.578, kh = 0.85 mm.
        var notch = VNotchWeir.Create(90, 0.9, 2.0, null, null, out _)!;
        Assert.Equal(0.578, notch.Ce, 3);
        Assert.InRange(notch.Kh * 1000, 0.80, 0.90);
    }

    [Fact]
    public void A_notch_checks_its_angle_contraction_and_tailwater()
    {
        Assert.Null(VNotchWeir.Create(120, 0.9, 2.0, null, null, out var angle));
        Assert.Contains("25–100°", angle, StringComparison.Ordinal);
        Assert.Null(VNotchWeir.Create(90, 0.3, 2.0, null, null, out var pool));
        Assert.Contains("fully contracted", pool, StringComparison.Ordinal);
        var notch = VNotchWeir.Create(60, 0.5, 1.0, null, null, out _)!;
        Assert.Equal(0.2, notch.MaxHead, 6); // h/p ≤ 0.4 → 0.2 m; h/B ≤ 0.2 → 0.2 m
        Assert.Equal(RatingQuality.Submerged | RatingQuality.NoValue, notch.Rate(0.1, -0.03).Quality);
        Assert.Equal(RatingQuality.None, notch.Rate(0.1, -0.2).Quality);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.1)]
    [InlineData(0.2)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    public void A_suppressed_weir_agrees_with_Rehbock_within_the_stated_uncertainty(double h)
    {
        // Rehbock (Bos 1989 §5.1.1): Q = (0.602 + 0.083 h/p)·(2/3)·√(2g)·b·(h + 0.0012)^1.5 for b = B; ISO 1438 states ±1.5 % for Kindsvater–Carter.
        var weir = RectangularWeir.Create(1.0, 1.0, 0.5, null, null, out var error)!;
        Assert.Null(error);
        var rehbock = (0.602 + (0.083 * h / 0.5)) * (2.0 / 3.0) * Math.Sqrt(2 * 9.80665) * Math.Pow(h + 0.0012, 1.5);
        Assert.InRange(weir.FreeFlow(h) / rehbock, 0.985, 1.015);
        Assert.Equal(0.602 + (0.075 * h / 0.5), weir.Ce(h), 6);
        Assert.Equal(-0.0009, weir.Kb, 6);
    }

    [Theory]
    [InlineData(0.10)]
    [InlineData(0.15)]
    [InlineData(0.20)]
    public void A_contracted_weir_agrees_with_the_USBR_standard_contracted_weir_equation(double h)
    {
        // USBR WMM ch. 7: standard fully contracted rectangular weir Q = 3.33 (L − 0.2 h) h^1.5 (ft, ft³/s), h ≤ L/3; within 3 %.
        var weir = RectangularWeir.Create(0.6, 3.0, 1.0, null, null, out _)!;
        var l = 0.6 / Ft;
        var hf = h / Ft;
        var usbr = 3.33 * (l - (0.2 * hf)) * Math.Pow(hf, 1.5) * Cfs;
        Assert.InRange(weir.FreeFlow(h) / usbr, 0.97, 1.03);
    }

    [Fact]
    public void A_weir_checks_its_geometry_range_and_tailwater()
    {
        Assert.Null(RectangularWeir.Create(0.1, 1.0, 0.5, null, null, out var narrow));
        Assert.Contains("crestWidth ≥ 0.15 m", narrow, StringComparison.Ordinal);
        Assert.Null(RectangularWeir.Create(0.9, 1.0, 0.5, null, null, out var clearance));
        Assert.Contains("side clearance", clearance, StringComparison.Ordinal);
        var weir = RectangularWeir.Create(1.0, 1.0, 0.2, null, null, out _)!;
        Assert.Equal(0.5, weir.MaxHead, 6); // h/p ≤ 2.5
        Assert.Equal(RatingQuality.OutOfRange, weir.Rate(0.6, null).Quality);
        Assert.Equal(RatingQuality.OutOfRange, weir.Rate(0.02, null).Quality);
        Assert.Equal(RatingQuality.Submerged | RatingQuality.NoValue, weir.Rate(0.2, -0.02).Quality);
    }
}
