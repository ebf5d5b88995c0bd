using System.Text;
using CsCheck;
using IoTMonitor.Firmware.Core.Text;

namespace IoTMonitor.Firmware.Core.Tests.Text;

public class Utf8Tests
{
    [Fact]
    public void Encodes_like_dotnet_for_any_string()
    {
        Gen.String.Sample(s =>
        {
            var expected = Encoding.UTF8.GetBytes(s); // .NET also maps lone surrogates to U+FFFD
            return expected.AsSpan().SequenceEqual(Utf8.GetBytes(s));
        }, iter: 20_000);
    }

    [Fact]
    public void Decodes_valid_utf8_like_dotnet_and_never_throws_on_garbage()
    {
        Gen.String.Sample(s =>
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            return Utf8.GetString(bytes, 0, bytes.Length) == Encoding.UTF8.GetString(bytes);
        }, iter: 20_000);
        Gen.Byte.Array[0, 64].Sample(b => Utf8.GetString(b, 0, b.Length) is not null, iter: 50_000);
    }

    [Fact]
    public void Json_string_escapes_quotes_backslash_and_controls()
    {
        var buf = new byte[64];
        var w = new Utf8Writer();
        w.Reset(buf, 0, buf.Length);
        w.String("a\"b\\c\n\u00e9");
        Assert.Equal("\"a\\\"b\\\\c\\u000a\u00e9\"", Encoding.UTF8.GetString(buf, 0, w.Length));
    }
}
