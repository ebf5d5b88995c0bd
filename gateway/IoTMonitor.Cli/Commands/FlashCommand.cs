using System.CommandLine;
using IoTMonitor.Firmware.Host.Fleet;
using Spectre.Console;

namespace IoTMonitor.Cli.Commands;

/// <summary><c>iotmon flash</c>: runs the nanoff steps of <c>provision</c> for a config file, or says how to install nanoff.</summary>
public static class FlashCommand
{
    public static Command Create(CliContext cx)
    {
        var config = new Option<FileInfo>("--config") { Description = "Device config file written by provision", Required = true };
        var port = new Option<string>("--serial-port") { Description = "Serial port of the board (nanoff --listports)", DefaultValueFactory = _ => NanoffPlan.DefaultSerialPort };
        var target = new Option<string>("--target") { Description = "nanoff target of the board", DefaultValueFactory = _ => NanoffPlan.DefaultTarget };
        var image = new Option<string>("--image") { Description = "Application image (.bin)", DefaultValueFactory = _ => NanoffPlan.DefaultImage };
        var configOnly = new Option<bool>("--config-only") { Description = "Only upload the config (the board already runs nanoCLR and the app)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the steps without running them" };
        var nanoffPath = new Option<FileInfo?>("--nanoff") { Description = "The nanoff executable (default: found on PATH or in ~/.dotnet/tools)" };
        var cmd = new Command("flash", """
            Flash a node over USB with nanoff: nanoCLR firmware for the board, the IoTMonitor application, then the device
            config to I:\config.json. Needs nanoff (dotnet tool install -g nanoff); without it, prints how to install it.

            Example:
              iotmon flash --config wq-0001.json --serial-port /dev/ttyUSB0 --target ESP32_REV0
            """)
        {
            config, port, target, image, configOnly, dryRun, nanoffPath,
        };
        cx.Action(cmd, async (parse, ct) =>
        {
            var file = parse.GetValue(config)!;
            if (!file.Exists)
            {
                throw new CliException($"--config {file.FullName} does not exist (write it with iotmon provision)", ExitCodes.BadArguments);
            }

            string device;
            try
            {
                device = DeviceConfigDocument.Identity(File.ReadAllText(file.FullName)).Device;
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new CliException($"--config {file.FullName} is not a device config document: {e.Message}", ExitCodes.BadArguments);
            }

            var plan = new NanoffPlan(parse.GetValue(port)!, parse.GetValue(target)!, parse.GetValue(image)!, file.FullName, Path.ChangeExtension(file.FullName, ".deploy.json"));
            var steps = parse.GetValue(configOnly) ? plan.Steps.Skip(2).ToList() : plan.Steps.ToList();
            var nanoff = parse.GetValue(nanoffPath) is { } np ? (np.Exists ? np.FullName : null) : NanoffPlan.Find();
            if (parse.GetValue(dryRun) || nanoff is null)
            {
                if (nanoff is null && !parse.GetValue(dryRun))
                {
                    await cx.Err.WriteLineAsync("iotmon flash: " + NanoffPlan.InstallHint);
                }

                cx.Console.WriteLine($"Steps for {device}:");
                foreach (var (what, args) in steps)
                {
                    cx.Console.WriteLine($"  {what}:\n    {NanoffPlan.CommandLine(args)}");
                }

                return nanoff is null && !parse.GetValue(dryRun) ? ExitCodes.ToolMissing : ExitCodes.Ok;
            }

            if (!parse.GetValue(configOnly) && !File.Exists(plan.Image))
            {
                throw new CliException($"application image {plan.Image} not found: build firmware/IoTMonitor.Firmware (firmware/README.md) or pass --image", ExitCodes.BadArguments);
            }

            ProvisionCommand.WriteSecretFile(plan.DeployFile, plan.DeployJson());
            var n = 1;
            foreach (var (what, args) in steps)
            {
                cx.Console.WriteLine($"[{n}/{steps.Count}] {what}");
                cx.Console.WriteLine("  " + NanoffPlan.CommandLine(args));
                var code = await NanoffPlan.RunAsync(nanoff, args, cx.Out, ct);
                if (code != 0)
                {
                    throw new CliException($"step {n} failed (nanoff exit code {code}); fix the cause above and run iotmon flash again");
                }

                n++;
            }

            cx.Console.WriteLine($"{device} flashed. Power-cycle it, then: iotmon check --device {device} --config {file.Name}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
