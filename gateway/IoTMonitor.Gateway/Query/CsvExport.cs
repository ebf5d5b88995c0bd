using System.Globalization;
using System.Text;
using IoTMonitor.Gateway.Model;
using IoTMonitor.Gateway.Validation;

namespace IoTMonitor.Gateway.Query;

/// <summary>What an export asks for, checked.</summary>
/// <param name="Quantity">One quantity, or null for every quantity of the site.</param>
public sealed record ExportRequest(string Site, string? Device, Quantity? Quantity, long From, long To);

/// <summary>
/// Raw readings as CSV (RFC 4180, UTF-8, header line), streamed: the range is cut into spans of
/// <c>Query:ExportSpanDays</c>, each asked of InfluxDB with a chunked answer and written out as it
/// arrives, so memory stays flat however long the range. Rows are in time order within each span
/// and measurement. Columns: <c>time</c> (ISO 8601 UTC), site, device, quantity, value, unit,
/// flags, seq, boot.
/// </summary>
public sealed class CsvExport(InfluxQueryClient influx, QueryOptions options)
{
    public const string Header = "time,site,device,quantity,value,unit,flags,seq,boot\n";

    public async Task WriteAsync(ExportRequest request, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await writer.WriteAsync(Header).ConfigureAwait(false);
        var from = ToMeasurements(request.Quantity);
        var span = options.ExportSpanDays * 86400L;
        var sb = new StringBuilder(256);
        for (var start = request.From; start < request.To; start += span)
        {
            var end = Math.Min(request.To, start + span);
            var where = new List<string> { "site = " + InfluxQueryClient.Literal(request.Site) };
            if (request.Quantity is not null)
            {
                where.Add("quantity = " + InfluxQueryClient.Literal(request.Quantity.Name));
            }

            if (request.Device is not null)
            {
                where.Add("device = " + InfluxQueryClient.Literal(request.Device));
            }

            where.Add(string.Create(CultureInfo.InvariantCulture, $"time >= {start}s AND time < {end}s"));
            var q = $"SELECT value, flags, seq, boot FROM {from} WHERE {string.Join(" AND ", where)} GROUP BY device, quantity";
            await foreach (var s in influx.StreamAsync(q, cancellationToken).ConfigureAwait(false))
            {
                var code = s.Name + "." + s.Tag("quantity");
                var unit = Quantities.UnitOf(code);
                int v = Array.IndexOf(s.Columns, "value"), f = Array.IndexOf(s.Columns, "flags"), n = Array.IndexOf(s.Columns, "seq"), b = Array.IndexOf(s.Columns, "boot");
                foreach (var row in s.Rows)
                {
                    sb.Clear();
                    sb.Append(DateTimeOffset.FromUnixTimeSeconds(InfluxQueryClient.AsLong(row[0])).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',')
                        .Append(request.Site).Append(',').Append(s.Tag("device")).Append(',').Append(code).Append(',');
                    if (v >= 0 && InfluxQueryClient.AsDouble(row[v]) is { } value)
                    {
                        sb.Append(value.ToString("R", CultureInfo.InvariantCulture));
                    }

                    sb.Append(',').Append(unit).Append(',');
                    Cell(sb, row, f).Append(',');
                    Cell(sb, row, n).Append(',');
                    Cell(sb, row, b).Append('\n');
                    await writer.WriteAsync(sb, cancellationToken).ConfigureAwait(false);
                }

                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string ToMeasurements(Quantity? q) => q is null ? Quantities.Measurements : InfluxQueryClient.Identifier(q.Domain);

    private static StringBuilder Cell(StringBuilder sb, object?[] row, int i) =>
        i >= 0 && row[i] is not null ? sb.Append(InfluxQueryClient.AsLong(row[i]).ToString(CultureInfo.InvariantCulture)) : sb;
}
