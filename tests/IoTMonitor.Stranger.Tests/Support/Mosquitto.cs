using System.Text;

namespace IoTMonitor.Stranger.Tests.Support;

/// <summary>mosquitto_pub / mosquitto_sub invocations in either protocol version ("mqttv311" or "5").</summary>
public static class Mosquitto
{
    public static Task<CliResult> PubAsync(int port, string version, string user, string password, string clientId, string topic, string payload, params string[] extra) =>
        Cli.RunAsync(Cli.MosquittoPub,
            ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", version, "-q", "1", "-u", user, "-P", password, "-i", clientId, "-t", topic, "-s", .. extra],
            TimeSpan.FromSeconds(20), stdin: payload);

    /// <summary>Subscribes with a persistent session (-c) and collects for <paramref name="seconds"/> seconds (-W).</summary>
    public static Task<CliResult> SubAsync(int port, string version, string user, string password, string clientId, string topic, int seconds, params string[] extra) =>
        Cli.RunAsync(Cli.MosquittoSub,
            ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", version, "-q", "1", "-c", "-u", user, "-P", password, "-i", clientId, "-t", topic, "-W", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-v", .. extra],
            TimeSpan.FromSeconds(seconds + 20));

    /// <summary>A protocol v1 batch (docs/protocol.md §4) of <paramref name="readings"/> water readings.</summary>
    public static string Batch(long boot, long firstSeq, long t, int readings = 4) => Encoding.UTF8.GetString(Resender.Batch(boot, firstSeq, t, readings));

    public static long PastTime(int index) => DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3_000_000 + index;
}
