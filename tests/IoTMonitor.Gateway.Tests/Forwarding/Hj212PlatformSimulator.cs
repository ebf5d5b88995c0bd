using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>One packet the simulated platform received, split into its fields by the simulator's own reader.</summary>
public sealed record PlatformPacket(int Connection, string Raw, string Qn, string St, string Cn, string Pw, string Mn, int Flag, int Pnum, int Pno, string Cp)
{
    /// <summary>CP's <c>name=value</c> items (DataTime included).</summary>
    public Dictionary<string, string> Items { get; } = Cp.Split([';', ','], StringSplitOptions.RemoveEmptyEntries).Select(i => i.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty);
}

/// <summary>
/// An agency platform as HJ 212-2017 describes it, on 127.0.0.1: it accepts the data logger's TCP
/// connection, checks every packet field by field with its own reading of the standard — frame
/// (Table 2: <c>##</c>, 4-digit length = data segment bytes, data segment ≤ 1024 bytes, 4 hex CRC of
/// Appendix A, CRLF), header fields and their order (Table 3: QN 17 digits, ST 2, CN 4, PW ≤ 6, MN ≤ 24,
/// Flag with version 1 and bit D exactly when PNUM/PNO follow), CN (Table 9), pollutant codes
/// (Tables B.1/B.2) and data flags (Table 8) — and records each violation. It answers a packet whose
/// Flag has bit A with CN 9014 (same QN, ST 91, same PW and MN, Flag 4, CP empty; Appendix C) unless
/// told to withhold, drops connections, can go down and come back on the same port, and sends requests.
/// </summary>
public sealed partial class Hj212PlatformSimulator : IAsyncDisposable
{
    /// <summary>Pollutant codes of Tables B.1 (water) and B.2 (air) the forwarder may send.</summary>
    public static readonly HashSet<string> CodeTable = ["w01001", "w01009", "w01014", "w01010", "a34004", "a34002", "a01001", "a01002", "a01006", "a05001"];

    private static readonly HashSet<string> DataCns = ["2011", "2051", "2061", "2031", "1011", "9011", "9012"];
    private readonly ConcurrentDictionary<int, TcpClient> _clients = new();
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task _accept = Task.CompletedTask;
    private int _connections;

    public Hj212PlatformSimulator(int port = 0)
    {
        Start(port);
    }

    public int Port { get; private set; }

    /// <summary>Answer 9014 when asked (false: withhold every answer).</summary>
    public bool Answer { get; set; } = true;

    /// <summary>Withhold the answer to this many packets asking for one, then answer again.</summary>
    public int WithholdNext;

    public ConcurrentQueue<PlatformPacket> Packets { get; } = new();

    public ConcurrentQueue<string> Violations { get; } = new();

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Extra pollutant codes agreed with the data logger (what the gateway's ExtraCodes sends).</summary>
    public HashSet<string> ExtraCodes { get; } = [];

    /// <summary>The Appendix A CRC written out again from the standard's description, so the platform's check shares no code with the gateway.</summary>
    public static int Crc(byte[] data)
    {
        var reg = 0xFFFF;
        for (var i = 0; i < data.Length; i++)
        {
            var hi = reg >> 8;
            reg = hi ^ data[i];
            for (var bit = 0; bit < 8; bit++)
            {
                var carry = (reg & 0x0001) == 1;
                reg >>= 1;
                reg = carry ? reg ^ 0xA001 : reg;
            }
        }

        return reg & 0xFFFF;
    }

    public static string FrameOf(string segment)
    {
        var bytes = Encoding.ASCII.GetBytes(segment);
        return "##" + bytes.Length.ToString("0000", CultureInfo.InvariantCulture) + segment + Crc(bytes).ToString("X4", CultureInfo.InvariantCulture) + "\r\n";
    }

    /// <summary>Stops listening and drops every connection (the platform is down).</summary>
    public void GoDown()
    {
        _listener?.Stop();
        DropConnections();
    }

    /// <summary>Listens again on the same port.</summary>
    public void ComeBack() => Start(Port);

    public void DropConnections()
    {
        foreach (var (id, c) in _clients)
        {
            c.Client.LingerState = new LingerOption(true, 0);
            c.Close();
            _clients.TryRemove(id, out _);
        }
    }

    /// <summary>Sends a segment (framed here) on the newest connection.</summary>
    public async Task SendAsync(string segment)
    {
        var client = _clients.OrderByDescending(c => c.Key).Select(c => c.Value).FirstOrDefault() ?? throw new InvalidOperationException("no data logger is connected");
        var bytes = Encoding.ASCII.GetBytes(FrameOf(segment));
        await client.GetStream().WriteAsync(bytes);
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        var client = _clients.OrderByDescending(c => c.Key).Select(c => c.Value).FirstOrDefault() ?? throw new InvalidOperationException("no data logger is connected");
        await client.GetStream().WriteAsync(bytes);
    }

    public async Task<List<PlatformPacket>> WaitForAsync(Func<IReadOnlyList<PlatformPacket>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var now = Packets.ToList();
            if (done(now))
            {
                return now;
            }

            await Task.Delay(50);
        }

        return Packets.ToList();
    }

    public async Task WaitConnectedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_clients.IsEmpty)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the data logger did not connect");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        GoDown();
        try
        {
            await _accept;
        }
        catch (Exception)
        {
            // listener stopped
        }

        _stop.Dispose();
    }

    private void Start(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        var listener = _listener;
        _accept = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient c;
                try
                {
                    c = await listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }

                var id = Interlocked.Increment(ref _connections);
                _clients[id] = c;
                _ = Task.Run(() => ReadAsync(id, c));
            }
        });
    }

    private async Task ReadAsync(int id, TcpClient c)
    {
        var buffer = new byte[8192];
        var pending = new List<byte>();
        try
        {
            var stream = c.GetStream();
            while (true)
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                pending.AddRange(buffer.AsSpan(0, n).ToArray());
                int end;
                while ((end = IndexOfCrLf(pending)) >= 0)
                {
                    var frame = pending.GetRange(0, end + 2).ToArray();
                    pending.RemoveRange(0, end + 2);
                    await OnFrameAsync(id, stream, frame);
                }
            }
        }
        catch (Exception)
        {
            // dropped
        }
        finally
        {
            _clients.TryRemove(id, out _);
            c.Dispose();
        }
    }

    private static int IndexOfCrLf(List<byte> bytes)
    {
        for (var i = 0; i + 1 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private async Task OnFrameAsync(int connection, NetworkStream stream, byte[] frame)
    {
        var text = Encoding.ASCII.GetString(frame);
        void Bad(string what) => Violations.Enqueue($"{what}: {text.TrimEnd()}");
        if (frame.Length < 12 || text[0] != '#' || text[1] != '#' || !text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            Bad("frame header or CRLF");
            return;
        }

        var segment = text[6..^6];
        if (!int.TryParse(text.AsSpan(2, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length != Encoding.ASCII.GetByteCount(segment))
        {
            Bad("length");
        }

        if (length > 1024)
        {
            Bad("data segment over 1024 bytes");
        }

        var crc = text[^6..^2];
        if (!Regex.IsMatch(crc, "^[0-9A-F]{4}$") || int.Parse(crc, NumberStyles.HexNumber, CultureInfo.InvariantCulture) != Crc(Encoding.ASCII.GetBytes(segment)))
        {
            Bad("CRC");
        }

        var m = SegmentPattern().Match(segment);
        if (!m.Success)
        {
            Bad("field order or widths");
            return;
        }

        var flag = int.Parse(m.Groups["flag"].Value, CultureInfo.InvariantCulture);
        var split = m.Groups["pnum"].Success;
        if (flag >> 2 != 1)
        {
            Bad("Flag version is not 1 (HJ 212-2017)");
        }

        if (((flag & 2) != 0) != split)
        {
            Bad("Flag bit D without PNUM/PNO or PNUM/PNO without bit D");
        }

        var qn = m.Groups["qn"].Value;
        if (!DateTime.TryParseExact(qn, "yyyyMMddHHmmssfff", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            Bad("QN is not a time");
        }

        var p = new PlatformPacket(connection, text, qn, m.Groups["st"].Value, m.Groups["cn"].Value, m.Groups["pw"].Value, m.Groups["mn"].Value, flag,
            split ? int.Parse(m.Groups["pnum"].Value, CultureInfo.InvariantCulture) : 0, split ? int.Parse(m.Groups["pno"].Value, CultureInfo.InvariantCulture) : 0, m.Groups["cp"].Value);
        if (!DataCns.Contains(p.Cn))
        {
            Bad("CN not one a data logger sends");
        }

        CheckCp(p, Bad);
        Packets.Enqueue(p);
        if ((flag & 1) != 0)
        {
            if (WithholdNext > 0)
            {
                WithholdNext--;
                return;
            }

            if (Answer)
            {
                var answer = Encoding.ASCII.GetBytes(FrameOf($"QN={p.Qn};ST=91;CN=9014;PW={p.Pw};MN={p.Mn};Flag=4;CP=&&&&"));
                await stream.WriteAsync(answer);
            }
        }
    }

    private void CheckCp(PlatformPacket p, Action<string> bad)
    {
        if (p.Cn is "9011" or "9012")
        {
            if (!Regex.IsMatch(p.Cp, "^(QnRtn|ExeRtn)=\\d+$"))
            {
                bad("9011/9012 CP");
            }

            return;
        }

        var parts = p.Cp.Split(';');
        if (p.Cn == "1011")
        {
            if (!Regex.IsMatch(p.Cp, "^(PolId=[a-z0-9]+;)?SystemTime=\\d{14}$"))
            {
                bad("1011 CP");
            }

            return;
        }

        if (!Regex.IsMatch(parts[0], "^DataTime=\\d{14}$") || !DateTime.TryParseExact(parts[0][9..], "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            bad("DataTime");
        }

        foreach (var pollutant in parts.Skip(1))
        {
            var items = pollutant.Split(',');
            var code = items[0].Split('-')[0];
            if (!CodeTable.Contains(code) && !ExtraCodes.Contains(code))
            {
                bad($"pollutant code {code} not in Table B.1/B.2");
            }

            var names = items.Select(i => i.Split('=')[0]).ToArray();
            if (items.Any(i => !i.StartsWith(code + "-", StringComparison.Ordinal)))
            {
                bad("items of one pollutant mix codes");
            }

            string[] expected = p.Cn == "2011"
                ? (names.Length == 2 ? [code + "-Rtd", code + "-Flag"] : [code + "-Flag"])
                : [code + "-Min", code + "-Avg", code + "-Max"];
            if (!names.SequenceEqual(expected))
            {
                bad($"items {string.Join(',', names)}");
            }

            foreach (var item in items)
            {
                var kv = item.Split('=');
                var ok = kv.Length == 2 && (kv[0].EndsWith("-Flag", StringComparison.Ordinal) ? Regex.IsMatch(kv[1], "^[NFMSDCTB]$") : Regex.IsMatch(kv[1], "^-?\\d+(\\.\\d+)?$"));
                if (!ok)
                {
                    bad($"item {item}");
                }
            }
        }
    }

    [GeneratedRegex("^QN=(?<qn>\\d{17});ST=(?<st>\\d{2});CN=(?<cn>\\d{4});PW=(?<pw>[^;]{1,6});MN=(?<mn>[^;]{1,24});Flag=(?<flag>\\d{1,3})(;PNUM=(?<pnum>\\d{1,4});PNO=(?<pno>\\d{1,4}))?;CP=&&(?<cp>.*)&&$")]
    private static partial Regex SegmentPattern();
}
