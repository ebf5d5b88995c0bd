using System.Globalization;
using Microsoft.Extensions.Logging;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>
/// Answers what a platform asks of a data logger (HJ 212-2017 Table 9 and the request sequence of
/// Appendix C): 9011 (QnRtn) first, then the data, then 9012 (ExeRtn), all with the request's QN.
/// Supported: time query 1011, time set 1012, history of minute/hour/day data 2051/2061/2031 for
/// BeginTime..EndTime. Any other request is refused: 9011 QnRtn 2, or QnRtn 8 for a CN outside the
/// request ranges. A wrong PW or an MN not configured for this platform is answered QnRtn 3/4.
/// </summary>
public sealed class Hj212Requests(Hj212Platform platform, Hj212Options options, Hj212Composer composer, Hj212AggregateSource aggregates, ForwardingCounters counters, TimeProvider clock, ILogger log)
{
    /// <summary>Most periods one history request may ask for.</summary>
    public const int MaxHistoryPeriods = 20_000;

    private const string SystemSt = "91";

    /// <summary>Whether a message from the platform is a request this class answers (not an answer such as 9014/9013).</summary>
    public static bool IsRequest(Hj212Message m) => m.Cn.Length == 4 && m.Cn[0] is '1' or '2' or '3';

    public async Task HandleAsync(Hj212Message m, Func<string, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref counters.Requests);
        var station = platform.Sites.FirstOrDefault(s => s.Mn == m.Mn);
        var refusal = m.Pw != platform.Password ? Hj212Return.BadPassword
            : station is null ? Hj212Return.BadMn
            : m.Cn is Hj212Cn.TimeQuery or Hj212Cn.TimeSet || Period(m.Cn) > 0 ? 0
            : Hj212Return.Refused;
        if (refusal != 0)
        {
            Interlocked.Increment(ref counters.Refused);
            log.LogInformation("HJ 212 {Platform}: request CN {Cn} MN {Mn} refused (QnRtn {Code})", platform.Name, m.Cn, m.Mn, refusal);
            await write(Hj212Composer.Reply(m, SystemSt, Hj212Cn.RequestAnswer, "QnRtn=" + refusal.ToString(CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false);
            return;
        }

        await write(Hj212Composer.Reply(m, SystemSt, Hj212Cn.RequestAnswer, "QnRtn=1"), cancellationToken).ConfigureAwait(false);
        var result = m.Cn switch
        {
            Hj212Cn.TimeQuery => await TimeQueryAsync(m, station!, write, cancellationToken).ConfigureAwait(false),
            Hj212Cn.TimeSet => TimeSet(m),
            _ => await HistoryAsync(m, station!, write, cancellationToken).ConfigureAwait(false),
        };
        await write(Hj212Composer.Reply(m, SystemSt, Hj212Cn.ExecutionResult, "ExeRtn=" + result.ToString(CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false);
    }

    private long Period(string cn) => cn switch
    {
        Hj212Cn.Minute when options.MinuteDataMinutes > 0 => options.MinuteDataMinutes * 60L,
        Hj212Cn.Hourly when options.Hourly => 3600,
        Hj212Cn.Daily when options.Daily => 86400,
        _ => 0,
    };

    private async Task<int> TimeQueryAsync(Hj212Message m, Hj212Station station, Func<string, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var pol = m.Get("PolId");
        var cp = (pol is null ? string.Empty : "PolId=" + pol + ";") + "SystemTime=" + composer.Time.DataTime(clock.GetUtcNow().ToUnixTimeSeconds());
        await write(Hj212Packet.Frame(Hj212Packet.DataSegment(new Hj212Header(m.Qn, station.St, Hj212Cn.TimeQuery, platform.Password, station.Mn, Hj212Packet.Version2017), cp)), cancellationToken).ConfigureAwait(false);
        return Hj212Return.Success;
    }

    // The gateway's clock is the host's (NTP); it is not set from the platform. A SystemTime within 2 s
    // of it is reported done, any other as failed, so the agency sees the clocks differ.
    private int TimeSet(Hj212Message m)
    {
        if (!composer.Time.TryParse(m.Get("SystemTime"), out var asked))
        {
            return 3;
        }

        var skew = (asked - clock.GetUtcNow()).Duration();
        if (skew <= TimeSpan.FromSeconds(2))
        {
            return Hj212Return.Success;
        }

        log.LogWarning("HJ 212 {Platform}: platform set the time to {Asked}, {Skew} s from the gateway's clock; the gateway keeps its own (host NTP) time", platform.Name, asked, (long)skew.TotalSeconds);
        return Hj212Return.Failed;
    }

    private async Task<int> HistoryAsync(Hj212Message m, Hj212Station station, Func<string, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var period = Period(m.Cn);
        if (!composer.Time.TryParse(m.Get("BeginTime"), out var begin) || !composer.Time.TryParse(m.Get("EndTime"), out var end) || end < begin)
        {
            return 3;
        }

        var from = composer.Time.PeriodStart(begin.ToUnixTimeSeconds() + period - 1, period);
        var to = composer.Time.PeriodStart(end.ToUnixTimeSeconds(), period) + period;
        if ((to - from) / period > MaxHistoryPeriods)
        {
            return 3;
        }

        var sent = 0;
        foreach (var (start, list) in await aggregates.QueryAsync(station.Site, from, to, period, cancellationToken).ConfigureAwait(false))
        {
            foreach (var (_, frame) in composer.Aggregate(platform, station, m.Cn, start, list, () => m.Qn, answerRequired: false))
            {
                await write(frame, cancellationToken).ConfigureAwait(false);
                sent++;
            }
        }

        return sent == 0 ? Hj212Return.NoData : Hj212Return.Success;
    }
}
