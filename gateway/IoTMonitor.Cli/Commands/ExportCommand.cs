using System.CommandLine;
using Spectre.Console;

namespace IoTMonitor.Cli.Commands;

/// <summary><c>iotmon export</c>: raw readings as CSV (GET /api/v1/export, streamed to a file with a progress bar).</summary>
public static class ExportCommand
{
    public static Command Create(CliContext cx)
    {
        var site = new Option<string>("--site") { Description = "Site id", Required = true };
        var device = new Option<string?>("--device") { Description = "Only this device" };
        var quantity = new Option<string?>("--quantity") { Description = "Only this quantity (default: all)" };
        var from = new Option<string?>("--from") { Description = "Start: 7d (ago), ISO 8601 or Unix seconds (default: to − 24h)" };
        var to = new Option<string?>("--to") { Description = "End (default: now)" };
        var output = new Option<FileInfo>("--out") { Description = "CSV file to write ('-' for standard output)", Required = true };
        var cmd = new Command("export", """
            Export raw readings of a site as CSV (one row per reading, as stored), streamed span by span.

            Example:
              iotmon export --site hetao-id --from 7d --out hetao-7d.csv
            """)
        {
            site, device, quantity, from, to, output,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            using var gw = cx.Gateway(parse, TimeSpan.FromMinutes(30));
            var now = DateTimeOffset.UtcNow;
            var q = new List<string> { "site=" + Uri.EscapeDataString(parse.GetValue(site)!) };
            void Add(string k, string? v)
            {
                if (!string.IsNullOrEmpty(v))
                {
                    q.Add(k + "=" + Uri.EscapeDataString(v));
                }
            }

            Add("device", parse.GetValue(device));
            Add("quantity", parse.GetValue(quantity));
            Add("from", Durations.ToApiTime(parse.GetValue(from), now));
            Add("to", Durations.ToApiTime(parse.GetValue(to), now));
            var path = "/api/v1/export?" + string.Join('&', q);
            using var response = await gw.RawAsync(HttpMethod.Get, path, null, ct, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpProblem(response.StatusCode, GatewayClient.Problem(await response.Content.ReadAsStringAsync(ct), path, response.StatusCode));
            }

            var file = parse.GetValue(output)!;
            var toStdout = file.Name == "-";
            await using var source = await response.Content.ReadAsStreamAsync(ct);
            await using var target = toStdout ? Stream.Null : File.Create(file.FullName);
            long bytes = 0;
            long rows = 0;
            var buffer = new byte[81920];
            async Task Copy(Action<long>? progress)
            {
                int n;
                while ((n = await source.ReadAsync(buffer, ct)) > 0)
                {
                    if (toStdout)
                    {
                        await cx.Out.WriteAsync(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
                    }
                    else
                    {
                        await target.WriteAsync(buffer.AsMemory(0, n), ct);
                    }

                    bytes += n;
                    rows += buffer.AsSpan(0, n).Count((byte)'\n');
                    progress?.Invoke(bytes);
                }
            }

            if (cx.Interactive && !toStdout)
            {
                await cx.Console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new ElapsedTimeColumn())
                    .StartAsync(async p =>
                    {
                        var task = p.AddTask("export " + Markup.Escape(parse.GetValue(site)!), maxValue: response.Content.Headers.ContentLength ?? double.MaxValue);
                        task.IsIndeterminate = response.Content.Headers.ContentLength is null;
                        await Copy(b => task.Value = b);
                        task.StopTask();
                    });
            }
            else
            {
                await Copy(null);
            }

            if (!toStdout)
            {
                cx.Console.WriteLine($"wrote {Math.Max(0, rows - 1)} reading(s), {bytes} bytes, to {file.FullName}");
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }
}
