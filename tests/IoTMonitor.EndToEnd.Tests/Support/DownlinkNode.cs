using IoTMonitor.Firmware.Host.Fleet;
using IoTMonitor.Firmware.Host.Link;
using IoTMonitor.Firmware.Host.Node;

namespace IoTMonitor.EndToEnd.Tests.Support;

/// <summary>
/// One virtual node (the real firmware core) registered at a gateway, woken one wake at a time by
/// the test. Simulated time starts 30 days back at 3600× so a 300 s sleep passes in under 0.1 s of
/// real time; each wake waits until the node's own next wake time, as the ESP32's RTC would.
/// </summary>
public sealed class DownlinkNode : IDisposable
{
    private readonly SimulationClock _sim = new(DateTimeOffset.UtcNow.AddDays(-30).ToUnixTimeMilliseconds(), 3600);
    private long _next;

    private DownlinkNode(NodeSpec spec, int? mqttPort)
    {
        // a generous real receive window: the retained config and queued commands arrive right after
        // the subscription, but a loaded CI machine may take longer than the default 20 ms
        var link = new LinkOptions { MaxRealReceiveWaitMs = 1500, PortOverride = mqttPort };
        Node = new VirtualNode(spec, _sim, link);
        Secret = DeviceConfigDocument.Identity(spec.ConfigJson).Secret;
    }

    public VirtualNode Node { get; }

    public string Secret { get; }

    public string Site => Node.Spec.Site;

    public string Device => Node.Spec.Device;

    /// <summary>Seconds the node asked to sleep after its last wake.</summary>
    public long LastSleepSeconds { get; private set; }

    /// <summary>Registers <paramref name="device"/> at the gateway and builds its node (300 s sampling and upload: it connects at every wake).</summary>
    public static async Task<DownlinkNode> EnrolAsync(GatewayUnderTest gw, string site, string device, int? brokerPort = null)
    {
        var secret = await gw.EnrolAsync(site, device);
        var port = brokerPort ?? gw.MqttPort;
        var json = DeviceConfigDocument.Build(new DeviceConfigRequest(site, device, "water", "127.0.0.1", port, secret, SampleSec: 300, UploadSec: 300));
        return new DownlinkNode(new NodeSpec(site, device, "water", json), port);
    }

    /// <summary>Waits for the node's next wake time, then runs one wake of the firmware core.</summary>
    public async Task WakeAsync()
    {
        var delay = _sim.RealDelayUntil(_next);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }

        _next = await Task.Run(Node.Wake);
        LastSleepSeconds = (_next - Node.Clock.TrueUtcMs + 500) / 1000;
        Assert.True(Node.LastLinkError == IoTMonitor.Firmware.Core.Node.LinkStatus.Ok, $"{Device} wake: {Node.LastLinkError} {Node.Link.LastError}");
    }

    public void Dispose() => Node.Dispose();
}
