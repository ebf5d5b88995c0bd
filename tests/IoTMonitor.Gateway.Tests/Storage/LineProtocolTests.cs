using System.Buffers;
using System.Text;
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
}
