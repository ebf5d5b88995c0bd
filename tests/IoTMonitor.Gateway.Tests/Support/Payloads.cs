using System.Globalization;
using System.Text;

namespace IoTMonitor.Gateway.Tests.Support;

/// <summary>Builds protocol v1 telemetry payloads for end-to-end tests.</summary>
public static class Payloads
{
    private static readonly string[] Quantities = ["water.ph", "water.temp", "water.ec", "water.level"];
    private static readonly string[] Values = ["7.12", "14.5", "512", "1.235"];

    /// <summary>A batch of <paramref name="readings"/> readings sampled at <paramref name="t"/>, sequence from <paramref name="firstSeq"/>.</summary>
    public static byte[] Batch(long boot, long firstSeq, long t, int readings = 4)
    {
        var sb = new StringBuilder(64 + readings * 40);
        sb.Append(CultureInfo.InvariantCulture, $"{{\"v\":1,\"fw\":\"1.0.0\",\"boot\":{boot},\"clk\":{t + 1},\"h\":{{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":2}},\"r\":[");
        for (var i = 0; i < readings; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(CultureInfo.InvariantCulture, $"[{firstSeq + i},{t},\"{Quantities[i % 4]}\",{Values[i % 4]},0]");
        }

        sb.Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>A sampling time in the past that is unique per message index.</summary>
    public static long TimeOf(long messageIndex) => DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3_000_000 + messageIndex;

    public static string Topic(string site, string device) => $"iotmon/v1/{site}/{device}/telemetry";
}
