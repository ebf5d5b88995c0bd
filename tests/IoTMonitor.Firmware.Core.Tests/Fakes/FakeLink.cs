using System.Text;
using IoTMonitor.Firmware.Core.Node;

namespace IoTMonitor.Firmware.Core.Tests.Fakes;

/// <summary>Scriptable network: a broker that records publishes and hands out queued messages.</summary>
public sealed class FakeLink(FakeClock clock) : INodeLink
{
    public sealed record Message(string Topic, string Payload, bool Retain);

    public List<Message> Published { get; } = [];
    public Queue<(string Topic, string Payload)> Inbox { get; } = new();
    public bool NetworkUp { get; set; } = true;
    public int ConnectCostMs { get; set; } = 3000;
    public int PublishCostMs { get; set; } = 50;

    /// <summary>Publishes on telemetry that get no PUBACK (count down).</summary>
    public int DropPubacks { get; set; }

    public long? SntpTime { get; set; } = 1_764_316_800;

    /// <summary>
    /// An NTP server that answers every sync with the true time (the test's own clock of record), as
    /// SNTP sets a drifted RTC back; when set it replaces <see cref="SntpTime"/>. Null answers nothing.
    /// </summary>
    public Func<long>? NtpTime { get; set; }

    /// <summary>Syncs asked for.</summary>
    public int SyncRequests { get; private set; }
    public LinkSettings? LastSettings { get; private set; }
    public int Connects { get; private set; }
    public bool Connected { get; private set; }
    public int Rssi => -70;

    public IEnumerable<string> Telemetry => Published.Where(m => m.Topic.EndsWith("/telemetry")).Select(m => m.Payload);

    public LinkStatus Connect(LinkSettings settings, int timeoutMs)
    {
        Connects++;
        LastSettings = settings;
        if (!NetworkUp)
        {
            clock.Advance(timeoutMs); // a dead network costs the whole timeout
            return LinkStatus.WifiFailed;
        }

        clock.Advance(Math.Min(ConnectCostMs, timeoutMs));
        Connected = true;
        return LinkStatus.Ok;
    }

    public bool SyncTime(string server, int timeoutMs)
    {
        SyncRequests++;
        if (NtpTime is not null)
        {
            clock.Advance(2100); // SNTP_STARTUP_DELAY 2 s, then the answer
            clock.SetUtc(NtpTime());
            return true;
        }

        clock.Advance(100);
        if (SntpTime is not null && clock.UtcSeconds >= 1_600_000_000)
        {
            // The fake RTC does not drift: a re-sync of a set clock leaves it where it is.
            return true;
        }

        if (SntpTime is null)
        {
            return false;
        }

        clock.SetUtc(SntpTime.Value);
        SntpTime = null;
        return true;
    }

    public LinkStatus Publish(string topic, byte[] payload, int offset, int count, bool retain, int timeoutMs)
    {
        if (!Connected)
        {
            return LinkStatus.Disconnected;
        }

        if (topic.EndsWith("/telemetry") && DropPubacks > 0)
        {
            DropPubacks--;
            Published.Add(new Message(topic, Encoding.UTF8.GetString(payload, offset, count), retain));
            clock.Advance(timeoutMs);
            return LinkStatus.Timeout;
        }

        clock.Advance(PublishCostMs);
        Published.Add(new Message(topic, Encoding.UTF8.GetString(payload, offset, count), retain));
        return LinkStatus.Ok;
    }

    public int Receive(byte[] buffer, int timeoutMs, out string topic)
    {
        topic = "";
        if (!Connected || Inbox.Count == 0)
        {
            clock.Advance(timeoutMs);
            return -1;
        }

        var (t, p) = Inbox.Dequeue();
        topic = t;
        var bytes = Encoding.UTF8.GetBytes(p);
        if (bytes.Length > buffer.Length)
        {
            Array.Copy(bytes, buffer, buffer.Length); // the prefix, as INodeLink.Receive says
            return -2;
        }

        bytes.CopyTo(buffer, 0);
        clock.Advance(10);
        return bytes.Length;
    }

    public void Disconnect() => Connected = false;
}
