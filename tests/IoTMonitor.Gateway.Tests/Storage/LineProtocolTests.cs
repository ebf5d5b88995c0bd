using System.Buffers;
using System.Text;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Storage;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Tests.Storage;

public sealed class LineProtocolTests
{
    [Fact]
    public void Hostile_names_and_strings_cannot_add_a_tag_a_field_or_a_line()
    {
        var batch = new DecodeResult
        {
            Site = "a,evil=1 x",
            Device = "d\nhealth,site=x bat=1 1",
            Fw = "1\"\n,x=1",
            Cal = "c\\\" z=2",
            Boot = 1,
            HealthTime = 1764316800,
        };
        batch.Readings.Add(new Reading { N = 1, T = 1764316800, Quantity = Quantities.Find("water.ph")!, Value = 7.1 });
        var buffer = new ArrayBufferWriter<byte>();

        var count = LineProtocol.AppendBatch(batch, buffer);
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(2, count);
        Assert.Equal(2, lines.Length);
        Assert.Equal(
            "water,device=d\\ health\\,site\\=x\\ bat\\=1\\ 1,quantity=ph,site=a\\,evil\\=1\\ x value=7.1,flags=0i,seq=1i,boot=1i,cal=\"c\\\\\\\" z=2\" 1764316800",
            lines[0]);
        Assert.StartsWith("health,device=d\\ health\\,site\\=x\\ bat\\=1\\ 1,site=a\\,evil\\=1\\ x bat=0,", lines[1]);
        Assert.EndsWith("fw=\"1\\\" ,x=1\" 1764316800", lines[1]);
    }

    [Fact]
    public void Characters_outside_the_basic_plane_are_written_as_utf8_not_replaced()
    {
        // a surrogate pair split into two UTF-16 units must still become one 4-byte UTF-8 character
        var batch = new DecodeResult { Site = "湖 🐟", Device = "n-1", Fw = "1.0 🌧", Boot = 2, HealthTime = 1764316800 };
        batch.Readings.Add(new Reading { N = 7, T = 1764316800, Quantity = Quantities.Find("water.temp")!, Value = 14.5, Raw = 0.25 });
        var buffer = new ArrayBufferWriter<byte>();

        LineProtocol.AppendBatch(batch, buffer);
        var lines = Encoding.UTF8.GetString(buffer.WrittenSpan).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("water,device=n-1,quantity=temp,site=湖\\ 🐟 value=14.5,flags=0i,seq=7i,boot=2i,raw=0.25 1764316800", lines[0]);
        Assert.Equal("health,device=n-1,site=湖\\ 🐟 bat=0,rssi=0i,qd=0i,drop=0i,rst=0i,fw=\"1.0 🌧\" 1764316800", lines[1]);
        Assert.DoesNotContain("\uFFFD", Encoding.UTF8.GetString(buffer.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_tag_values_become_an_underscore_and_a_reading_without_value_has_no_value_field()
    {
        var batch = new DecodeResult { Site = string.Empty, Device = "d", Boot = 1, HealthTime = 5 };
        batch.Readings.Add(new Reading { N = 1, T = 5, Quantity = Quantities.Find("water.ph")!, Value = null, Flags = 4 });
        var buffer = new ArrayBufferWriter<byte>();

        LineProtocol.AppendBatch(batch, buffer);

        Assert.Equal(
            "water,device=d,quantity=ph,site=_ flags=4i,seq=1i,boot=1i 5\nhealth,device=d,site=_ bat=0,rssi=0i,qd=0i,drop=0i,rst=0i,fw=\"\" 5\n",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Names_and_strings_written_off_the_hot_path_are_escaped_by_the_same_rules()
    {
        Assert.Equal(@"a\,evil\=1\ x", LineProtocol.Escape("a,evil=1 x", tagLike: true));
        Assert.Equal(@"al=erts\,x", LineProtocol.Escape("al=erts,x", tagLike: false));
        Assert.Equal(@"d\ health", LineProtocol.Escape("d\nhealth", tagLike: true)); // a newline cannot end the line
        Assert.Equal(@"""1\"" ,x=1 \\""", LineProtocol.Quote("1\"\n,x=1 \\"));
        Assert.Equal("\"溶解氧 𝄞\"", LineProtocol.Quote("溶解氧 𝄞"));
    }
}
