using System.Diagnostics;
using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

/// <summary>
/// <c>LoadGen resend …</c>: one node's publisher as the firmware behaves (docs/protocol.md §2, §4): it
/// logs in with its credentials and a persistent session, publishes a fixed set of telemetry batches at
/// QoS 1, drops a batch from its queue only on a successful PUBACK, and after a lost connection or a
/// refusing PUBACK (MQTT 5 reason ≥ 0x80) reconnects and sends every unacknowledged batch again.
/// Prints one line <c>acked=N of=M attempts=A reconnects=R refusals=F seconds=S</c>; exit 0 when every
/// batch was acknowledged before the deadline, 1 otherwise, 2 on bad arguments.
/// </summary>
public static class Resender
{
    public static async Task<int> RunAsync(string[] args)
    {
        var o = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"resend: expected --name value, got '{args[i]}'");
                return 2;
            }

            o[args[i][2..]] = args[i + 1];
        }

        var inv = CultureInfo.InvariantCulture;
        string S(string name, string fallback) => o.TryGetValue(name, out var v) ? v : fallback;
        long L(string name, long fallback) => o.TryGetValue(name, out var v) ? long.Parse(v, inv) : fallback;
        var host = S("host", "127.0.0.1");
        var port = (int)L("port", 1883);
        var site = S("site", "site-a");
        var device = S("device", "dev-a");
        var user = S("user", device);
        var password = S("password", string.Empty);
        var clientId = S("client-id", device);
        var messages = (int)L("messages", 100);
        var readings = (int)L("readings", 4);
        var boot = L("boot", 1);
        var firstTime = L("first-time", DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3_000_000);
        var window = (int)Math.Max(1, L("window", 8));
        var ratePerSecond = L("rate", 0); // 0 = as fast as the acks allow
        var deadline = TimeSpan.FromSeconds(L("deadline-seconds", 60));
        var version = S("version", "311") switch
        {
            "311" => MqttProtocolVersion.V311,
            "5" => MqttProtocolVersion.V500,
            var v => throw new ArgumentException($"--version must be 311 or 5, not {v}"),
        };
        var topic = $"iotmon/v1/{site}/{device}/telemetry";

        var acked = new bool[messages];
        var ackedCount = 0;
        long attempts = 0, reconnects = 0, refusals = 0;
        var clock = Stopwatch.StartNew();
        var factory = new MqttClientFactory();
        while (ackedCount < messages && clock.Elapsed < deadline)
        {
            using var client = factory.CreateMqttClient();
            try
            {
                var options = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithProtocolVersion(version)
                    .WithClientId(clientId).WithCredentials(user, password).WithCleanSession(false)
                    .WithTimeout(TimeSpan.FromSeconds(5));
                if (version == MqttProtocolVersion.V500)
                {
                    options.WithSessionExpiryInterval(7 * 24 * 3600);
                }

                var connected = await client.ConnectAsync(options.Build()).ConfigureAwait(false);
                if (connected.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new InvalidOperationException($"CONNACK {connected.ResultCode}");
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || clock.Elapsed < deadline)
            {
                reconnects++;
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }

            var inFlight = new List<Task>();
            for (var m = 0; m < messages && client.IsConnected && clock.Elapsed < deadline; m++)
            {
                if (Volatile.Read(ref acked[m]))
                {
                    continue;
                }

                if (ratePerSecond > 0)
                {
                    var due = TimeSpan.FromSeconds((double)Interlocked.Read(ref attempts) / ratePerSecond);
                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed).ConfigureAwait(false);
                    }
                }

                Interlocked.Increment(ref attempts);
                inFlight.Add(SendAsync(client, m));
                if (inFlight.Count >= window)
                {
                    await Task.WhenAny(inFlight).ConfigureAwait(false);
                    inFlight.RemoveAll(t => t.IsCompleted);
                }
            }

            await Task.WhenAll(inFlight).ConfigureAwait(false);
            if (ackedCount < messages)
            {
                reconnects++;
                try
                {
                    await client.DisconnectAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // the connection is already gone
                }

                await Task.Delay(100).ConfigureAwait(false);
            }
            else
            {
                await client.DisconnectAsync().ConfigureAwait(false);
            }
        }

        Console.WriteLine(string.Create(inv, $"acked={ackedCount} of={messages} attempts={attempts} reconnects={reconnects} refusals={refusals} seconds={clock.Elapsed.TotalSeconds:F1}"));
        return ackedCount == messages ? 0 : 1;

        async Task SendAsync(IMqttClient client, int m)
        {
            var payload = Batch(boot, 1 + ((long)m * readings), firstTime + m, readings);
            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            try
            {
                var result = await client.PublishAsync(message).ConfigureAwait(false);
                if (result.IsSuccess)
                {
                    if (!acked[m])
                    {
                        Volatile.Write(ref acked[m], true);
                        Interlocked.Increment(ref ackedCount);
                    }
                }
                else
                {
                    Interlocked.Increment(ref refusals); // MQTT 5 reason code ≥ 0x80: kept for the next connection
                    await client.DisconnectAsync().ConfigureAwait(false);
                }
            }
            catch (Exception)
            {
                // connection lost before the PUBACK: kept, sent again after the reconnect
            }
        }
    }

    /// <summary>A protocol v1 batch (docs/protocol.md §4) of water readings sampled at <paramref name="t"/>.</summary>
    public static byte[] Batch(long boot, long firstSeq, long t, int readings)
    {
        string[] quantities = ["water.ph", "water.temp", "water.ec", "water.level"];
        string[] values = ["7.12", "14.5", "512", "1.235"];
        var sb = new StringBuilder(64 + (readings * 40));
        sb.Append(CultureInfo.InvariantCulture, $"{{\"v\":1,\"fw\":\"1.0.0\",\"boot\":{boot},\"clk\":{t + 1},\"h\":{{\"bat\":3.9,\"rssi\":-70,\"qd\":0,\"drop\":0,\"rst\":2}},\"r\":[");
        for (var i = 0; i < readings; i++)
        {
            sb.Append(i > 0 ? "," : string.Empty);
            sb.Append(CultureInfo.InvariantCulture, $"[{firstSeq + i},{t},\"{quantities[i % 4]}\",{values[i % 4]},0]");
        }

        sb.Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
