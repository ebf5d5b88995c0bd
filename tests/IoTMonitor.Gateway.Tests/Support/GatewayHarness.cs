using IoTMonitor.Gateway.Ingest;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Tests.Support;

/// <summary>The whole gateway in-process on free loopback ports with a temporary data dir, writing to a database of a real influxd.</summary>
public sealed class GatewayHarness : InProcessGateway
{
    public const string AdminKey = "test-admin-key-0123456789";

    private GatewayHarness(string database, string? dataDir)
        : base(AdminKey, "iotmon-gw-test-", dataDir)
    {
        Database = database;
    }

    public string Database { get; }

    public static string NewDatabase() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Starts the gateway; with <paramref name="dataDir"/> it runs on (and leaves) that data dir.</summary>
    public static async Task<GatewayHarness> StartAsync(InfluxDbServer influx, string? database = null, string? dataDir = null, params string[] extra)
    {
        var harness = new GatewayHarness(database ?? NewDatabase(), dataDir);
        await harness.StartGatewayAsync(
        [
            $"--Storage:Url={influx.Url}",
            $"--Storage:Database={harness.Database}",
            "--Storage:RetryInitialMs=50",
            "--Storage:RetryMaxMs=500",
            .. extra,
        ]);
        return harness;
    }

    public static async Task<IMqttClient> ConnectDeviceAsync(int port, string device, string secret, string? clientId = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId ?? device) // a device login must use its own id as client id
            .WithCredentials(device, secret)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        var result = await client.ConnectAsync(options);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"connect refused: {result.ResultCode}");
        }

        return client;
    }

    public static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, byte[] payload) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    /// <summary>Waits until InfluxDB holds <paramref name="expected"/> points with field seq in <paramref name="measurement"/>.</summary>
    public static async Task<long> WaitForCountAsync(InfluxDbServer influx, string database, long expected, TimeSpan timeout, string measurement = "water")
    {
        var deadline = DateTime.UtcNow + timeout;
        long count = 0;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                count = await influx.CountAsync(database, measurement, "seq");
            }
            catch (InvalidOperationException)
            {
                count = 0; // database not created yet
            }

            if (count >= expected)
            {
                // settle: a late duplicate would show as a count above expected
                await Task.Delay(300);
                return await influx.CountAsync(database, measurement, "seq");
            }

            await Task.Delay(100);
        }

        return count;
    }
}
