using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using IoTMonitor.Cli.Calibration;

namespace IoTMonitor.Cli.Commands;

/// <summary><c>iotmon calibrate</c>: calibrate one probe of a node on site, through the gateway.</summary>
public static class CalibrateCommand
{
    public static Command Create(CliContext cx)
    {
        var device = new Option<string>("--device") { Description = "Device id", Required = true };
        var config = new Option<FileInfo>("--config") { Description = "The device's config document (from provision): names the sensor's probe; the record is written into it", Required = true };
        var sensor = new Option<string>("--sensor") { Description = "The sensor entry's id in the config (ph, ec, turbidity, do, level, moisture, bat)", Required = true };
        var threePoint = new Option<bool>("--three-point") { Description = "pH: add the pH 10 buffer (7, 4, 10)" };
        var temp = new Option<double?>("--temp") { Description = "Temperature of the standards, °C (default: the node's water.temp, else 25)" };
        var id = new Option<string?>("--id") { Description = "Record id, ≤ 32 characters (default: kind-<unix time>); name the site sheet's entry" };
        var samples = new Option<int>("--samples") { Description = "Readings that must agree before a standard is captured", DefaultValueFactory = _ => 3 };
        var tolerance = new Option<double>("--tolerance") { Description = "How far those readings' raw values may spread, volts at the pin (3 mV ≈ 0.02 pH)", DefaultValueFactory = _ => 0.003 };
        var session = new Option<int>("--session-sec") { Description = "Sampling and upload interval while calibrating, s (10–600); put back at the end", DefaultValueFactory = _ => 10 };
        var timeout = new Option<string>("--timeout") { Description = "How long to wait for the node at each stage", DefaultValueFactory = _ => "20m" };
        var cmd = new Command("calibrate", """
            Calibrate one analog probe of a node on site. The node is put on a short sampling/upload interval,
            you move the probe through the standards its driver names (pH buffers, conductivity standard,
            air-saturated water …), each standard is captured once its raw readings are steady and inside the
            probe's acceptance window, and the record goes to the node as a remote calibration. A fresh reading
            then shows it in force, the node's schedule is put back, and the record is written into --config so
            the next flashing keeps it. The node picks each step up when it connects: press its RESET button to
            wake it at once.

            Examples:
              iotmon calibrate --device wq-0001 --config wq-0001.json --sensor ph --api-key-file .local/operator.key
              iotmon calibrate --device wq-0001 --config wq-0001.json --sensor ec --temp 21.5 --id cal-20261129-ec
            """)
        {
            device, config, sensor, threePoint, temp, id, samples, tolerance, session, timeout,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            var file = parse.GetValue(config)!;
            if (!file.Exists)
            {
                throw new CliException($"--config {file.FullName} does not exist (iotmon provision writes it)", ExitCodes.BadArguments);
            }

            JsonNode document;
            try
            {
                document = JsonNode.Parse(await File.ReadAllTextAsync(file.FullName, ct)) ?? throw new CliException($"--config {file.FullName} is empty", ExitCodes.BadArguments);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new CliException($"--config {file.FullName} is not JSON: {e.Message}", ExitCodes.BadArguments);
            }

            var settings = new CalibrationSettings(
                parse.GetValue(device)!,
                file.FullName,
                Bounded(parse.GetValue(session), 10, 600, "--session-sec"),
                Bounded(parse.GetValue(samples), 1, 20, "--samples"),
                parse.GetValue(tolerance) is var t && double.IsFinite(t) && t > 0 ? t : throw new CliException("--tolerance must be a positive number of volts", ExitCodes.BadArguments),
                Durations.TryParse(parse.GetValue(timeout), out var wait) && wait > TimeSpan.Zero ? wait : throw new CliException("--timeout must be a duration such as 20m or 90s", ExitCodes.BadArguments),
                parse.GetValue(temp) is { } c ? (c is >= 0 and <= 50 ? c : throw new CliException("--temp must be 0–50 °C", ExitCodes.BadArguments)) : null,
                parse.GetValue(id) is { } given ? (given.Length is > 0 and <= 32 ? given : throw new CliException("--id must be 1–32 characters", ExitCodes.BadArguments)) : null);
            var plan = ProbeCalibrationPlan.From(document, parse.GetValue(sensor)!, parse.GetValue(threePoint));
            using var gw = cx.Gateway(parse);
            return await new OnSiteCalibration(cx, gw, plan, settings).RunAsync(document, ct);
        });
        return cmd;
    }

    private static int Bounded(int value, int min, int max, string option) =>
        value >= min && value <= max ? value : throw new CliException(string.Create(CultureInfo.InvariantCulture, $"{option} must be {min}–{max}"), ExitCodes.BadArguments);
}
