using IoTMonitor.Gateway.Forwarding.Sl651;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>
/// HEX/BCD frames against frames printed with their CRC in public SL 651-2014 walk-throughs
/// (docs/references.md "SL 651-2014": the toymoban.com / e-com-net.com HEX walk-through and the
/// key-iot.com.cn timed-report walk-through): the CRC, every header and body field, and the bytes
/// the encoder gives back for the same fields.
/// </summary>
public sealed class Sl651Frame_Tests
{
    // walk-through 1: link keep-alive (2F), test report (30) with its confirmation, timed report (32) with its confirmation
    private const string KeepAlive = "7E7E01001234567812342F0008020003591011155111036BCA";
    private const string KeepAlive2 = "7E7E00987654321012342F0008027E0822101110074703C3AE";
    private const string TestReport = "7E7E010012345678123430002B020003591011154947F1F1001234567848F0F0591011154920190000052619000005392300000127381211150320FA";
    private const string TestConfirm = "7E7E00123456780112343080080200035910111549471B75D4";
    private const string TimedReport = "7E7E05001122334403E832002B020034170718110016F1F1001122334448F0F01707181100201900004026190000403923000104903812109903A421";
    private const string TimedConfirm = "7E7E00112233440503E83280080200341707181100161BE5D4";

    // walk-through 2: a timed report (32) of an M21F RTU
    private const string TimedReport2 = "7E7E010010100001A00032002B02000C200724172349F1F1001010000148F0F020072417232019000130221900004039230000055038121268038397";

    public static TheoryData<string> Published => new() { KeepAlive, KeepAlive2, TestReport, TestConfirm, TimedReport, TimedConfirm, TimedReport2 };

    [Theory]
    [MemberData(nameof(Published))]
    public void The_crc_of_each_published_frame_is_the_one_printed(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Equal((bytes[^2] << 8) | bytes[^1], Sl651Crc.Compute(bytes.AsSpan(0, bytes.Length - 2)));
    }

    [Theory]
    [MemberData(nameof(Published))]
    public void Each_published_frame_reads_and_encodes_back_to_the_same_bytes(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.True(Sl651Frame.TryRead(bytes, out var frame, out var consumed, out var error), error);
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(bytes, frame!.Encode());
    }

    [Fact]
    public void The_test_report_reads_field_by_field_as_the_walk_through_explains_it()
    {
        Assert.True(Sl651Frame.TryRead(Convert.FromHexString(TestReport), out var f, out _, out _));
        Assert.Equal((true, (byte)0x01, "0012345678", (ushort)0x1234, (byte)0x30, Sl651Control.Etx, 0x2B), (f!.Up, f.Centre, f.Station, f.Password, f.Function, f.End, f.Body.Length));
        Assert.Equal("0003591011154947", Convert.ToHexString(f.Body, 0, 8));

        // the same body written by the gateway's writer: 0.5 mm current and accumulated rain, stage 0.127 m, 11.15 V
        var body = new Sl651Body(TimeSpan.FromHours(8))
            .Header(3, new DateTimeOffset(2059, 10, 11, 15, 49, 47, TimeSpan.FromHours(8)))
            .Station("0012345678", 'H')
            .Observed(new DateTimeOffset(2059, 10, 11, 15, 49, 0, TimeSpan.FromHours(8)));
        Assert.True(body.Element(Sl651Element.RainCurrent, 0.5, Sl651Composer.RainFormat));
        Assert.True(body.Element(Sl651Element.RainAccumulated, 0.5, Sl651Composer.RainFormat));
        Assert.True(body.Element(Sl651Element.RiverStage, 0.127, Sl651Composer.StageFormat));
        Assert.True(body.Element(Sl651Element.Voltage, 11.15, new ElementFormat(2, 2)));
        Assert.Equal(f.Body, body.ToArray());
        Assert.Equal(Convert.FromHexString(TestReport), new Sl651Frame(true, 1, "0012345678", 0x1234, Sl651Function.Test, Sl651Control.Etx, body.ToArray()).Encode());
    }

    [Fact]
    public void The_confirmation_is_a_downlink_frame_with_the_station_first_and_the_reports_serial()
    {
        Assert.True(Sl651Frame.TryRead(Convert.FromHexString(TimedConfirm), out var f, out _, out _));
        Assert.Equal((false, "0011223344", (byte)0x05, (ushort)0x03E8, Sl651Function.Timed, Sl651Control.Esc), (f!.Up, f.Station, f.Centre, f.Password, f.Function, f.End));
        Assert.Equal(0x0034, (f.Body[0] << 8) | f.Body[1]);
    }

    [Fact]
    public void A_value_that_does_not_fit_its_format_is_left_out_not_truncated()
    {
        var b = new Sl651Body(TimeSpan.FromHours(8));
        Assert.False(b.Element(Sl651Element.WaterTemperature, -0.5, new ElementFormat(2, 1)));
        Assert.False(b.Element(Sl651Element.RainCurrent, 100_000, Sl651Composer.RainFormat));
        Assert.False(b.Element(Sl651Element.RainCurrent, null, Sl651Composer.RainFormat));
        Assert.Equal(0, b.Length);
        Assert.True(b.Element(Sl651Element.RainCurrent, 99_999.9, Sl651Composer.RainFormat));
        Assert.Equal("2019999999", Convert.ToHexString(b.ToArray()));
    }

    [Fact]
    public void The_hourly_report_carries_each_five_minutes_and_the_hour_as_the_data_gives_them()
    {
        var options = new Sl651Options();
        var composer = new Sl651Composer(options);
        var station = new Sl651Station { Site = "s", Station = "0012345678", Category = "H", LevelBaseMetres = 100 };
        var end = 1_800_000_000L - (1_800_000_000L % 3600);
        var from = end - 3600;

        // gauge readings at minutes 2, 7, 22 (none in 10–20), level every 10 minutes
        var rain = new List<(long, double)> { (from + 120, 0.2), (from + 420, 1.4), (from + 1320, 0.6) };
        var level = Enumerable.Range(0, 6).Select(i => (from + (i * 600) + 30, 1.5 + (i * 0.01))).ToList();
        var w = new SiteWindow(from, end, rain, true, level, new Dictionary<string, double> { ["device.battery"] = 3.912 });
        var e = composer.HourlyElements(station, end, w);
        var hex = Convert.ToHexString(e);

        Assert.StartsWith("F460" + "02" + "0E" + "FF" + "FF" + "06" + string.Concat(Enumerable.Repeat("FF", 7)), hex, StringComparison.Ordinal);
        Assert.Contains("1A19000022", hex, StringComparison.Ordinal); // 2.2 mm in the hour
        var f5 = hex[(hex.IndexOf("F5C0", StringComparison.Ordinal) + 4)..][..48];
        Assert.Equal("0096FFFF0097FFFF0098FFFF0099FFFF009AFFFF009BFFFF", f5);
        Assert.Contains("392300101550", hex, StringComparison.Ordinal); // stage = 1.55 + 100 m
        Assert.EndsWith("38120391", hex, StringComparison.Ordinal);
        Assert.Empty(composer.HourlyElements(station, end, new SiteWindow(from, end, [], false, [], [])));
    }

    [Fact]
    public void Bcd_times_read_back_and_refuse_impossible_dates()
    {
        var at = new DateTimeOffset(2026, 2, 28, 23, 59, 58, TimeSpan.FromHours(8));
        Assert.True(Bcd.TryTime(Bcd.Time(at, TimeSpan.FromHours(8), true), TimeSpan.FromHours(8), out var back));
        Assert.Equal(at, back);
        Assert.False(Bcd.TryTime(Convert.FromHexString("260230120000"), TimeSpan.FromHours(8), out _));
        Assert.False(Bcd.TryTime(Convert.FromHexString("2602281A0000"), TimeSpan.FromHours(8), out _));
        Assert.Equal("2602282359", Convert.ToHexString(Bcd.Time(at, TimeSpan.FromHours(8), false)));
    }
}
