using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Forwarding.Hj212;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>The packet layer against HJ 212-2017: the Appendix A CRC on the standard's example, framing, field order, codes, flags, splitting; golden packets in tests/vectors/hj212.</summary>
public sealed class Hj212Packet_Tests
{
    private const string StandardExample = "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&";

    private static readonly JsonElement[] Vectors = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "hj212", "packets.json"))).RootElement.EnumerateArray().ToArray();

    private static JsonElement Vector(string name) => Vectors.Single(v => v.GetProperty("name").GetString() == name);

    [Fact]
    public void Crc_of_the_standards_example_is_1C80_and_not_the_Modbus_crc()
    {
        var bytes = Encoding.ASCII.GetBytes(StandardExample);
        Assert.Equal("1C80", Hj212Crc.Hex(bytes));
        Assert.Equal(0x1C80, Hj212PlatformSimulator.Crc(bytes));

        // the plain Modbus CRC-16 (byte XORed into the low byte) gives another value on the same bytes
        var modbus = 0xFFFF;
        foreach (var b in bytes)
        {
            modbus ^= b;
            for (var i = 0; i < 8; i++)
            {
                modbus = (modbus & 1) != 0 ? (modbus >> 1) ^ 0xA001 : modbus >> 1;
            }
        }

        Assert.NotEqual(0x1C80, modbus);
    }

    [Fact]
    public void Standard_example_frames_to_the_published_packet_and_parses_field_by_field()
    {
        var frame = Vector("standard-1062-example").GetProperty("frame").GetString()!;
        Assert.Equal("##0101" + StandardExample + "1C80\r\n", frame);
        Assert.Equal(frame, Hj212Packet.Frame(StandardExample));
        Assert.True(Hj212Parser.TryParse(Encoding.ASCII.GetBytes(frame), out var m, out var error), error);
        Assert.Equal(("20160801085857223", "32", "1062", "100000", "010000A8900016F000169DC0", 5), (m!.Qn, m.St, m.Cn, m.Pw, m.Mn, m.Flag));
        Assert.True(m.AnswerRequired);
        Assert.Equal("30", m.Get("RtdInterval"));
    }

    [Fact]
    public void Real_time_packet_equals_the_golden_vector()
    {
        var v = Vector("real-time-water");
        var input = v.GetProperty("input");
        var composer = new Hj212Composer(new Hj212Options { UtcOffsetHours = input.GetProperty("utcOffsetHours").GetDouble() });
        var platform = new Hj212Platform { Name = "p", Password = input.GetProperty("pw").GetString()!, RequireAnswer = input.GetProperty("answer").GetBoolean() };
        var station = new Hj212Station { Site = "s", Mn = input.GetProperty("mn").GetString()!, St = input.GetProperty("st").GetString()! };
        var t = input.GetProperty("t").GetInt64();
        var readings = input.GetProperty("readings").EnumerateArray().Select(r => new Reading
        {
            T = t,
            Quantity = Quantities.Find(r[0].GetString())!,
            Value = r[1].ValueKind == JsonValueKind.Null ? null : r[1].GetDouble(),
            Flags = r[2].GetInt64(),
        }).ToList();

        var frames = composer.RealTime(platform, station, t, readings, false, () => input.GetProperty("qn").GetString()!);

        Assert.Equal(v.GetProperty("frame").GetString(), Assert.Single(frames).Frame);
    }

    [Fact]
    public void Hourly_packet_equals_the_golden_vector_with_pressure_in_kPa()
    {
        var v = Vector("hourly-air");
        var input = v.GetProperty("input");
        var composer = new Hj212Composer(new Hj212Options { UtcOffsetHours = input.GetProperty("utcOffsetHours").GetDouble() });
        var platform = new Hj212Platform { Name = "p", Password = input.GetProperty("pw").GetString()! };
        var station = new Hj212Station { Site = "s", Mn = input.GetProperty("mn").GetString()!, St = input.GetProperty("st").GetString()! };
        var aggregates = input.GetProperty("aggregates").EnumerateArray().Select(a => new Hj212Aggregate(a[0].GetString()!, a[1].GetDouble(), a[2].GetDouble(), a[3].GetDouble()));

        var frames = composer.Aggregate(platform, station, Hj212Cn.Hourly, input.GetProperty("start").GetInt64(), aggregates, () => input.GetProperty("qn").GetString()!, input.GetProperty("answer").GetBoolean());

        Assert.Equal(v.GetProperty("frame").GetString(), Assert.Single(frames).Frame);
    }

    [Fact]
    public void Platform_answer_and_history_request_vectors_parse()
    {
        Assert.True(Hj212Parser.TryParse(Encoding.ASCII.GetBytes(Vector("platform-9014-answer").GetProperty("frame").GetString()!), out var answer, out _));
        Assert.Equal(("9014", "91", 4, 0), (answer!.Cn, answer.St, answer.Flag, answer.Cp.Count));
        Assert.True(Hj212Parser.TryParse(Encoding.ASCII.GetBytes(Vector("platform-history-request").GetProperty("frame").GetString()!), out var history, out _));
        Assert.Equal(("2061", "20261120080000", "20261120090000"), (history!.Cn, history.Get("BeginTime"), history.Get("EndTime")));
        Assert.True(Hj212Requests.IsRequest(history));
        Assert.False(Hj212Requests.IsRequest(answer));
    }

    [Fact]
    public void Every_golden_frame_passes_the_simulators_independent_length_and_crc_check()
    {
        foreach (var v in Vectors)
        {
            var frame = v.GetProperty("frame").GetString()!;
            var segment = frame[6..^6];
            Assert.Equal(Encoding.ASCII.GetByteCount(segment), int.Parse(frame[2..6], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(Hj212PlatformSimulator.Crc(Encoding.ASCII.GetBytes(segment)).ToString("X4", System.Globalization.CultureInfo.InvariantCulture), frame[^6..^2]);
        }
    }

    [Fact]
    public void A_message_over_1024_bytes_is_split_with_flag_D_PNUM_PNO_and_a_QN_per_part()
    {
        var items = Enumerable.Range(0, 120).Select(i => $"w{i:00000}-Rtd={i}.123,w{i:00000}-Flag=N").ToList();
        var qn = 20261120083000000L;
        var header = new Hj212Header((qn++).ToString(System.Globalization.CultureInfo.InvariantCulture), "21", "2011", "123456", "SW330100001", 5);

        var parts = Hj212Packet.DataSegments(header, "DataTime=20261120083000", items, () => (qn++).ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(parts.Count >= 4);
        Assert.Equal(parts.Count, parts.Select(p => p.Qn).Distinct().Count());
        var seen = new List<string>();
        for (var i = 0; i < parts.Count; i++)
        {
            var bytes = Encoding.ASCII.GetByteCount(parts[i].Segment);
            Assert.InRange(bytes, 1, Hj212Packet.MaxDataSegmentBytes);
            Assert.True(Hj212Parser.TryParse(Encoding.ASCII.GetBytes(Hj212Packet.Frame(parts[i].Segment)), out var m, out var error), error);
            Assert.Equal((7, parts.Count, i + 1, parts[i].Qn), (m!.Flag, m.Pnum, m.Pno, m.Qn));
            Assert.StartsWith($"QN={parts[i].Qn};ST=21;CN=2011;PW=123456;MN=SW330100001;Flag=7;PNUM={parts.Count};PNO={i + 1};CP=&&DataTime=20261120083000;", parts[i].Segment, StringComparison.Ordinal);
            seen.AddRange(parts[i].Segment[(parts[i].Segment.IndexOf("DataTime=20261120083000;", StringComparison.Ordinal) + 24)..^2].Split(';'));
        }

        Assert.Equal(items, seen);
    }

    [Fact]
    public void A_message_within_1024_bytes_is_one_packet_without_PNUM()
    {
        var header = new Hj212Header("20261120083000000", "21", "2011", "123456", "SW330100001", 5);
        var parts = Hj212Packet.DataSegments(header, "DataTime=20261120083000", ["w01001-Rtd=7.1,w01001-Flag=N"], () => throw new InvalidOperationException("no second QN needed"));
        Assert.DoesNotContain("PNUM", Assert.Single(parts).Segment, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, false, 'N')]
    [InlineData(16L, false, 'N')] // UNCALIBRATED
    [InlineData(32L, false, 'N')] // TIME_ESTIMATED
    [InlineData(1L, false, 'T')] // OUT_OF_RANGE
    [InlineData(8L, false, 'M')] // WARMING_UP
    [InlineData(2L, false, 'D')] // STUCK
    [InlineData(4L, false, 'D')] // NO_VALUE
    [InlineData(64L, false, 'D')] // SENSOR_FAULT
    [InlineData(65L, false, 'D')]
    [InlineData(9L, false, 'M')]
    [InlineData(0L, true, 'F')] // node in power cut-off
    [InlineData(64L, true, 'D')]
    public void Data_flag_follows_the_documented_mapping(long quality, bool stopping, char expected) =>
        Assert.Equal(expected, Hj212DataFlag.Of(quality, stopping));

    [Fact]
    public void Codes_come_from_Tables_B1_B2_and_quantities_without_one_only_when_configured()
    {
        var plain = new Hj212Composer(new Hj212Options());
        Assert.Equal(("w01001", 1.0, 2), plain.CodeOf(Quantities.Find("water.ph")!));
        Assert.Equal(("a01006", 0.1, 3), plain.CodeOf(Quantities.Find("air.pressure")!));
        Assert.Null(plain.CodeOf(Quantities.Find("water.turbidity")!));
        Assert.Null(plain.CodeOf(Quantities.Find("device.battery")!));
        var configured = new Hj212Composer(new Hj212Options { ExtraCodes = { ["water.turbidity"] = "w01003" } });
        Assert.Equal(("w01003", 1.0, 1), configured.CodeOf(Quantities.Find("water.turbidity")!));
        foreach (var (_, (code, _)) in Hj212PollutantCodes.Standard)
        {
            Assert.Contains(code, Hj212PlatformSimulator.CodeTable);
        }
    }

    [Fact]
    public void Times_are_local_at_the_offset_and_days_start_at_local_midnight()
    {
        var time = new Hj212Time(TimeSpan.FromHours(8));
        var t = new DateTimeOffset(2026, 11, 20, 17, 30, 5, 123, TimeSpan.Zero);
        Assert.Equal("20261121013005123", time.Qn(t));
        Assert.Equal("20261121013005", time.DataTime(t.ToUnixTimeSeconds()));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 16, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), time.PeriodStart(t.ToUnixTimeSeconds(), 86400));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 17, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), time.PeriodStart(t.ToUnixTimeSeconds(), 3600));
        Assert.Equal("20261121013005", new Hj212Time(TimeSpan.FromHours(8)).TryParse("20261121013005", out var back) ? time.DataTime(back.ToUnixTimeSeconds()) : null);
    }

    [Fact]
    public void Numbers_are_plain_decimals_rounded_half_away_from_zero()
    {
        Assert.Equal("7.13", Hj212Packet.Number(7.125, 2));
        Assert.Equal("14", Hj212Packet.Number(14.0, 2));
        Assert.Equal("0", Hj212Packet.Number(-0.0001, 2));
        Assert.Equal("0.000001", Hj212Packet.Number(0.000001, 6));
        Assert.Equal("100000", Hj212Packet.Number(1e5, 0));
    }

    [Fact]
    public void Options_name_the_key_at_fault()
    {
        var o = new Hj212Options
        {
            Platforms = [new Hj212Platform { Name = "p", Host = "127.0.0.1", Port = 1, Password = "1234567", Sites = [new Hj212Station { Site = "s", Mn = "m", St = "2" }] }],
            MinuteDataMinutes = 7,
            ExtraCodes = { ["water.nothing"] = "w99" },
        };
        var errors = o.Validate().ToList();
        Assert.Contains(errors, e => e.StartsWith("Forwarding:Hj212:Platforms:0:Password", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Forwarding:Hj212:Platforms:0:Sites:0:St", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Forwarding:Hj212:MinuteDataMinutes", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Forwarding:Hj212:ExtraCodes:water.nothing", StringComparison.Ordinal));
        Assert.Empty(new Hj212Options().Validate());
    }
}
