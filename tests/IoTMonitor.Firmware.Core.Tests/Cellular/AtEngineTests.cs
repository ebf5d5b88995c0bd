using System.Text;
using IoTMonitor.Firmware.Core.Cellular;
using IoTMonitor.Firmware.Core.Cellular.At;
using IoTMonitor.Firmware.Core.Sensors;
using IoTMonitor.Firmware.Core.Tests.Fakes.Sensors;

namespace IoTMonitor.Firmware.Core.Tests.Cellular;

/// <summary>
/// The AT engine's line handling on scripted wire bytes (pure logic; the modem model and the link
/// are tested in IoTMonitor.EndToEnd.Tests/Cellular). Each answer arrives in the chunks given, so
/// lines split across reads are exercised on purpose.
/// </summary>
public sealed class AtEngineTests
{
    [Fact]
    public void Lines_split_across_reads_with_echo_and_an_interleaved_urc_are_sorted()
    {
        var port = new ScriptedPort();
        var sink = new RecordingSink();
        var at = new AtEngine(port, new FakeClock()) { Sink = sink };
        port.Answer("AT+CSQ\r", "\r\n+CS", "Q: 2", "0,99\r\n\r\n+CMQTTCONNLOST: 0,1\r", "\n\r\nO", "K\r\n");

        Assert.Equal(AtResult.Ok, at.Command("AT+CSQ", "+CSQ:", 1000));
        Assert.Equal(1, at.InfoCount);
        Assert.Equal(20, at.InfoInt(0, 0, -1));
        Assert.Equal(99, at.InfoInt(0, 1, -1));
        Assert.Equal(1, at.Echoes);
        Assert.Equal(["+CMQTTCONNLOST: 0,1"], sink.Lines);
        Assert.Equal("AT+CSQ\r", port.Sent());
    }

    [Theory]
    [InlineData("\r\nERROR\r\n", AtResult.Error, -1)]
    [InlineData("\r\n+CME ERROR: 10\r\n", AtResult.CmeError, 10)]
    [InlineData("\r\n+CMS ERROR: 500\r\n", AtResult.CmsError, 500)]
    public void Error_results_carry_their_code(string answer, AtResult result, int code)
    {
        var port = new ScriptedPort();
        var at = new AtEngine(port, new FakeClock());
        port.Answer(answer);
        Assert.Equal(result, at.Command("AT+CPIN?", "+CPIN:", 1000));
        Assert.Equal(code, at.ErrorCode);
    }

    [Fact]
    public void No_answer_is_a_timeout_on_the_clock()
    {
        var clock = new FakeClock();
        var at = new AtEngine(new ScriptedPort(), clock);
        Assert.Equal(AtResult.Timeout, at.Command("AT", null, 2000));
        Assert.InRange(clock.Millis, 2000, 2000 + AtEngine.PollMs);
    }

    [Fact]
    public void Data_goes_out_only_after_the_prompt_and_the_final_result_follows()
    {
        var port = new ScriptedPort();
        var at = new AtEngine(port, new FakeClock());
        port.Answer("\r\n> ");
        port.AnswerAfterData("\r\nOK\r\n");
        var data = Encoding.ASCII.GetBytes("a/b/telemetry");
        Assert.Equal(AtResult.Ok, at.Begin("AT+CMQTTTOPIC=0,").Int(data.Length).RunWithData(null, data, 0, data.Length, 1000));
        Assert.Equal("AT+CMQTTTOPIC=0,13\ra/b/telemetry", port.Sent());
    }

    [Fact]
    public void A_missing_prompt_sends_no_data()
    {
        var port = new ScriptedPort();
        var at = new AtEngine(port, new FakeClock());
        var data = Encoding.ASCII.GetBytes("x");
        Assert.Equal(AtResult.Timeout, at.Begin("AT+CMQTTPAYLOAD=0,1").RunWithData(null, data, 0, 1, 500));
        Assert.Equal("AT+CMQTTPAYLOAD=0,1\r", port.Sent());
    }

    [Fact]
    public void Raw_bytes_announced_by_a_urc_may_hold_cr_and_lf()
    {
        var port = new ScriptedPort();
        var sink = new RecordingSink { RawAfter = "+CMQTTRXPAYLOAD:" };
        var at = new AtEngine(port, new FakeClock()) { Sink = sink };
        port.Answer("\r\n+CMQTTRXPAYLOAD: 0,6\r\n", "a\r\nb", "\nc\r\n+CMQTTRXEND: 0\r\n");
        at.Idle(50);
        Assert.Equal("a\r\nb\nc", Encoding.ASCII.GetString(sink.Raw.ToArray()));
        Assert.Equal(["+CMQTTRXPAYLOAD: 0,6", "+CMQTTRXEND: 0"], sink.Lines);
    }

    [Fact]
    public void An_overlong_line_is_dropped_and_counted_and_the_next_answer_is_read()
    {
        var port = new ScriptedPort();
        var at = new AtEngine(port, new FakeClock());
        port.Answer(new string('x', AtEngine.MaxLine + 10) + "\r\n", "\r\nOK\r\n");
        Assert.Equal(AtResult.Ok, at.Command("AT", null, 1000));
        Assert.Equal(1, at.Discarded);
    }

    [Fact]
    public void Quoted_fields_keep_their_commas()
    {
        var line = Encoding.ASCII.GetBytes("+COPS: 0,0,\"CHINA, MOBILE\",7");
        Assert.Equal("CHINA, MOBILE", AtLine.Text(line, 0, line.Length, 2));
        Assert.Equal(7, AtLine.Int(line, 0, line.Length, 3, -1));
        Assert.Equal(-1, AtLine.Int(line, 0, line.Length, 4, -1));
    }

    [Fact]
    public void Network_time_is_read_as_utc()
    {
        // 3GPP TS 27.007 §8.15: local time with the offset in quarter hours (+32 = UTC+8).
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 1, 2, 3, TimeSpan.Zero).ToUnixTimeSeconds(), NetworkTime.ParseCclk("26/12/07,09:02:03+32"));
        Assert.Equal(-1, NetworkTime.ParseCclk("garbage"));
    }

    /// <summary>
    /// Fuzz: random bytes (line noise, wrong baud rate, cut lines, stray prompts) between commands
    /// never throw, never stall beyond the timeout, and an OK after them is still recognised.
    /// </summary>
    [Fact]
    public void Random_garbage_never_breaks_the_parser()
    {
        var random = new Random(19);
        var clock = new FakeClock();
        var port = new ScriptedPort();
        var sink = new RecordingSink { RawAfter = "+CMQTTRX" };
        var at = new AtEngine(port, clock) { Sink = sink };
        var alphabet = Encoding.ASCII.GetBytes("\r\n>OK ERROR+CME:,\"0123456789CMQTTRXPAYLOAD");
        for (var round = 0; round < 2000; round++)
        {
            var noise = new byte[random.Next(0, 300)];
            for (var i = 0; i < noise.Length; i++)
            {
                noise[i] = random.Next(3) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }

            port.AnswerBytes(noise);
            at.Idle(20);
            var start = clock.Millis;
            port.Answer("\r\nOK\r\n");
            var r = at.Command("AT", null, 500);
            Assert.True(clock.Millis - start <= 500 + AtEngine.PollMs, "a command outlasted its timeout");

            // Noise may end in an announced raw block or a half line that swallows the OK; one more
            // try with a clean line must then succeed.
            if (r != AtResult.Ok)
            {
                at.Idle(10);
                port.Answer("\r\nOK\r\n");
                Assert.True(at.Sync(5000), $"round {round}: no recovery after {Convert.ToHexString(noise)}");
            }
        }
    }

    private sealed class RecordingSink : IUrcSink
    {
        public List<string> Lines { get; } = [];

        public List<byte> Raw { get; } = [];

        public string? RawAfter { get; init; }

        public int OnUrc(byte[] line, int length)
        {
            var text = Encoding.ASCII.GetString(line, 0, length);
            Lines.Add(text);
            return RawAfter is not null && text.StartsWith(RawAfter, StringComparison.Ordinal) ? AtLine.Int(line, 0, length, 1, 0) : 0;
        }

        public void OnRaw(byte[] data, int offset, int count) => Raw.AddRange(data.AsSpan(offset, count).ToArray());
    }

    /// <summary>A UART whose answers are queued chunks, one chunk per read; AnswerAfterData chunks wait until data (not a command) is written.</summary>
    private sealed class ScriptedPort : IUart
    {
        private readonly Queue<byte[]> _chunks = new();
        private readonly Queue<byte[]> _afterData = new();
        private readonly List<byte> _sent = [];

        public void Answer(params string[] chunks)
        {
            foreach (var c in chunks)
            {
                _chunks.Enqueue(Encoding.Latin1.GetBytes(c));
            }
        }

        public void AnswerBytes(byte[] bytes) => _chunks.Enqueue(bytes);

        public void AnswerAfterData(string chunk) => _afterData.Enqueue(Encoding.ASCII.GetBytes(chunk));

        public string Sent() => Encoding.Latin1.GetString(_sent.ToArray());

        public int Read(byte[] buffer, int offset, int count)
        {
            if (_chunks.Count == 0)
            {
                return 0;
            }

            var chunk = _chunks.Peek();
            var n = Math.Min(count, chunk.Length);
            Array.Copy(chunk, 0, buffer, offset, n);
            _chunks.Dequeue();
            if (n < chunk.Length)
            {
                var rest = chunk[n..];
                var tail = _chunks.ToArray();
                _chunks.Clear();
                _chunks.Enqueue(rest);
                foreach (var t in tail)
                {
                    _chunks.Enqueue(t);
                }
            }

            return n;
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            _sent.AddRange(buffer.AsSpan(offset, count).ToArray());
            if (count > 1 && buffer[offset] != (byte)'A' && _afterData.Count > 0)
            {
                _chunks.Enqueue(_afterData.Dequeue());
            }
        }

        public void DiscardInput() => _chunks.Clear();
    }
}
