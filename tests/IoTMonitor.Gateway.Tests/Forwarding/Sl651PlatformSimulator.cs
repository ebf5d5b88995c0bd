using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IoTMonitor.Gateway.Tests.Forwarding;

/// <summary>One element of a report as the simulator read it: its definition byte, its data, and its number when BCD.</summary>
public sealed record Sl651Value(byte Definition, byte[] Data, double? Number);

/// <summary>One frame the simulated centre station received, split into its fields by the simulator's own reader.</summary>
public sealed record Sl651Received(int Connection, string Hex, byte Centre, string Station, ushort Password, byte Function, int Serial, DateTimeOffset Sent, char? Category, DateTimeOffset? Observed, Dictionary<byte, Sl651Value> Elements);

/// <summary>
/// A hydrology centre station as SL 651-2014 describes it, on 127.0.0.1, written from the standard's
/// description (docs/references.md "SL 651-2014") and sharing no code with the gateway: it accepts a
/// remote station's TCP connection and checks every HEX/BCD frame field by field — SOH 7E 7E, centre
/// address, 5-byte BCD station address, password, function code, up flag 0 and the 12-bit body length,
/// STX, ETX, CRC-16 (poly A001, init FFFF, high byte first); in the body the 2-byte serial number,
/// the BCD send time, F1 F1 + the same station address, a station category letter, F0 F0 + the BCD
/// observation time, then elements by identifier and definition byte (high 5 bits the byte count, low
/// 3 the decimals; F4 12 bytes of 0.1 mm, F5 12 × 2 bytes of cm) with BCD digits — and records every
/// violation. It confirms each report (32/33/34) with a downlink frame of the same function code and
/// serial number ending ESC, unless told to withhold; it can go down and come back on the same port,
/// and send requests.
/// </summary>
public sealed class Sl651PlatformSimulator : IAsyncDisposable
{
    public const byte Centre = 0x01;
    public const ushort Password = 0x1234;

    private static readonly HashSet<byte> BcdElements = [0x03, 0x1A, 0x20, 0x26, 0x38, 0x39, 0x46, 0x47, 0x48, 0x49];
    private static readonly ushort[] Table = BuildTable();
    private readonly ConcurrentDictionary<int, TcpClient> _clients = new();
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task _accept = Task.CompletedTask;
    private int _connections;

    public Sl651PlatformSimulator(IEnumerable<string> stations)
    {
        Stations = [.. stations];
        Start(0);
    }

    public HashSet<string> Stations { get; }

    public int Port { get; private set; }

    /// <summary>Confirm reports (false: withhold every confirmation).</summary>
    public bool Answer { get; set; } = true;

    public ConcurrentQueue<Sl651Received> Frames { get; } = new();

    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>CRC-16 with the reflected polynomial A001 and start FFFF, table-driven (the gateway computes it bit by bit).</summary>
    public static ushort Crc(ReadOnlySpan<byte> data)
    {
        ushort crc = 0xFFFF;
        foreach (var b in data)
        {
            crc = (ushort)((crc >> 8) ^ Table[(crc ^ b) & 0xFF]);
        }

        return crc;
    }

    /// <summary>A downlink frame from this centre to <paramref name="station"/>.</summary>
    public static byte[] Downlink(string station, byte function, byte[] body, byte end, ushort password = Password)
    {
        var f = new List<byte> { 0x7E, 0x7E };
        f.AddRange(Convert.FromHexString(station));
        f.Add(Centre);
        f.Add((byte)(password >> 8));
        f.Add((byte)password);
        f.Add(function);
        f.Add((byte)(0x80 | (body.Length >> 8)));
        f.Add((byte)body.Length);
        f.Add(0x02);
        f.AddRange(body);
        f.Add(end);
        var crc = Crc(f.ToArray());
        f.Add((byte)(crc >> 8));
        f.Add((byte)crc);
        return [.. f];
    }

    public static byte[] Bcd(string digits) => Convert.FromHexString(digits);

    public static byte[] SerialAndTime(int serial, DateTimeOffset at) =>
        [(byte)(serial >> 8), (byte)serial, .. Bcd(at.ToOffset(TimeSpan.FromHours(8)).ToString("yyMMddHHmmss", CultureInfo.InvariantCulture))];

    public void GoDown()
    {
        _listener?.Stop();
        foreach (var (id, c) in _clients)
        {
            c.Client.LingerState = new LingerOption(true, 0);
            c.Close();
            _clients.TryRemove(id, out _);
        }
    }

    public void ComeBack() => Start(Port);

    public async Task SendAsync(byte[] frame)
    {
        var client = _clients.OrderByDescending(c => c.Key).Select(c => c.Value).FirstOrDefault() ?? throw new InvalidOperationException("no remote station is connected");
        await client.GetStream().WriteAsync(frame);
    }

    public async Task<List<Sl651Received>> WaitForAsync(Func<IReadOnlyList<Sl651Received>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var now = Frames.ToList();
            if (done(now))
            {
                return now;
            }

            await Task.Delay(50);
        }

        return Frames.ToList();
    }

    public async Task WaitConnectedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_clients.IsEmpty)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the remote station did not connect");
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

    private static ushort[] BuildTable()
    {
        var t = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var v = (ushort)i;
            for (var k = 0; k < 8; k++)
            {
                v = (v & 1) == 1 ? (ushort)((v >> 1) ^ 0xA001) : (ushort)(v >> 1);
            }

            t[i] = v;
        }

        return t;
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
                while (pending.Count >= 14)
                {
                    if (pending[0] != 0x7E || pending[1] != 0x7E)
                    {
                        Violations.Enqueue("bytes outside a frame: " + Convert.ToHexString(pending.ToArray()));
                        pending.Clear();
                        break;
                    }

                    var total = 17 + (((pending[11] & 0x0F) << 8) | pending[12]);
                    if (pending.Count < total)
                    {
                        break;
                    }

                    var frame = pending.GetRange(0, total).ToArray();
                    pending.RemoveRange(0, total);
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

    private async Task OnFrameAsync(int connection, NetworkStream stream, byte[] f)
    {
        var hex = Convert.ToHexString(f);
        void Bad(string what) => Violations.Enqueue($"{what}: {hex}");
        var length = ((f[11] & 0x0F) << 8) | f[12];
        if (f[11] >> 4 != 0)
        {
            Bad("not an uplink frame (flag)");
        }

        if (f[2] != Centre)
        {
            Bad("centre address");
        }

        var station = Convert.ToHexString(f, 3, 5);
        if (!Stations.Contains(station))
        {
            Bad("station address " + station);
        }

        var password = (ushort)((f[8] << 8) | f[9]);
        if (password != Password)
        {
            Bad("password");
        }

        if (f[13] != 0x02)
        {
            Bad("STX");
        }

        if (f[14 + length] != 0x03)
        {
            Bad("end character is not ETX");
        }

        if (Crc(f.AsSpan(0, f.Length - 2)) != ((f[^2] << 8) | f[^1]))
        {
            Bad("CRC");
            return;
        }

        var function = f[10];
        var body = f.AsSpan(14, length).ToArray();
        if (body.Length < 8 || !TryTime(body.AsSpan(2, 6), out var sent))
        {
            Bad("serial number and send time");
            return;
        }

        var serial = (body[0] << 8) | body[1];
        if (serial is < 1 or > 65535)
        {
            Bad("serial number out of 1–65535");
        }

        char? category = null;
        DateTimeOffset? observed = null;
        var elements = new Dictionary<byte, Sl651Value>();
        if (function == 0x2F)
        {
            if (body.Length != 8)
            {
                Bad("keep-alive body is not serial + send time");
            }
        }
        else if (function is 0x4A or 0x51)
        {
            if (body.Length != 15 || body[8] != 0xF1 || body[9] != 0xF1 || Convert.ToHexString(body, 10, 5) != station)
            {
                Bad("clock answer body");
            }
        }
        else if (function is 0x32 or 0x33 or 0x34 or 0x37 or 0x38)
        {
            if (body.Length < 23 || body[8] != 0xF1 || body[9] != 0xF1 || Convert.ToHexString(body, 10, 5) != station)
            {
                Bad("F1 F1 station address in the body");
                return;
            }

            category = (char)body[15];
            if ("PHKZDTMGQIO".IndexOf(category.Value, StringComparison.Ordinal) < 0)
            {
                Bad("station category");
            }

            if (body[16] != 0xF0 || body[17] != 0xF0 || !TryTime(body.AsSpan(18, 5), out var obs))
            {
                Bad("F0 F0 observation time");
                return;
            }

            observed = obs;
            var i = 23;
            while (i < body.Length)
            {
                if (i + 2 > body.Length)
                {
                    Bad("element cut short");
                    break;
                }

                var id = body[i];
                var def = body[i + 1];
                var count = def >> 3;
                var decimals = def & 7;
                if (i + 2 + count > body.Length)
                {
                    Bad($"element {id:X2} longer than the body");
                    break;
                }

                if (function == 0x38 && id != 0x04)
                {
                    // a time-period answer: after the step, one element identifier and then its value at each step
                    var series = body.AsSpan(i + 2).ToArray();
                    if (count == 0 || series.Length % count != 0)
                    {
                        Bad("time-period series is not a whole number of values");
                    }

                    elements[id] = new Sl651Value(def, series, null);
                    break;
                }

                var data = body.AsSpan(i + 2, count).ToArray();
                double? number = null;
                if (id == 0xF4 && def != 0x60)
                {
                    Bad("F4 is not 12 bytes");
                }
                else if (id == 0xF5 && def != 0xC0)
                {
                    Bad("F5 is not 24 bytes");
                }
                else if (id == 0x04 && def != 0x18)
                {
                    Bad("time step is not 3 bytes");
                }
                else if (BcdElements.Contains(id))
                {
                    var digits = Convert.ToHexString(data);
                    if (digits.All(char.IsAsciiDigit))
                    {
                        number = long.Parse(digits, CultureInfo.InvariantCulture) / Math.Pow(10, decimals);
                    }
                    else if (function != 0x38)
                    {
                        Bad($"element {id:X2} is not BCD");
                    }
                }
                else if (id is not (0xF4 or 0xF5 or 0x04))
                {
                    Bad($"element identifier {id:X2} not expected");
                }

                if (!elements.TryAdd(id, new Sl651Value(def, data, number)))
                {
                    Bad($"element {id:X2} twice");
                }

                i += 2 + count;
            }
        }
        else
        {
            Bad($"function {function:X2}");
        }

        Frames.Enqueue(new Sl651Received(connection, hex, f[2], station, password, function, serial, sent, category, observed, elements));
        if (function is 0x32 or 0x33 or 0x34 && Answer)
        {
            await stream.WriteAsync(Downlink(station, function, SerialAndTime(serial, DateTimeOffset.UtcNow), 0x1B));
        }
    }

    private static bool TryTime(ReadOnlySpan<byte> bcd, out DateTimeOffset at)
    {
        at = default;
        var d = Convert.ToHexString(bcd);
        return d.All(char.IsAsciiDigit) && DateTimeOffset.TryParseExact(d + "+08:00", d.Length == 12 ? "yyMMddHHmmsszzz" : "yyMMddHHmmzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }
}
