using System.Text;
using System.Text.Json;
using IoTMonitor.Firmware.Core.Protocol;

namespace IoTMonitor.Firmware.Core.Tests.Protocol;

/// <summary>
/// A cellular node's power mode in the batch health (protocol §4: <c>mpm</c>, <c>mlb</c>): sent with the
/// network keys when the link knows them, absent otherwise (a Wi-Fi node, an older link).
/// </summary>
public class NetworkPowerModeTests
{
    private static JsonElement Health(NetworkReport? net)
    {
        var header = new TelemetryHeader { Firmware = "1.0.0", Boot = 3, Clock = 1_764_316_800, Battery = 3.62, Rssi = -81, ResetReason = 2, Network = net };
        var readings = new[] { new Reading { Seq = 1, Time = 1_764_316_800, Quantity = 0, Value = 7.1 } };
        var buffer = new byte[4096];
        int n = new TelemetryEncoder().Encode(header, readings, 0, 1, buffer, 0, buffer.Length);
        Assert.True(n > 0, $"encode returned {n}");
        return JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, n)).RootElement.GetProperty("h");
    }

    [Fact]
    public void Psm_and_the_battery_cut_off_count_are_in_the_health()
    {
        var h = Health(new NetworkReport { Operator = "CHINA MOBILE", AccessTech = 9, PowerMode = NetworkReport.ModePsm, BatteryCutoffs = 2 });
        Assert.Equal(1, h.GetProperty("mpm").GetInt32());
        Assert.Equal(2, h.GetProperty("mlb").GetInt32());
        Assert.Equal(9, h.GetProperty("act").GetInt32());
    }

    [Fact]
    public void Off_between_uploads_is_sent_and_no_cut_off_leaves_mlb_out()
    {
        var h = Health(new NetworkReport { PowerMode = NetworkReport.ModeOff });
        Assert.Equal(0, h.GetProperty("mpm").GetInt32());
        Assert.False(h.TryGetProperty("mlb", out _));
    }

    [Fact]
    public void An_unknown_mode_and_a_wifi_node_send_neither_key()
    {
        var h = Health(new NetworkReport());
        Assert.False(h.TryGetProperty("mpm", out _));
        var w = Health(null);
        Assert.False(w.TryGetProperty("mpm", out _));
        Assert.False(w.TryGetProperty("mlb", out _));
    }
}
