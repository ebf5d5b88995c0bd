using System.Globalization;
using System.Text;

namespace IoTMonitor.Gateway.Forwarding.Hj212;

/// <summary>Counters of one platform's link (read by <c>/metrics</c> and the API).</summary>
public sealed class Hj212Counters
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

/// <summary>The forwarder's lines of <c>/metrics</c> (Prometheus text format 0.0.4), one label per platform.</summary>
public static class Hj212Metrics
{
    public static string Render(IEnumerable<(string Platform, Hj212Counters Counters, Hj212OutboxCounts Outbox, bool Connected)> platforms)
    {
        var list = platforms.ToList();
        var sb = new StringBuilder();
        if (list.Count == 0)
        {
            return string.Empty;
        }

        Family(sb, "iotmon_hj212_packets_sent_total", "counter", "HJ 212 packets written to the platform (each resend counted)", list, p => Interlocked.Read(ref p.Counters.Sent));
        Family(sb, "iotmon_hj212_packets_resent_total", "counter", "HJ 212 packets written again after no 9014 answer or a lost connection", list, p => Interlocked.Read(ref p.Counters.Resent));
        Family(sb, "iotmon_hj212_packets_answered_total", "counter", "HJ 212 packets the platform answered with CN 9014", list, p => Interlocked.Read(ref p.Counters.Answered));
        Family(sb, "iotmon_hj212_requests_total", "counter", "Requests received from the platform (time, history, others)", list, p => Interlocked.Read(ref p.Counters.Requests));
        Family(sb, "iotmon_hj212_requests_refused_total", "counter", "Platform requests refused (9011 QnRtn other than 1)", list, p => Interlocked.Read(ref p.Counters.Refused));
        Family(sb, "iotmon_hj212_frames_invalid_total", "counter", "Frames from the platform that failed the length, CRC or field checks", list, p => Interlocked.Read(ref p.Counters.InvalidFrames));
        Family(sb, "iotmon_hj212_connects_total", "counter", "TCP connections opened to the platform", list, p => Interlocked.Read(ref p.Counters.Connects));
        Family(sb, "iotmon_hj212_connect_failures_total", "counter", "Connections that failed or were dropped", list, p => Interlocked.Read(ref p.Counters.ConnectFailures));
        Family(sb, "iotmon_hj212_pending_packets", "gauge", "Packets in the platform's outbox not yet sent or answered", list, p => p.Outbox.Pending);
        Family(sb, "iotmon_hj212_connected", "gauge", "1 while the TCP connection to the platform is open", list, p => p.Connected ? 1 : 0);
        return sb.ToString();
    }

    private static void Family(StringBuilder sb, string name, string type, string help, List<(string Platform, Hj212Counters Counters, Hj212OutboxCounts Outbox, bool Connected)> list, Func<(string Platform, Hj212Counters Counters, Hj212OutboxCounts Outbox, bool Connected), long> value)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var p in list)
        {
            sb.Append(name).Append("{platform=\"").Append(p.Platform).Append("\"} ").Append(value(p).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
