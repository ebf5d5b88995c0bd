using System.CommandLine;
using System.Net;
using IoTMonitor.Firmware.Host.Fleet;
using Spectre.Console;
using IoTMonitor.Cli.Text;

namespace IoTMonitor.Cli.Commands;

/// <summary>
/// <c>iotmon provision</c>: registers the site and the device at the gateway (which generates the
/// device secret), writes the device config document the firmware reads from flash, the nanoff
/// file-deployment document, and prints the exact nanoff steps for the technician.
/// </summary>
public static class ProvisionCommand
{
    public static Command Create(CliContext cx)
    {
        var site = new Option<string>("--site") { Description = "Site id (^[a-z0-9][a-z0-9_-]{0,31}$); created if new", Required = true };
        var siteName = new Option<string?>("--site-name") { Description = "Site display name (new sites)" };
        var device = new Option<string>("--device") { Description = "Device id (^[a-z0-9][a-z0-9_-]{0,31}$)", Required = true };
        var type = new Option<string>("--type") { Description = "Node type", Required = true };
        type.AcceptOnlyFromAmong("water", "soil", "air");
        var mqttHost = new Option<string?>("--mqtt-host") { Description = "Broker host the node connects to (default: the --gateway host)" };
        var mqttPort = new Option<int>("--mqtt-port") { Description = "Broker port", DefaultValueFactory = _ => 1883 };
        var tls = new Option<bool>("--tls") { Description = "Connect with TLS (broker's TLS port)" };
        var ssid = new Option<string>("--wifi-ssid") { Description = "WiFi network at the site", DefaultValueFactory = _ => string.Empty };
        var wifiPassword = new Option<string>("--wifi-password") { Description = "WiFi password", DefaultValueFactory = _ => string.Empty };
        var cellular = new Option<string?>("--cellular") { Description = "The node reports over a cellular modem of this AT family instead of WiFi: simcom (A7670x, SIM7600) or quectel (EC800N, EC200x, BG95); TLS on, port 8883 unless --mqtt-port is given (docs/config.md \"Cellular node\")" };
        cellular.AcceptOnlyFromAmong("simcom", "quectel");
        var apn = new Option<string>("--apn") { Description = "With --cellular: the APN of the SIM's data plan (e.g. cmiot); empty: the SIM's default", DefaultValueFactory = _ => string.Empty };
        var caFile = new Option<FileInfo?>("--ca") { Description = "With --cellular: the CA certificate (PEM) the gateway's TLS certificate chains to; deployed to I:\\ca.pem" };
        var sampleSec = new Option<int>("--sample-sec") { Description = "Sampling interval, s (10–86400)", DefaultValueFactory = _ => 900 };
        var uploadSec = new Option<int>("--upload-sec") { Description = "Upload at least every, s (10–604800)", DefaultValueFactory = _ => 3600 };
        var output = new Option<FileInfo?>("--out") { Description = "Config file to write (default ./<device>.json)" };
        var port = new Option<string>("--serial-port") { Description = "Serial port of the board for the printed steps", DefaultValueFactory = _ => NanoffPlan.DefaultSerialPort };
        var target = new Option<string>("--target") { Description = "nanoff target of the board (ESP32_REV0, ESP32_REV3, ESP32_PSRAM_REV0 …)", DefaultValueFactory = _ => NanoffPlan.DefaultTarget };
        var image = new Option<string>("--image") { Description = "Application image (.bin) built from firmware/IoTMonitor.Firmware", DefaultValueFactory = _ => NanoffPlan.DefaultImage };
        sampleSec.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 10 or > 86400)
            {
                r.AddError("--sample-sec must be 10–86400");
            }
        });
        uploadSec.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 10 or > 604800)
            {
                r.AddError("--upload-sec must be 10–604800");
            }
        });
        mqttPort.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                r.AddError("--mqtt-port must be 1–65535");
            }
        });

        var cmd = new Command("provision", """
            Register a site and a device at the gateway, generate the device secret, write the device config file the
            firmware reads from flash (I:\config.json) and print the nanoff steps to flash nanoCLR, deploy the app and
            upload the config. The secret is shown by the gateway once: keep the config file safe.

            Example:
              iotmon provision --site wei-xianyang --device wq-0001 --type water --mqtt-host gw.example.org \
                --wifi-ssid station-ap --wifi-password '...' --api-key-file .local/admin.key --serial-port /dev/ttyUSB0
            """)
        {
            site, siteName, device, type, mqttHost, mqttPort, tls, ssid, wifiPassword, cellular, apn, caFile, sampleSec, uploadSec, output, port, target, image,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            var t = CliContext.Text(parse);
            var siteId = parse.GetValue(site)!;
            var deviceId = parse.GetValue(device)!;
            foreach (var (what, id) in new[] { ("--site", siteId), ("--device", deviceId) })
            {
                if (!Ids.IsValid(id))
                {
                    throw new CliException($"{what} '{id}' must match ^[a-z0-9][a-z0-9_-]{{0,31}}$ (docs/protocol.md §1)", ExitCodes.BadArguments);
                }
            }

            var modem = parse.GetValue(cellular);
            var ca = parse.GetValue(caFile);
            if (modem is not null && ca is null)
            {
                throw new CliException("--cellular needs --ca ca.pem: the node checks the gateway's certificate against it and refuses to connect without it (docs/cellular.md \"Certificates\")", ExitCodes.BadArguments);
            }

            if (modem is null && (ca is not null || parse.GetValue(apn)!.Length > 0))
            {
                throw new CliException("--ca and --apn go with --cellular", ExitCodes.BadArguments);
            }

            if (parse.GetValue(apn)!.Length > 63)
            {
                throw new CliException("--apn is longer than 63 characters (3GPP TS 23.003 §9.1)", ExitCodes.BadArguments);
            }

            if (ca is not null)
            {
                CellularCa.Check(ca);
            }

            using var gw = cx.Gateway(parse);
            var secret = await RegisterAsync(gw, siteId, parse.GetValue(siteName), deviceId, ct, t);
            var request = new DeviceConfigRequest(
                siteId,
                deviceId,
                parse.GetValue(type)!,
                parse.GetValue(mqttHost) ?? gw.BaseUrl.Host,
                modem is not null && parse.GetResult(mqttPort) is null or { Implicit: true } ? 8883 : parse.GetValue(mqttPort),
                secret,
                parse.GetValue(ssid)!,
                parse.GetValue(wifiPassword)!,
                parse.GetValue(sampleSec),
                parse.GetValue(uploadSec),
                Tls: parse.GetValue(tls) || modem is not null,
                SimulatedProbes: false);
            var file = parse.GetValue(output) ?? new FileInfo(deviceId + ".json");
            var document = DeviceConfigDocument.Build(request);
            WriteSecretFile(file.FullName, modem is null ? document : DeviceConfigDocument.Cellular(document, modem, parse.GetValue(apn)!, NanoffPlan.DefaultCaPath));
            var plan = new NanoffPlan(parse.GetValue(port)!, parse.GetValue(target)!, parse.GetValue(image)!, file.FullName, Path.ChangeExtension(file.FullName, ".deploy.json")) { CaFile = ca?.FullName };
            WriteSecretFile(plan.DeployFile, plan.DeployJson());

            var summary = new Table().HideHeaders().AddColumn("k").AddColumn("v").Title(t["provisioned"]);
            summary.AddRow(t["site"], Markup.Escape(siteId));
            summary.AddRow(t["device"], Markup.Escape(deviceId));
            summary.AddRow(t["type"], request.Type);
            summary.AddRow(t["broker"], Markup.Escape($"{request.MqttHost}:{request.MqttPort}{(request.Tls ? " (TLS)" : string.Empty)}"));
            summary.AddRow(t["MQTT user"], Markup.Escape(deviceId));
            summary.AddRow(t["config file"], Markup.Escape(file.FullName));
            summary.AddRow(t["nanoff deployment"], Markup.Escape(plan.DeployFile));
            cx.Console.Write(summary);
            PrintSteps(cx, plan, t);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Creates the site (idempotent) and the device; returns the secret the gateway generated.</summary>
    public static async Task<string> RegisterAsync(GatewayClient gw, string site, string? siteName, string device, CancellationToken ct, CliText? text = null)
    {
        await gw.PostJsonAsync("/api/v1/sites", new { id = site, name = siteName ?? site }, ct);
        try
        {
            var created = await gw.PostJsonAsync("/api/v1/devices", new { id = device, site }, ct);
            return created.GetProperty("secret").GetString() ?? throw new CliException("the gateway returned no secret");
        }
        catch (HttpProblem e) when (e.Status == HttpStatusCode.Conflict)
        {
            throw new CliException((text ?? CliText.EnglishText).Format("device '{0}' is already registered; its secret was shown only when it was created. Use its existing config file, or register the node under a new device id.", device));
        }
    }

    public static void PrintSteps(CliContext cx, NanoffPlan plan, CliText t)
    {
        // the commands to copy go to the plain writer: the console wraps at its width, which would break a long path in two
        cx.Console.WriteLine();
        cx.Out.WriteLine(t.Format("Steps for the technician (board on {0}; `iotmon flash --config {1}` runs them):", plan.SerialPort, Path.GetFileName(plan.ConfigFile) + (plan.CaFile is null ? string.Empty : " --ca " + NanoffPlan.Quote(plan.CaFile))));
        var i = 1;
        foreach (var step in plan.Steps)
        {
            cx.Console.WriteLine($"  {i++}. {t.Step(step, plan)}:");
            cx.Out.WriteLine("     " + NanoffPlan.CommandLine(step.Args));
        }

        cx.Console.WriteLine(t["  4. the node reboots into the app; `iotmon flash --verify` waits for its first status, `iotmon check --device <id> --config <file>` then shows its readings."]);
    }

    /// <summary>Writes a file readable by its owner only (it holds the device secret and the WiFi password).</summary>
    public static void WriteSecretFile(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}

/// <summary>Protocol §1 ids.</summary>
public static class Ids
{
    public static bool IsValid(string? s) =>
        s is { Length: >= 1 and <= 32 } && (char.IsAsciiLetterLower(s[0]) || char.IsAsciiDigit(s[0]))
        && s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');
}
