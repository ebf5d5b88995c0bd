using System.Diagnostics;
using System.Text;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTMonitor.Gateway.Tests;

/// <summary>
/// The Mosquitto password file and ACL of docs/operations.md ("Broker logins and ACL in external
/// mode"), read from the document itself, against a real Mosquitto: what a device and the gateway's
/// user may and may not do.
/// </summary>
public sealed class BrokerAcl_Tests
{
    [Fact]
    public async Task The_documented_ACL_lets_devices_and_the_gateway_do_exactly_their_part()
    {
        var dir = Directory.CreateTempSubdirectory("iotmon-acl-").FullName;
        try
        {
            var acl = Path.Combine(dir, "acl");
            var passwd = Path.Combine(dir, "passwd");
            await File.WriteAllTextAsync(acl, DocumentedAcl());
            await RunAsync("mosquitto_passwd", "-c", "-b", passwd, "iotmon-gateway", "gw-pass");
            await RunAsync("mosquitto_passwd", "-b", passwd, "wq-0001", "secret-1");
            await RunAsync("mosquitto_passwd", "-b", passwd, "wq-0002", "secret-2");
            using var broker = await MosquittoServer.StartNewAsync($"allow_anonymous false\npassword_file {passwd}\nacl_file {acl}\n");

            using var gateway = await ConnectAsync(broker.Port, "iotmon-gateway", "gw-pass");
            var received = new List<string>();
            gateway.ApplicationMessageReceivedAsync += e =>
            {
                lock (received)
                {
                    received.Add(e.ApplicationMessage.Topic);
                }

                return Task.CompletedTask;
            };
            await gateway.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter("$share/iotmon-gateway/iotmon/v1/+/+/telemetry", MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter("$share/iotmon-gateway/iotmon/v1/+/+/cmd/ack", MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter("iotmon/v1/+/+/status", MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());

            using var device = await ConnectAsync(broker.Port, "wq-0001", "secret-1");
            var deviceGot = new List<string>();
            device.ApplicationMessageReceivedAsync += e =>
            {
                lock (deviceGot)
                {
                    deviceGot.Add(e.ApplicationMessage.Topic);
                }

                return Task.CompletedTask;
            };
            await device.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter("iotmon/v1/s1/wq-0001/cmd", MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter("iotmon/v1/s1/wq-0002/cmd", MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());

            // allowed: its own telemetry, status and ack; the gateway's command to it
            await Publish(device, "iotmon/v1/s1/wq-0001/telemetry");
            await Publish(device, "iotmon/v1/s1/wq-0001/status");
            await Publish(device, "iotmon/v1/s1/wq-0001/cmd/ack");
            await Publish(gateway, "iotmon/v1/s1/wq-0001/cmd");

            // refused: another device's telemetry, a command to itself, the gateway's command to another device reaching it
            await Publish(device, "iotmon/v1/s1/wq-0002/telemetry");
            await Publish(device, "iotmon/v1/s1/wq-0001/cmd");
            await Publish(gateway, "iotmon/v1/s1/wq-0002/cmd");

            // the broker does not enforce the site (the gateway does): documented in operations.md
            await Publish(device, "iotmon/v1/other-site/wq-0001/telemetry");

            // wrong secret: no connection
            await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(broker.Port, "wq-0002", "secret-1"));

            await Task.Delay(1000);
            lock (received)
            {
                Assert.Equal(
                    ["iotmon/v1/other-site/wq-0001/telemetry", "iotmon/v1/s1/wq-0001/cmd/ack", "iotmon/v1/s1/wq-0001/status", "iotmon/v1/s1/wq-0001/telemetry"],
                    received.Order(StringComparer.Ordinal).ToArray());
            }

            lock (deviceGot)
            {
                Assert.Equal(["iotmon/v1/s1/wq-0001/cmd"], deviceGot.ToArray());
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string DocumentedAcl()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "IoTMonitor.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        }

        var doc = File.ReadAllText(Path.Combine(root, "docs", "operations.md"));
        var start = doc.IndexOf("# /etc/mosquitto/acl\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "operations.md has no ACL example");
        var end = doc.IndexOf("```", start, StringComparison.Ordinal);
        return doc[start..end];
    }

    private static async Task<IMqttClient> ConnectAsync(int port, string user, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(user + "-" + Guid.NewGuid().ToString("N")[..6])
            .WithCredentials(user, password).WithProtocolVersion(MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(10)).Build());
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"connect refused: {result.ResultCode}");
        }

        return client;
    }

    // Mosquitto answers a publish its ACL denies with PUBACK success in 3.1.1 and "not authorized"
    // in MQTT 5 (or drops it); either way it is not delivered, which is what the receivers check.
    private static Task Publish(IMqttClient client, string topic) =>
        GatewayHarness.PublishAsync(client, topic, Encoding.UTF8.GetBytes("{}"));

    private static async Task RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info) ?? throw new InvalidOperationException(file + " did not start");
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"{file} failed: {error}");
    }
}
