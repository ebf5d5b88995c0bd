using System.Globalization;
using System.Text;

namespace IoTMonitor.Gateway.Forwarding;

/// <summary>Counters of one platform's link, whatever the protocol (read by <c>/metrics</c> and the API).</summary>
public sealed class ForwardingCounters
{
    public long Sent;
    public long Resent;
    public long Answered;
    public long Requests;
    public long Refused;
    public long InvalidFrames;
    public long Connects;
    public long ConnectFailures;
}

/// <summary>One platform's figures for <c>/metrics</c>.</summary>
public readonly record struct PlatformFigures(string Platform, ForwardingCounters Counters, ForwardingOutboxCounts Outbox, bool Connected);

/// <summary>
/// A forwarder's lines of <c>/metrics</c> (Prometheus text format 0.0.4), one label per platform:
/// <c>iotmon_{protocol}_…</c>; <paramref name="answer"/> names the platform's acknowledgement in the help text.
/// </summary>
public static class ForwardingMetrics
{
    public static string Render(string protocol, string title, string answer, IEnumerable<PlatformFigures> platforms)
    {
        var list = platforms.ToList();
        var sb = new StringBuilder();
        if (list.Count == 0)
        {
            return string.Empty;
        }

        var p = "iotmon_" + protocol + "_";
        Family(sb, p + "packets_sent_total", "counter", $"{title} packets written to the platform (each resend counted)", list, f => Interlocked.Read(ref f.Counters.Sent));
        Family(sb, p + "packets_resent_total", "counter", $"{title} packets written again after no {answer} or a lost connection", list, f => Interlocked.Read(ref f.Counters.Resent));
        Family(sb, p + "packets_answered_total", "counter", $"{title} packets the platform answered with {answer}", list, f => Interlocked.Read(ref f.Counters.Answered));
        Family(sb, p + "requests_total", "counter", "Requests received from the platform (time, history, others)", list, f => Interlocked.Read(ref f.Counters.Requests));
        Family(sb, p + "requests_refused_total", "counter", "Platform requests refused or left unanswered as the standard says", list, f => Interlocked.Read(ref f.Counters.Refused));
        Family(sb, p + "frames_invalid_total", "counter", "Frames from the platform that failed the length, CRC or field checks", list, f => Interlocked.Read(ref f.Counters.InvalidFrames));
        Family(sb, p + "connects_total", "counter", "TCP connections opened to the platform", list, f => Interlocked.Read(ref f.Counters.Connects));
        Family(sb, p + "connect_failures_total", "counter", "Connections that failed or were dropped", list, f => Interlocked.Read(ref f.Counters.ConnectFailures));
        Family(sb, p + "pending_packets", "gauge", "Packets in the platform's outbox not yet sent or answered", list, f => f.Outbox.Pending);
        Family(sb, p + "connected", "gauge", "1 while the TCP connection to the platform is open", list, f => f.Connected ? 1 : 0);
        return sb.ToString();
    }

    private static void Family(StringBuilder sb, string name, string type, string help, List<PlatformFigures> list, Func<PlatformFigures, long> value)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var p in list)
        {
            sb.Append(name).Append("{platform=\"").Append(p.Platform).Append("\"} ").Append(value(p).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
