using System.CommandLine;
using System.Text.Json;
using IoTMonitor.Firmware.Host.Fleet;
using Spectre.Console;
using IoTMonitor.Cli.Text;

namespace IoTMonitor.Cli.Commands;

/// <summary>
/// <c>iotmon flash</c>: runs the nanoff steps of <see cref="NanoffPlan"/> for a config file, judges each
/// run by its output as well as its exit code (<see cref="NanoffOutput"/>), and with <c>--verify</c>
/// waits for the node's first status at the gateway to carry the flashed device id and config hash.
/// </summary>
public static class FlashCommand
{
    /// <summary>Environment variable naming the nanoff executable (CI points it at the test double).</summary>
    public const string NanoffVariable = "IOTMON_NANOFF";

    public static Command Create(CliContext cx)
    {
        var config = new Option<FileInfo>("--config") { Description = "Device config file written by provision", Required = true };
        var port = new Option<string>("--serial-port") { Description = "Serial port of the board (nanoff --listports)", DefaultValueFactory = _ => NanoffPlan.DefaultSerialPort };
        var target = new Option<string>("--target") { Description = "nanoff target of the board", DefaultValueFactory = _ => NanoffPlan.DefaultTarget };
        var fwVersion = new Option<string>("--fwversion") { Description = "nanoCLR image version (pinned with the package set; change both together, firmware/README.md)", DefaultValueFactory = _ => FirmwareImage.Version };
        var image = new Option<string>("--image") { Description = "Application image (.bin)", DefaultValueFactory = _ => NanoffPlan.DefaultImage };
        var configOnly = new Option<bool>("--config-only") { Description = "Only upload the config (the board runs nanoCLR and is awake: reset it or hold it in service mode)" };
        var massErase = new Option<bool>("--mass-erase") { Description = "Erase the whole flash before the firmware (a board of unknown history; wipes the queue on I:)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the steps without running them" };
        var nanoffPath = new Option<FileInfo?>("--nanoff") { Description = "The nanoff executable (default: env " + NanoffVariable + ", else found on PATH or in ~/.dotnet/tools)" };
        var verify = new Option<bool>("--verify") { Description = "After flashing, wait for the node's first status at the gateway and check its device id and config hash" };
        var caFile = new Option<FileInfo?>("--ca") { Description = "A cellular node's CA certificate (PEM), deployed with the config to the file its cellular.ca names (I:\\ca.pem); required when the config has cellular with TLS on" };
        var verifyTimeout = new Option<string>("--verify-timeout") { Description = "How long --verify waits for the first status", DefaultValueFactory = _ => "10m" };
        var cmd = new Command("flash", """
            Flash a node over USB with nanoff: nanoCLR (pinned target and version), the device config to I:\config.json,
            then the IoTMonitor application. Each nanoff run must report success in its output, not only exit 0
            (nanoff exits 0 after "No operation was performed" or a failed file). With --verify, waits until the node's
            first status at the gateway carries the flashed config hash. Needs nanoff (dotnet tool install -g nanoff).

            Example:
              iotmon flash --config wq-0001.json --serial-port /dev/ttyUSB0 --verify --api-key-file .local/admin.key
            """)
        {
            config, port, target, fwVersion, image, configOnly, massErase, dryRun, nanoffPath, verify, verifyTimeout, caFile,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            var t = CliContext.Text(parse);
            var file = parse.GetValue(config)!;
            if (!file.Exists)
            {
                throw new CliException($"--config {file.FullName} does not exist (write it with iotmon provision)", ExitCodes.BadArguments);
            }

            var document = await File.ReadAllBytesAsync(file.FullName, ct);
            string device, site;
            (bool NeedsCa, string DevicePath) cellular;
            try
            {
                (site, device, _, _, _, _) = DeviceConfigDocument.Identity(System.Text.Encoding.UTF8.GetString(document));
                using var json = JsonDocument.Parse(document);
                cellular = CellularCa.Of(json.RootElement);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new CliException($"--config {file.FullName} is not a device config document: {e.Message}", ExitCodes.BadArguments);
            }

            TimeSpan timeout = default;
            if (parse.GetValue(verify) && !Durations.TryParse(parse.GetValue(verifyTimeout)!, out timeout))
            {
                throw new CliException($"--verify-timeout '{parse.GetValue(verifyTimeout)}' is not a duration (e.g. 10m)", ExitCodes.BadArguments);
            }

            var ca = parse.GetValue(caFile);
            if (ca is null && cellular.NeedsCa)
            {
                throw new CliException($"--config {file.Name} is a cellular node's with TLS: pass its CA certificate with --ca ca.pem (deployed to {cellular.DevicePath}; without it the node refuses to connect; docs/cellular.md \"Certificates\")", ExitCodes.BadArguments);
            }

            if (ca is not null)
            {
                CellularCa.Check(ca);
            }

            var plan = new NanoffPlan(parse.GetValue(port)!, parse.GetValue(target)!, parse.GetValue(image)!, file.FullName, Path.ChangeExtension(file.FullName, ".deploy.json"))
            {
                FwVersion = parse.GetValue(fwVersion)!,
                MassErase = parse.GetValue(massErase),
                CaFile = ca?.FullName,
                CaDevicePath = cellular.DevicePath,
            };
            var steps = parse.GetValue(configOnly) ? plan.Steps.Where(s => s.Kind == NanoffStepKind.Files).ToList() : plan.Steps.ToList();
            var nanoff = parse.GetValue(nanoffPath) is { } np ? (np.Exists ? np.FullName : null)
                : Environment.GetEnvironmentVariable(NanoffVariable) is { Length: > 0 } env ? (File.Exists(env) ? env : null)
                : NanoffPlan.Find();
            if (parse.GetValue(dryRun) || nanoff is null)
            {
                if (nanoff is null && !parse.GetValue(dryRun))
                {
                    await cx.Err.WriteLineAsync("iotmon flash: " + NanoffPlan.InstallHint);
                }

                cx.Console.WriteLine(t.Format("Steps for {0}:", device));
                foreach (var step in steps)
                {
                    cx.Console.WriteLine($"  {t.Step(step, plan)}:\n    {NanoffPlan.CommandLine(step.Args)}");
                }

                return nanoff is null && !parse.GetValue(dryRun) ? ExitCodes.ToolMissing : ExitCodes.Ok;
            }

            if (steps.Any(s => s.Kind == NanoffStepKind.App) && !File.Exists(plan.Image))
            {
                throw new CliException($"application image {plan.Image} not found: build firmware/IoTMonitor.Firmware (firmware/README.md) or pass --image", ExitCodes.BadArguments);
            }

            if (plan.FwVersion != FirmwareImage.Version)
            {
                await cx.Err.WriteLineAsync($"iotmon flash: warning: --fwversion {plan.FwVersion} is not the version pinned with the package set ({FirmwareImage.Version}); the app starts only if the image's native assemblies match the packages");
            }

            // the gateway is checked before the board is touched, and its last status of the device is the baseline
            using var gw = parse.GetValue(verify) ? cx.Gateway(parse) : null;
            DateTimeOffset? before = gw is null ? null : await FlashVerification.LastOnlineAsync(gw, device, ct);

            ProvisionCommand.WriteSecretFile(plan.DeployFile, plan.DeployJson());
            var files = plan.Files;
            var n = 1;
            foreach (var step in steps)
            {
                cx.Console.WriteLine(t.Format("[{0}/{1}] {2}", n, steps.Count, t.Step(step, plan)));
                cx.Console.WriteLine("  " + NanoffPlan.CommandLine(step.Args));
                var (code, lines) = await NanoffPlan.RunAsync(nanoff, step.Args, cx.Out, ct);
                if (NanoffOutput.Failure(step, code, lines, files) is { } why)
                {
                    throw new CliException(t.Format("step {0} ({1}) failed: {2}. {3}", n, t.Step(step, plan), why, t[NanoffOutput.Hint(step, lines)]));
                }

                cx.Console.WriteLine(t.Format("  step {0} done", n));
                n++;
            }

            var expected = FlashVerification.ConfigHash(document);
            cx.Console.WriteLine(t.Format("{0} flashed: config hash {1} on {2}.", device, expected, NanoffPlan.DeviceConfigPath));
            if (gw is null)
            {
                cx.Console.WriteLine(t.Format("It reboots into the application now. Proof that it reports: iotmon check --device {0} --config {1} (or flash with --verify).", device, file.Name));
                return ExitCodes.Ok;
            }

            cx.Console.WriteLine(await FlashVerification.WaitAsync(gw, device, site, expected, before, timeout, cx.Out, ct, t));
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
