using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Node;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Host.Modem;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace IoTMonitor.EndToEnd.Tests.Cellular;

/// <summary>
/// Fuzz of the whole AT parsing stack (the engine, both dialects' URC and field parsers, the link's
/// steps) on a live session: the modem model's output, with a real mosquitto behind it, is corrupted
/// on its way to the node — bytes flipped, dropped and inserted, line ends lost, and hostile lines
/// injected (URCs with negative, huge or missing lengths and ids, unterminated quotes, overlong
/// operator names, restarts). The link must never throw, never outlast a call's timeout, never
/// report a PUBACK for a message the broker did not get, and come back once the line is clean.
/// (AtEngineTests fuzzes the engine alone on scripted bytes.)
/// </summary>
public sealed class ModemLinkFuzz_Tests(ITestOutputHelper output) : IAsyncLifetime
{
    private MosquittoServer _broker = null!;
    private IMqttClient _watcher = null!;
    private readonly ConcurrentDictionary<string, int> _seen = new();

    public async Task InitializeAsync()
    {
        _broker = await MosquittoServer.StartNewAsync();
        _watcher = new MqttClientFactory().CreateMqttClient();
        _watcher.ApplicationMessageReceivedAsync += e =>
        {
            _seen.AddOrUpdate(Encoding.UTF8.GetString(e.ApplicationMessage.Payload), 1, (_, n) => n + 1);
            return Task.CompletedTask;
        };
        await _watcher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId("fuzz-watcher").Build());
        await _watcher.SubscribeAsync("iotmon/v1/s1/n1/telemetry", MqttQualityOfServiceLevel.AtLeastOnce);
    }

    public async Task DisposeAsync()
    {
        _watcher.Dispose();
        _broker.Dispose();
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData(ModemKind.Simcom, 19)]
    [InlineData(ModemKind.Quectel, 91)]
    public async Task A_corrupted_line_never_breaks_the_link_nor_fakes_a_puback(ModemKind kind, int seed)
    {
        var clock = new StepClock { RealMsPerSleep = 0 };
        var behaviour = new ModemBehaviour { Kind = kind, BootMs = 2000, RegistrationMs = 2000, EchoAtBoot = true };
        var relay = new MqttRelay { Route = (_, _) => ("127.0.0.1", _broker.Port) };
        using var modem = new SimulatedModem(clock, behaviour, relay);
        var line = new CorruptingLine(modem, kind, new Random(seed));
        var link = new ModemLink(line, clock, kind, "cmnet", null, modem, clock);
        var settings = ModemLink_Tests.Settings();
        var buffer = new byte[8192];
        var acked = new List<string>();
        int connects = 0, connected = 0, publishes = 0;
        var real = Stopwatch.StartNew();

        // Bounded in count and in real time (each round costs a few simulated seconds at 1 ms real per sleep).
        for (var round = 0; round < 40 && real.Elapsed < TimeSpan.FromSeconds(8); round++)
        {
            connects++;
            var st = Timed(clock, 60_000, () => link.Connect(settings, 60_000));
            if (st == LinkStatus.Ok)
            {
                connected++;
                for (var i = 0; i < 3; i++)
                {
                    var text = $"{{\"fuzz\":\"{kind}-{round}-{i}\"}}";
                    var body = Encoding.UTF8.GetBytes(text);
                    publishes++;
                    if (Timed(clock, 10_000, () => link.Publish("iotmon/v1/s1/n1/telemetry", body, 0, body.Length, false, 10_000)) == LinkStatus.Ok)
                    {
                        acked.Add(text);
                    }
                }

                Timed(clock, 300, () => link.Receive(buffer, 300, out _));
            }

            link.Disconnect();
        }

        output.WriteLine($"{kind}: {connects} connects ({connected} up), {publishes} publishes ({acked.Count} acknowledged); corruptions: {line.Describe()}; lines dropped {link.At.Discarded}, URCs {link.At.Urcs}; {real.Elapsed.TotalSeconds:F1} s");
        Assert.True(line.Corruptions > 100, $"only {line.Corruptions} corruptions: the fuzz did not bite");
        Assert.True(connected > 0 && acked.Count > 0, "nothing got through the noise: the fuzz only proved the link gives up");

        // A PUBACK the link reported must be the broker's: each acknowledged message reached it.
        foreach (var text in acked)
        {
            await WaitSeenAsync(text);
        }

        // A clean line again: the link recovers without help.
        line.Enabled = false;
        var ok = Encoding.UTF8.GetBytes($"{{\"fuzz\":\"{kind}-clean\"}}");
        Assert.Equal(LinkStatus.Ok, link.Connect(settings, 60_000));
        Assert.Equal(LinkStatus.Ok, link.Publish("iotmon/v1/s1/n1/telemetry", ok, 0, ok.Length, false, 10_000));
        await WaitSeenAsync(Encoding.UTF8.GetString(ok));
        link.Disconnect();
    }

    // Runs a link call and checks it kept to its timeout on the node's clock (plus one command's slack).
    private static T Timed<T>(StepClock clock, int timeoutMs, Func<T> call)
    {
        var start = clock.Millis;
        var r = call();
        var took = clock.Millis - start;
        Assert.True(took <= timeoutMs + 6_000, $"a call outlasted its {timeoutMs} ms timeout by {took - timeoutMs} ms");
        return r;
    }

    private async Task WaitSeenAsync(string payload)
    {
        for (var i = 0; i < 100 && !_seen.ContainsKey(payload); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(_seen.ContainsKey(payload), $"the link reported a PUBACK for {payload}, which the broker never got");
    }

    /// <summary>The UART between node and modem with a noisy line: corrupts what the modem sends, passes what the node sends.</summary>
    private sealed class CorruptingLine(SimulatedModem modem, ModemKind kind, Random random) : IUart
    {
        private readonly Dictionary<string, int> _kinds = [];
        private readonly Queue<byte> _pending = new();

        public bool Enabled { get; set; } = true;

        public int Corruptions { get; private set; }

        public string Describe() => string.Join(", ", _kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}"));

        public int Read(byte[] buffer, int offset, int count)
        {
            var n = 0;
            while (n < count && _pending.Count > 0)
            {
                buffer[offset + n++] = _pending.Dequeue();
            }

            if (n == count)
            {
                return n;
            }

            var got = modem.Read(buffer, offset + n, count - n);
            if (!Enabled)
            {
                return n + got;
            }

            if (got > 0 && random.Next(8) == 0)
            {
                var at = offset + n + random.Next(got);
                switch (random.Next(4))
                {
                    case 0:
                        buffer[at] ^= (byte)(1 << random.Next(8));
                        Count("bit flipped");
                        break;
                    case 1:
                        // a byte lost: the rest of the chunk moves up one
                        Array.Copy(buffer, at + 1, buffer, at, offset + n + got - at - 1);
                        got--;
                        Count("byte dropped");
                        break;
                    case 2:
                        buffer[at] = (byte)random.Next(256);
                        Count("byte replaced");
                        break;
                    default:
                        if (buffer[at] is 13 or 10)
                        {
                            buffer[at] = (byte)' ';
                            Count("line end lost");
                        }

                        break;
                }
            }
            else if (got == 0 && random.Next(300) == 0)
            {
                foreach (var b in Encoding.Latin1.GetBytes("\r\n" + Hostile() + "\r\n"))
                {
                    _pending.Enqueue(b);
                }

                Count("hostile line");
            }

            return n + got;
        }

        public void Write(byte[] buffer, int offset, int count) => modem.Write(buffer, offset, count);

        public void DiscardInput()
        {
            _pending.Clear();
            modem.DiscardInput();
        }

        private void Count(string what)
        {
            Corruptions++;
            _kinds[what] = _kinds.GetValueOrDefault(what) + 1;
        }

        // Lines a modem never sends this way; none may be a PUBACK report of success (result 0), which
        // no parser could tell from the real one.
        private string Hostile()
        {
            string Num() => random.Next(6) switch
            {
                0 => "-1",
                1 => "2147483647",
                2 => "99999999999999999999",
                3 => string.Empty,
                4 => "0x1F",
                _ => random.Next(0, 70000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            string Failed() => random.Next(1, 40).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var junk = new string('\u00e9', random.Next(0, 300));
            string[] simcom =
            [
                $"+CMQTTRXSTART: 0,{Num()},{Num()}", $"+CMQTTRXTOPIC: 0,{Num()}", $"+CMQTTRXPAYLOAD: 0,{Num()}", "+CMQTTRXEND: 0",
                $"+CMQTTPUB: 0,{Failed()}", $"+CMQTTCONNECT: 0,{Failed()}", $"+CMQTTSUB: 0,{Num()}", $"+CMQTTCONNLOST: 0,{Num()}",
                $"+CPSI: LTE,Online,{junk}", $"+CPSI: {Num()}", "*ATREADY: 1", $"+CCERTLIST: \"{junk}",
            ];
            string[] quectel =
            [
                $"+QMTRECV: 0,{Num()},\"iotmon/v1/s1/n1/config\",{Num()},\"{junk}", $"+QMTRECV: 0,1,\"{junk}", $"+QMTRECV: {Num()}",
                $"+QMTPUB: 0,{Num()},{Failed()}", $"+QMTSTAT: 0,{Num()}", $"+QMTCONN: 0,{Failed()}", $"+QMTOPEN: 0,{Failed()}",
                $"+QMTSUB: 0,{Num()},{Failed()}", $"+QCSQ: \"LTE\",{Num()},{Num()}", "RDY", $"+QFLST: \"{junk}\",{Num()}",
            ];
            string[] common =
            [
                $"+CEREG: {Num()},{Num()}", $"+CREG: {Num()}", $"+CSQ: {Num()},{Num()}", $"+COPS: 0,0,\"{junk}\",{Num()}", $"+COPS: 0,0,\"{junk}",
                $"+CPIN: {junk}", $"+CME ERROR: {Num()}", $"+CCLK: \"{junk}\"", ">", "CONNECT", $"+ICCID: {junk}", $"+QCCID: {Num()}",
            ];
            var own = kind == ModemKind.Simcom ? simcom : quectel;
            return random.Next(2) == 0 ? own[random.Next(own.Length)] : common[random.Next(common.Length)];
        }
    }
}
