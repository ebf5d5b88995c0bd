using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Forwarding.Sl651;

/// <summary>
/// Answers what the centre station asks of a remote station: 37 real-time query (the latest values),
/// 38 time-period query (one element, 39 stage or 20 rain, at a time step over a period), 4A set
/// clock and 51 clock query (answered with the gateway's time, which is the host's NTP time and is
/// not set from the platform). A request with a wrong password, for a station not configured, of
/// another function or malformed is not answered, as the standard says of invalid requests; each is
/// counted as refused.
/// </summary>
public sealed class Sl651Requests(Sl651Platform platform, Sl651Composer composer, Sl651DataSource data, ForwardingCounters counters, TimeProvider clock, ILogger log)
{
    /// <summary>Most points one time-period answer may hold (its body must fit the 12-bit length).</summary>
    public const int MaxPoints = 1000;

    public static bool IsRequest(byte function) => function is Sl651Function.RealTimeQuery or Sl651Function.PeriodQuery or Sl651Function.SetClock or Sl651Function.ClockQuery;

    /// <summary>The answer frame, or null when the request is not answered.</summary>
    public async Task<byte[]?> AnswerAsync(Sl651Frame request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref counters.Requests);
        var station = platform.Sites.FirstOrDefault(s => s.Station == request.Station);
        var reason = request.Password != platform.PasswordValue ? "wrong password"
            : station is null ? "station not configured for this platform"
            : request.Body.Length < 8 ? "body shorter than serial number and send time"
            : null;
        byte[]? answer = null;
        if (reason is null)
        {
            var serial = (request.Body[0] << 8) | request.Body[1];
            var now = clock.GetUtcNow();
            answer = request.Function switch
            {
                Sl651Function.RealTimeQuery => await RealTimeAsync(station!, serial, now, cancellationToken).ConfigureAwait(false),
                Sl651Function.PeriodQuery => await PeriodAsync(request, station!, serial, now, cancellationToken).ConfigureAwait(false),
                Sl651Function.SetClock or Sl651Function.ClockQuery => Clock(request, station!, serial, now),
                _ => null,
            };
            reason = answer is null ? "unsupported function, element or period" : null;
        }

        if (reason is not null)
        {
            Interlocked.Increment(ref counters.Refused);
            log.LogInformation("SL 651 {Platform}: request {Function:X2} for station {Station} not answered ({Reason})", platform.Name, request.Function, request.Station, reason);
        }

        return answer;
    }

    private async Task<byte[]> RealTimeAsync(Sl651Station station, int serial, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var end = now.ToUnixTimeSeconds() + 1;
        var w = await data.ReadAsync(station.Site, end - 3600, end, cancellationToken).ConfigureAwait(false);
        var elements = composer.StateElements(station, end - 3600, end, w);
        return composer.Report(platform, station, Sl651Function.RealTimeQuery, serial, now, now, elements);
    }

    // body: serial, send time, start YYMMDDhh, end YYMMDDhh, 04 18 DDhhmm, element identifier + definition
    private async Task<byte[]?> PeriodAsync(Sl651Frame request, Sl651Station station, int serial, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var b = request.Body;
        if (b.Length < 23 || !Bcd.TryTime(b.AsSpan(8, 4), composer.Offset, out var from) || !Bcd.TryTime(b.AsSpan(12, 4), composer.Offset, out var to) || to < from
            || b[16] != Sl651Element.TimeStep || !Bcd.TryDigits(b.AsSpan(18, 3), out var stepDigits))
        {
            return null;
        }

        var step = (long.Parse(stepDigits[..2], System.Globalization.CultureInfo.InvariantCulture) * 86400) + (long.Parse(stepDigits[2..4], System.Globalization.CultureInfo.InvariantCulture) * 3600) + (long.Parse(stepDigits[4..], System.Globalization.CultureInfo.InvariantCulture) * 60);
        var element = b[21];
        var format = element switch
        {
            Sl651Element.RiverStage => Sl651Composer.StageFormat,
            Sl651Element.RainCurrent => Sl651Composer.RainFormat,
            _ => (ElementFormat?)null,
        };
        var first = from.ToUnixTimeSeconds();
        var last = to.ToUnixTimeSeconds();
        if (format is not { } f || step <= 0 || ((last - first) / step) + 1 > MaxPoints)
        {
            return null;
        }

        var w = await data.ReadAsync(station.Site, first - step, last + 1, cancellationToken).ConfigureAwait(false);
        var values = new List<byte>();
        for (var t = first; t <= last; t += step)
        {
            double? v = element == Sl651Element.RiverStage
                ? w.LastLevelIn(t - step + 1, t + 1) + station.LevelBaseMetres
                : w.GaugeReadIn(t - step + 1, t + 1) ? w.RainIn(t - step + 1, t + 1) : null;
            values.AddRange(v is { } x && Bcd.Number(x, f.Bytes, f.Decimals) is { } digits ? digits : Enumerable.Repeat((byte)0xFF, f.Bytes));
        }

        var body = new Sl651Body(composer.Offset).Header(serial, now).Station(station.Station, station.Category[0]).Observed(from)
            .Raw(Sl651Element.TimeStep, b[17], b.AsSpan(18, 3).ToArray())
            .Raw(element, Sl651Element.Definition(f.Bytes, f.Decimals), values).ToArray();
        return Sl651Composer.Up(platform, station, Sl651Function.PeriodQuery, body, Sl651Control.Etx);
    }

    private byte[] Clock(Sl651Frame request, Sl651Station station, int serial, DateTimeOffset now)
    {
        if (request.Function == Sl651Function.SetClock && Bcd.TryTime(request.Body.AsSpan(2, 6), composer.Offset, out var asked) && (asked - now).Duration() > TimeSpan.FromSeconds(2))
        {
            log.LogWarning("SL 651 {Platform}: the centre set the clock of station {Station} to {Asked}, {Skew} s from the gateway's clock; the gateway keeps its own (host NTP) time", platform.Name, station.Station, asked, (long)(asked - now).Duration().TotalSeconds);
        }

        var body = new Sl651Body(composer.Offset).Header(serial, now).ToArray();
        body = [.. body, Sl651Element.StationAddress, Sl651Element.StationAddress, .. Bcd.Address(station.Station)];
        return Sl651Composer.Up(platform, station, request.Function, body, Sl651Control.Etx);
    }
}
