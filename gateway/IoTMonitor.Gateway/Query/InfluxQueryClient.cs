using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using IoTMonitor.Gateway.Storage;

namespace IoTMonitor.Gateway.Query;

/// <summary>One series of an InfluxQL answer (or one chunk of it).</summary>
/// <param name="Rows">Each row in column order; time (column 0) is a long of Unix seconds, numbers are long or double.</param>
public sealed record InfluxSeries(string Name, IReadOnlyDictionary<string, string> Tags, string[] Columns, List<object?[]> Rows)
{
    public string Tag(string name) => Tags.TryGetValue(name, out var v) ? v : string.Empty;
}

/// <summary>One series of a two-column answer (time, number), as points.</summary>
public sealed record PointSeries(string Name, IReadOnlyDictionary<string, string> Tags, List<SeriesPoint> Points)
{
    public string Tag(string name) => Tags.TryGetValue(name, out var v) ? v : string.Empty;
}

public sealed class InfluxQueryException(string message) : Exception(message);

/// <summary>
/// InfluxQL over <c>GET /query</c> (<c>epoch=s</c>, chunked), the API that InfluxDB 1.x, 2.x (with a
/// DBRP mapping) and 3.x all answer, through the gateway's one <see cref="InfluxConnection"/>
/// (database, retention policy and credentials from <c>Storage:*</c>).
/// </summary>
public sealed class InfluxQueryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly InfluxConnection _connection;
    private readonly QueryOptions _options;
    private readonly string _parameters;

    public InfluxQueryClient(InfluxConnection connection, QueryOptions options)
    {
        _connection = connection;
        _options = options;
        _http = connection.CreateHttpClient(TimeSpan.FromSeconds(options.TimeoutSeconds));
        _parameters = "epoch=s&chunked=true&chunk_size=" + options.ChunkSize.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Quotes a string literal for InfluxQL.</summary>
    public static string Literal(string s) => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>Quotes an identifier for InfluxQL.</summary>
    public static string Identifier(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Runs one statement and returns all its series (chunks of one series merged).</summary>
    public async Task<List<InfluxSeries>> QueryAsync(string influxQl, CancellationToken cancellationToken)
    {
        var all = new List<InfluxSeries>();
        InfluxSeries? last = null;
        await foreach (var chunk in StreamAsync(influxQl, cancellationToken).ConfigureAwait(false))
        {
            if (last is not null && last.Name == chunk.Name && SameTags(last.Tags, chunk.Tags))
            {
                last.Rows.AddRange(chunk.Rows);
                continue;
            }

            all.Add(chunk);
            last = chunk;
        }

        return all;
    }

    /// <summary>Runs one statement and yields its series chunk by chunk, as InfluxDB sends them.</summary>
    public async IAsyncEnumerable<InfluxSeries> StreamAsync(string influxQl, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in LinesAsync(influxQl, cancellationToken).ConfigureAwait(false))
        {
            foreach (var series in ParseChunk(line))
            {
                yield return series;
            }
        }
    }

    /// <summary>
    /// Runs a statement whose answer has two columns, time and a number (a raw <c>SELECT value</c> or one
    /// aggregate), and returns its series with chunks merged, read straight from UTF-8 into
    /// <see cref="SeriesPoint"/>s (no per-cell objects); rows with a null value are left out.
    /// </summary>
    public async Task<List<PointSeries>> PointsAsync(string influxQl, CancellationToken cancellationToken)
    {
        var all = new List<PointSeries>();
        PointSeries? last = null;
        await foreach (var line in LinesAsync(influxQl, cancellationToken).ConfigureAwait(false))
        {
            foreach (var chunk in ParsePoints(line.Span))
            {
                if (last is not null && last.Name == chunk.Name && SameTags(last.Tags, chunk.Tags))
                {
                    last.Points.AddRange(chunk.Points);
                    continue;
                }

                all.Add(chunk);
                last = chunk;
            }
        }

        return all;
    }

    /// <summary>The answer's lines (one JSON document each); a line is valid until the next is asked for.</summary>
    private async IAsyncEnumerable<ReadOnlyMemory<byte>> LinesAsync(string influxQl, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(_connection.QueryUri(influxQl, _parameters, inDatabase: true), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InfluxQueryException($"InfluxDB answered {(int)response.StatusCode}: {Trim(body)}");
        }

        // one JSON document per line; lines are split and parsed as UTF-8 bytes (no string per chunk)
        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int start = 0, end = 0;
            while (true)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                if (newline >= 0)
                {
                    var line = buffer.AsMemory(start, newline - start);
                    start = newline + 1;
                    if (line.Length > 0)
                    {
                        yield return line;
                    }

                    continue;
                }

                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }

                if (end == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, bigger, 0, end);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    if (end > start && !buffer.AsSpan(start, end - start).Trim((byte)' ').IsEmpty)
                    {
                        yield return buffer.AsMemory(start, end - start);
                    }

                    break;
                }

                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            _connection.AuthorizeQuery(request);
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new InfluxQueryException("InfluxDB unreachable: " + e.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InfluxQueryException($"InfluxDB did not answer within Query:TimeoutSeconds ({_options.TimeoutSeconds} s)");
        }
    }

    internal static List<InfluxSeries> ParseChunk(string json) => ParseChunk(Encoding.UTF8.GetBytes(json));

    internal static List<InfluxSeries> ParseChunk(ReadOnlyMemory<byte> json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.TryGetProperty("error", out var topError))
        {
            throw new InfluxQueryException("InfluxDB: " + topError.GetString());
        }

        var list = new List<InfluxSeries>();
        if (!root.TryGetProperty("results", out var results))
        {
            return list;
        }

        foreach (var result in results.EnumerateArray())
        {
            if (result.TryGetProperty("error", out var error))
            {
                throw new InfluxQueryException("InfluxDB: " + error.GetString());
            }

            if (!result.TryGetProperty("series", out var seriesList))
            {
                continue;
            }

            foreach (var s in seriesList.EnumerateArray())
            {
                var name = s.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty;
                var tags = new Dictionary<string, string>(StringComparer.Ordinal);
                if (s.TryGetProperty("tags", out var t))
                {
                    foreach (var p in t.EnumerateObject())
                    {
                        tags[p.Name] = p.Value.GetString() ?? string.Empty;
                    }
                }

                var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? string.Empty).ToArray();
                var rows = new List<object?[]>();
                if (s.TryGetProperty("values", out var values))
                {
                    foreach (var v in values.EnumerateArray())
                    {
                        var row = new object?[columns.Length];
                        var i = 0;
                        foreach (var cell in v.EnumerateArray())
                        {
                            if (i < row.Length)
                            {
                                row[i++] = cell.ValueKind switch
                                {
                                    JsonValueKind.Number => cell.TryGetInt64(out var l) ? l : cell.GetDouble(),
                                    JsonValueKind.String => cell.GetString(),
                                    JsonValueKind.True => true,
                                    JsonValueKind.False => false,
                                    _ => null,
                                };
                            }
                        }

                        rows.Add(row);
                    }
                }

                list.Add(new InfluxSeries(name, tags, columns, rows));
            }
        }

        return list;
    }

    internal static List<PointSeries> ParsePoints(ReadOnlySpan<byte> json)
    {
        var list = new List<PointSeries>();
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                throw new InfluxQueryException("InfluxDB: " + reader.GetString());
            }

            if (!reader.ValueTextEquals("results"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            Expect(ref reader, JsonTokenType.StartArray);
            while (Next(ref reader) == JsonTokenType.StartObject)
            {
                while (Next(ref reader) == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("error"u8))
                    {
                        reader.Read();
                        throw new InfluxQueryException("InfluxDB: " + reader.GetString());
                    }

                    if (!reader.ValueTextEquals("series"u8))
                    {
                        reader.Read();
                        reader.Skip();
                        continue;
                    }

                    Expect(ref reader, JsonTokenType.StartArray);
                    while (Next(ref reader) == JsonTokenType.StartObject)
                    {
                        list.Add(ParsePointSeries(ref reader));
                    }
                }
            }
        }

        return list;
    }

    private static PointSeries ParsePointSeries(ref Utf8JsonReader reader)
    {
        var name = string.Empty;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var points = new List<SeriesPoint>();
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.GetString() ?? string.Empty;
            }
            else if (reader.ValueTextEquals("tags"u8))
            {
                Expect(ref reader, JsonTokenType.StartObject);
                while (Next(ref reader) == JsonTokenType.PropertyName)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    tags[key] = reader.GetString() ?? string.Empty;
                }
            }
            else if (reader.ValueTextEquals("values"u8))
            {
                Expect(ref reader, JsonTokenType.StartArray);
                while (Next(ref reader) == JsonTokenType.StartArray)
                {
                    reader.Read();
                    var t = reader.TokenType == JsonTokenType.Number ? (reader.TryGetInt64(out var l) ? l : (long)reader.GetDouble()) : 0;
                    reader.Read();
                    var value = reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : (double?)null;
                    while (Next(ref reader) != JsonTokenType.EndArray)
                    {
                        reader.Skip();
                    }

                    if (value is { } v)
                    {
                        points.Add(new SeriesPoint(t, v));
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new PointSeries(name, tags, points);
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new InfluxQueryException("InfluxDB sent an incomplete answer");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type)
        {
            throw new InfluxQueryException($"InfluxDB sent an unexpected answer ({reader.TokenType} where {type} was expected)");
        }
    }

    public static double? AsDouble(object? cell) => cell switch
    {
        long l => l,
        double d => d,
        _ => null,
    };

    public static long AsLong(object? cell) => cell switch
    {
        long l => l,
        double d => (long)d,
        _ => 0,
    };

    private static bool SameTags(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);

    private static string Trim(string s) => s.Length > 500 ? s[..500] + "…" : s;

    public void Dispose() => _http.Dispose();
}
