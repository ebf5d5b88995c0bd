using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Api.Tests.Support;

/// <summary>
/// Stands in for the virtual fleet (issue 6): a device that connects to the gateway's embedded broker
/// with its credentials and publishes protocol-v1 telemetry batches (docs/protocol.md §4), QoS 1.
/// </summary>
public sealed class TelemetryPublisher : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly string _site;
    private readonly string _device;

    private TelemetryPublisher(IMqttClient client, string site, string device)
    {
        _client = client;
        _site = site;
        _device = device;
    }

    public long Boot { get; set; } = 1;

    public long NextSeq { get; private set; } = 1;

    public static async Task<TelemetryPublisher> ConnectAsync(int port, string site, string device, string secret)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(device)
            .WithCredentials(device, secret)
            .WithCleanSession(false)
            .Build();
        var result = await client.ConnectAsync(options);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"device {device} could not connect: {result.ResultCode}");
        }

        return new TelemetryPublisher(client, site, device);
    }

    /// <summary>Publishes one batch; readings are (t, quantity, value, flags).</summary>
    public async Task PublishAsync(IEnumerable<(long T, string Quantity, double Value, long Flags)> readings, double battery = 3.9, long rssi = -67, long backlog = 0)
    {
        var clk = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"v\":1,\"fw\":\"1.0.0\",\"boot\":{Boot},\"clk\":{clk},\"h\":{{\"bat\":{battery.ToString("R", CultureInfo.InvariantCulture)},\"rssi\":{rssi},\"qd\":{backlog},\"drop\":0,\"rst\":1}},\"r\":[");
        var first = true;
        foreach (var (t, q, v, f) in readings)
        {
            sb.Append(first ? string.Empty : ",").Append(CultureInfo.InvariantCulture, $"[{NextSeq++},{t},\"{q}\",{v.ToString("R", CultureInfo.InvariantCulture)},{f}]");
            first = false;
        }

        sb.Append("]}");
        await PublishJsonAsync(sb.ToString());
    }

    /// <summary>Publishes a telemetry document exactly as given (fields the builder above does not write: raw, cal).</summary>
    public Task PublishJsonAsync(string json) => PublishOnAsync("telemetry", json);

    /// <summary>Answers as the node's firmware would on <c>config/ack</c> or <c>cmd/ack</c> (protocol §6, §7), e.g. <c>{"v":1,"rev":1,"ok":true,"err":0}</c>.</summary>
    public Task PublishAckAsync(string kind, string json) => PublishOnAsync(kind, json);

    private async Task PublishOnAsync(string leaf, string json)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic($"iotmon/v1/{_site}/{_device}/{leaf}")
            .WithPayload(Encoding.UTF8.GetBytes(json))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var ack = await _client.PublishAsync(message);
        if (!ack.IsSuccess)
        {
            throw new InvalidOperationException($"publish refused: {ack.ReasonCode}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
