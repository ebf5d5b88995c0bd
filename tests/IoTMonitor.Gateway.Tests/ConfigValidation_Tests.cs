using IoTMonitor.Testing;
using Microsoft.Extensions.Options;

namespace IoTMonitor.Gateway.Tests;

/// <summary>A bad key stops the start with a message naming the key, whichever stage owns it.</summary>
public sealed class ConfigValidation_Tests
{
    [Theory]
    [InlineData("--Storage:Gzip=yes", "Storage:Gzip must be auto, true or false (got 'yes')")]
    [InlineData("--Alerts:Mqtt:TopicPrefix=alerts/+", "Alerts:Mqtt:TopicPrefix must be a topic without wildcards")]
    [InlineData("--Alerts:Lease:HandOffPollMs=10", "Alerts:Lease:HandOffPollMs must be 50–10000")]
    [InlineData("--Gateway:LedgerPath= ", "Gateway:LedgerPath must be set")]
    [InlineData("--State:Provider=mysql", "State:Provider must be 'sqlite' or 'postgres' (got 'mysql')")]
    [InlineData("--State:Provider=postgres", "State:ConnectionString must be set when State:Provider is 'postgres'")]
    [InlineData("--State:ConnectionString=Host=127.0.0.1;Database=x", "State:ConnectionString is set but State:Provider is 'sqlite'")]
    public async Task A_bad_key_stops_the_start_naming_the_key(string setting, string message)
    {
        var dataDir = Directory.CreateTempSubdirectory("iotmon-gw-config-").FullName;
        var mqttPort = FreePort.Next();
        try
        {
            await using var app = GatewayApp.Build(
            [
                $"--Urls=http://127.0.0.1:{FreePort.Next()}",
                $"--Gateway:DataDir={dataDir}",
                "--Mqtt:BindAddress=127.0.0.1",
                $"--Mqtt:Port={mqttPort}",
                "--Logging:LogLevel:Default=Warning",
                setting,
            ]);
            var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
            Assert.Contains(message, e.Message, StringComparison.Ordinal);
            Assert.False(FreePort.IsListening(mqttPort), "nothing starts when the configuration is refused");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
