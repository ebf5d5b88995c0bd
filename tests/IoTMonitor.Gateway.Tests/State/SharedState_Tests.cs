using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTMonitor.Gateway.State;
using IoTMonitor.Gateway.Tests.Support;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Tests.State;

/// <summary>Whole gateways (in-process, real InfluxDB and PostgreSQL) with <c>State:Provider = postgres</c>.</summary>
public sealed class SharedState_Tests(PostgresFixture postgres, InfluxDbFixture influx) : IClassFixture<PostgresFixture>, IClassFixture<InfluxDbFixture>
{
    [Fact]
    public async Task Two_replicas_on_one_database_know_a_key_created_or_revoked_on_either()
    {
        var db = await postgres.Server.CreateDatabaseAsync("replicas");
        string[] shared = ["--State:Provider=postgres", $"--State:ConnectionString={db}"];
        await using var a = await GatewayHarness.StartAsync(influx.Server, extra: shared);
        await using var b = await GatewayHarness.StartAsync(influx.Server, extra: shared);

        var created = await CreateKeyAsync(a, "made on replica a", "operator");
        var onB = await CreateKeyAsync(b, "made on replica b", "viewer");

        Assert.Equal("made on replica a", (await MeAsync(b, created.Key)).GetProperty("name").GetString());
        Assert.Equal("made on replica b", (await MeAsync(a, onB.Key)).GetProperty("name").GetString());
        var listedOnB = await b.Http.GetFromJsonAsync<JsonElement>("/api/v1/keys");
        Assert.Equal(2, listedOnB.GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await b.Http.DeleteAsync($"/api/v1/keys/{created.Id}")).StatusCode);
        using var refused = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        refused.Headers.Add("X-Api-Key", created.Key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await a.Http.SendAsync(refused)).StatusCode);
    }

    [Fact]
    public async Task A_database_with_a_newer_schema_stops_the_start()
    {
        var db = await postgres.Server.CreateDatabaseAsync("newer");
        using (new PostgresState(db, PostgresMigrations.Steps.Append((PostgresMigrations.Latest + 1, "from a newer gateway", "CREATE TABLE newer (id int)")).ToList(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
        }

        var dataDir = Directory.CreateTempSubdirectory("iotmon-gw-newer-").FullName;
        var mqttPort = FreePort.Next();
        try
        {
            await using var app = GatewayApp.Build(
            [
                $"--Urls=http://127.0.0.1:{FreePort.Next()}",
                $"--Gateway:DataDir={dataDir}",
                "--Mqtt:BindAddress=127.0.0.1",
                $"--Mqtt:Port={mqttPort}",
                $"--Storage:Url={influx.Server.Url}",
                "--Logging:LogLevel:Default=Warning",
                "--State:Provider=postgres",
                $"--State:ConnectionString={db}",
            ]);

            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

            Assert.Contains($"schema version {PostgresMigrations.Latest + 1}, newer than this gateway knows ({PostgresMigrations.Latest})", e.Message, StringComparison.Ordinal);
            Assert.False(FreePort.IsListening(mqttPort), "the broker does not start on a schema it does not know");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<(string Id, string Key)> CreateKeyAsync(GatewayHarness gateway, string name, string role)
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/v1/keys", new { name, role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!);
    }

    private static async Task<JsonElement> MeAsync(GatewayHarness gateway, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Add("X-Api-Key", key);
        using var response = await gateway.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
