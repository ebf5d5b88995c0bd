using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace IoTMonitor.Testing;

/// <summary>
/// A real influxd (Debian's 1.6.7 build in CI) on a free loopback port with a temporary data dir.
/// Keeps its data across <see cref="ServerProcess.Stop"/> and <see cref="ServerProcess.StartAsync"/>,
/// so tests can take the database away and bring it back.
/// </summary>
public sealed class InfluxDbServer : ServerProcess
{
    private readonly HttpClient _http;

    public InfluxDbServer()
        : base("influxdb")
    {
        HttpPort = FreePort.Next();
        RpcPort = FreePort.Next();
        Url = new Uri($"http://127.0.0.1:{HttpPort}");
        _http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        File.WriteAllText(ConfigPath, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{RpcPort}"
            [meta]
              dir = "{DataDir}/meta"
            [data]
              dir = "{DataDir}/data"
              wal-dir = "{DataDir}/wal"
              query-log-enabled = false
            [monitor]
              store-enabled = false
            [http]
              bind-address = "127.0.0.1:{HttpPort}"
              log-enabled = false
              max-body-size = 0
            [continuous_queries]
              enabled = false
            """);
    }

    public int HttpPort { get; }

    public int RpcPort { get; }

    public Uri Url { get; }

    private string ConfigPath => Path.Combine(DataDir, "influxdb.conf");

    public static async Task<InfluxDbServer> StartNewAsync()
    {
        var server = new InfluxDbServer();
        try
        {
            await server.StartAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    protected override ProcessStartInfo CreateStartInfo() =>
        new(ServerBinary.Find("influxd", "influxdb"), $"-config {ConfigPath}");

    protected override async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("/ping", cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.NoContent;
    }

    public async Task CreateDatabaseAsync(string database)
    {
        await QueryAsync($"CREATE DATABASE \"{database}\"", database: null, post: true).ConfigureAwait(false);
    }

    /// <summary>Writes line protocol through the v1 /write endpoint (nanosecond precision).</summary>
    public async Task WriteAsync(string database, string lineProtocol)
    {
        using var content = new StringContent(lineProtocol, Encoding.UTF8, "text/plain");
        using var response = await _http.PostAsync($"/write?db={Uri.EscapeDataString(database)}&precision=ns", content).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"influxdb write failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }
    }

    /// <summary>Runs InfluxQL and returns the raw JSON document.</summary>
    public async Task<JsonDocument> QueryAsync(string influxQl, string? database, bool post = false)
    {
        var query = $"/query?q={Uri.EscapeDataString(influxQl)}&epoch=ns" + (database is null ? string.Empty : $"&db={Uri.EscapeDataString(database)}");
        using var response = post
            ? await _http.PostAsync(query, content: null).ConfigureAwait(false)
            : await _http.GetAsync(query).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"influxdb query failed: {(int)response.StatusCode} {body}");
        }

        var document = JsonDocument.Parse(body);
        foreach (var result in document.RootElement.GetProperty("results").EnumerateArray())
        {
            if (result.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"influxdb query '{influxQl}' failed: {error.GetString()}");
            }
        }

        return document;
    }

    /// <summary>All rows of the first series of the first result, as column→value maps.</summary>
    public async Task<IReadOnlyList<Dictionary<string, JsonElement>>> RowsAsync(string influxQl, string database)
    {
        using var document = await QueryAsync(influxQl, database).ConfigureAwait(false);
        var rows = new List<Dictionary<string, JsonElement>>();
        var result = document.RootElement.GetProperty("results")[0];
        if (!result.TryGetProperty("series", out var seriesList))
        {
            return rows;
        }

        foreach (var series in seriesList.EnumerateArray())
        {
            var columns = series.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
            var tags = series.TryGetProperty("tags", out var t) ? t.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()) : new Dictionary<string, JsonElement>();
            foreach (var values in series.GetProperty("values").EnumerateArray())
            {
                var row = new Dictionary<string, JsonElement>(tags);
                var i = 0;
                foreach (var value in values.EnumerateArray())
                {
                    row[columns[i++]] = value.Clone();
                }

                rows.Add(row);
            }
        }

        return rows;
    }

    /// <summary>Number of points in a measurement (counting one field that every point has).</summary>
    public async Task<long> CountAsync(string database, string measurement, string field, string? where = null)
    {
        var q = string.Create(CultureInfo.InvariantCulture, $"SELECT count(\"{field}\") FROM \"{measurement}\"{(where is null ? string.Empty : " WHERE " + where)}");
        var rows = await RowsAsync(q, database).ConfigureAwait(false);
        return rows.Count == 0 ? 0 : rows.Sum(r => r["count"].GetInt64());
    }
}
