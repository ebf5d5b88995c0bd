using System.Text;
using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Tests.Config;

public class JsonReaderTests
{
    internal static List<JsonToken> Tokens(string json) => Tokens(Encoding.UTF8.GetBytes(json));

    internal static List<JsonToken> Tokens(byte[] data)
    {
        var r = new JsonReader();
        r.Reset(data, 0, data.Length);
        var list = new List<JsonToken>();
        // Every Read consumes input or ends: more tokens than bytes + 2 would be a loop.
        for (int i = 0; i <= data.Length + 2; i++)
        {
            var t = r.Read();
            list.Add(t);
            if (t is JsonToken.End or JsonToken.Error)
            {
                return list;
            }
        }

        throw new InvalidOperationException("reader did not terminate");
    }

    [Fact]
    public void Reads_a_document_token_by_token()
    {
        Assert.Equal(
            [JsonToken.StartObject, JsonToken.PropertyName, JsonToken.Number, JsonToken.PropertyName, JsonToken.StartArray,
             JsonToken.True, JsonToken.False, JsonToken.Null, JsonToken.String, JsonToken.EndArray, JsonToken.EndObject, JsonToken.End],
            Tokens(""" { "a" : -1.5e2 , "b":[true,false,null,"x\u00e9\n"] } """));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"a\":}")]
    [InlineData("{\"a\" 1}")]
    [InlineData("[1,]")]
    [InlineData("[01]")]
    [InlineData("[1.]")]
    [InlineData("[.5]")]
    [InlineData("[1e]")]
    [InlineData("[-]")]
    [InlineData("{\"a\":1,}")]
    [InlineData("\"\\x\"")]
    [InlineData("\"a\u0001\"")]
    [InlineData("[1] 2")]
    [InlineData("[1e999]")]
    [InlineData("tru")]
    [InlineData("[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]")]
    public void Rejects_malformed_input(string json)
    {
        Assert.Equal(JsonToken.Error, Tokens(json)[^1]);
    }

    [Fact]
    public void Rejects_invalid_utf8_in_strings()
    {
        Assert.Equal(JsonToken.Error, Tokens([(byte)'"', 0xC3, (byte)'"'])[^1]);
        Assert.Equal(JsonToken.Error, Tokens([(byte)'"', 0xED, 0xA0, 0x80, (byte)'"'])[^1]); // surrogate
        Assert.Equal(JsonToken.Error, Tokens([(byte)'"', 0xC0, 0x80, (byte)'"'])[^1]); // overlong
    }

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("-0.25", -0.25)]
    [InlineData("3.5", 3.5)]
    [InlineData("1764316800", 1764316800.0)]
    [InlineData("1.5e-3", 0.0015)]
    [InlineData("12345678901234567890123", 1.2345678901234568e22)]
    [InlineData("1E+2", 100.0)]
    public void Parses_numbers(string json, double expected)
    {
        var r = new JsonReader();
        var b = Encoding.ASCII.GetBytes(json);
        r.Reset(b, 0, b.Length);
        Assert.Equal(JsonToken.Number, r.Read());
        Assert.Equal(expected, r.Number, 1e-9 * Math.Max(1, Math.Abs(expected)));
    }

    [Fact]
    public void Unescapes_strings_and_compares_without_allocating()
    {
        var r = new JsonReader();
        var b = Encoding.UTF8.GetBytes("""["a\"b\\\/\u00e9\ud83d\ude00","plain"]""");
        r.Reset(b, 0, b.Length);
        r.Read();
        r.Read();
        Assert.Equal("a\"b\\/\u00e9\U0001F600", r.GetString());
        r.Read();
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool eq = r.ValueEquals("plain");
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(eq);
    }

    [Fact]
    public void Skip_jumps_over_nested_values()
    {
        var r = new JsonReader();
        var b = Encoding.UTF8.GetBytes("""{"x":{"y":[1,{"z":2}]},"k":3}""");
        r.Reset(b, 0, b.Length);
        r.Read();
        r.Read();
        Assert.True(r.Skip());
        Assert.Equal(JsonToken.PropertyName, r.Read());
        Assert.True(r.ValueEquals("k"));
    }
}
