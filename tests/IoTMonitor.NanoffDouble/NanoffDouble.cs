// Behaviour of nanoff (nanoframework/nanoFirmwareFlasher @baccab8) reproduced for the options iotmon uses.
// Each branch names the source it follows:
//   [P]   nanoFirmwareFlasher.Tool/Program.cs, RunOptionsAndReturnExitCodeAsync, DisplayNoOperationMessage, OutputError, Main
//   [NDM] nanoFirmwareFlasher.Tool/NanoDeviceManager.cs, ProcessAsync
//   [NDO] nanoFirmwareFlasher.Library/NanoDeviceOperations.cs, DeployApplication
//   [FDM] nanoFirmwareFlasher.Library/FileDeployment/FileDeploymentManager.cs, DeployAsync
//   [DH]  nanoFirmwareFlasher.Library/DeploymentHelpers/DeviceHelper.cs, ConnectDevice
//   [E32] nanoFirmwareFlasher.Tool/Esp32Manager.cs, ProcessAsync; nanoFirmwareFlasher.Library/Esp32Operations.cs
//   [OPT] nanoFirmwareFlasher.Tool/Options.cs (verbosity default "n")
//   [EC]  nanoFirmwareFlasher.Library/ExitCodes.cs (values and display names)
using System.Text.Json;
using IoTMonitor.NanoffDouble;

return Nanoff.Run(args, Console.Out);

internal static class Nanoff
{
    private enum Verbosity
    {
        Quiet,
        Minimal,
        Normal,
        Detailed,
        Diagnostic,
    }

    // [EC] the exit codes this double can return and their display names
    private static readonly Dictionary<int, string> Names = new()
    {
        [2000] = "Error connecting to nano device.",
        [2001] = "Error occurred with listing nano devices.",
        [2002] = "Error executing operation with nano device.",
        [2003] = "Error executing file deployment on nano device.",
        [4005] = "Failed to open specified COM port.",
        [6001] = "Need to specify a COM port.",
        [9000] = "Invalid or missing arguments.",
        [9009] = "Can't program deployment BIN file without specifying a valid deployment address.",
    };

    private static readonly string[] Flags = ["--update", "--deploy", "--nanodevice", "--masserase", "--devicedetails", "--preview"];
    private static readonly string[] Valued = ["--target", "--platform", "--serialport", "--fwversion", "--image", "--address", "--filedeployment", "--verbosity", "-v"];

    /// <summary>Runs one nanoff invocation; returns the process exit code (the OS keeps its low 8 bits on Linux: 2002 → 210, 9000 → 40).</summary>
    public static int Run(string[] args, TextWriter o)
    {
        var opt = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (Flags.Contains(a))
            {
                opt[a] = "true";
            }
            else if (Valued.Contains(a) && i + 1 < args.Length)
            {
                opt[a == "-v" ? "--verbosity" : a] = args[++i];
            }
            else
            {
                // [P] HandleErrorsAsync: a parse error (unknown option, missing value) is E9000
                o.WriteLine($"ERROR(S):\n  Option '{a}' is unknown or has no value.");
                return 9000;
            }
        }

        // [OPT] -v defaults to "n"; [P] an unknown level throws ArgumentException, which nothing catches
        var verbosity = (opt.GetValueOrDefault("--verbosity") ?? "n") switch
        {
            "q" or "quiet" => Verbosity.Quiet,
            "m" or "minimal" => Verbosity.Minimal,
            "n" or "normal" => Verbosity.Normal,
            "d" or "detailed" => Verbosity.Detailed,
            "diag" or "diagnostic" => Verbosity.Diagnostic,
            _ => (Verbosity)(-1),
        };
        if ((int)verbosity < 0)
        {
            Console.Error.WriteLine("Unhandled exception. System.ArgumentException: Invalid option for Verbosity");
            return 134;
        }

        o.WriteLine(".NET nanoFramework Firmware Flasher v2.5.0 (test double)");
        o.WriteLine("Copyright (C) 2019 .NET Foundation and nanoFramework project contributors");
        o.WriteLine();

        var (code, extra) = Process(opt, verbosity, o);

        // [P] Main: OutputError only above quiet; the message line only at normal and above
        if (verbosity > Verbosity.Quiet && code != 0)
        {
            o.WriteLine(verbosity >= Verbosity.Normal
                ? $"Error E{code}: {Names.GetValueOrDefault(code, string.Empty)}" + (extra is null ? string.Empty : $" ({extra})")
                : $"E{code}");
        }

        return code;
    }

    private static (int Code, string? Extra) Process(Dictionary<string, string> opt, Verbosity v, TextWriter o)
    {
        bool Has(string k) => opt.ContainsKey(k);
        string? Get(string k) => opt.GetValueOrDefault(k);
        var board = SimulatedBoard.Open();
        var port = Get("--serialport");

        // [P] --deploy requires --image
        if (Has("--deploy") && Get("--image") is null)
        {
            return (9000, "--deploy requires --image to specify the deployment image path.");
        }

        if (Has("--nanodevice"))
        {
            // [P] --platform/--target with --nanodevice is refused; [P]/[NDM] the port is mandatory
            if (Has("--platform") || Has("--target"))
            {
                return (9000, "Incompatible options combined with --nanodevice.");
            }

            if (port is null)
            {
                return (6001, null);
            }

            var done = false;
            if (Has("--devicedetails"))
            {
                if (board is null || !board.IsOn(port) || !board.ClrRunning)
                {
                    return (2002, "Missing details from device.");
                }

                o.WriteLine($"Target:      {board.ClrTarget}\nCLR Version: {board.ClrVersion}\nPlatform:    ESP32");
                return (0, null);
            }

            if (Has("--deploy"))
            {
                var (code, extra) = DeployOverWire(board, port, Get("--image")!, v, o);
                if (code != 0)
                {
                    return (code, extra);
                }

                done = true;
            }

            // [NDM] only device details, update and deploy are handled: anything else (--filedeployment
            // included) ends in NoOperationPerformedException, which [P] turns into the "No operation"
            // text and exit code OK. The file deployment section below is never reached.
            if (!done && !Has("--update"))
            {
                NoOperation(o);
            }

            return (0, null);
        }

        var operationPerformed = false;
        var exit = 0;
        string? message = null;

        // [P] a target name starting with "ESP" selects the ESP32 platform
        var target = Get("--target");
        if ((target?.StartsWith("ESP", StringComparison.Ordinal) ?? false) || Get("--platform") == "esp32")
        {
            (exit, message) = Esp32(board, port, target, opt, v, o);
            operationPerformed = true;
        }

        // [P] "Files and Network deployment"
        if (!operationPerformed && Get("--filedeployment") is null)
        {
            NoOperation(o);
        }
        else if (exit == 0 && Get("--filedeployment") is { } json)
        {
            try
            {
                exit = DeployFiles(board, json, port, v, o);
                operationPerformed = true;
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                (exit, message) = (2003, e.Message);
            }
        }

        if (!operationPerformed)
        {
            NoOperation(o);
        }

        return (exit, message);
    }

    // [NDO] DeployApplication over the wire protocol: the address comes from the device; a failed write
    // returns E2002 only at normal verbosity or above, otherwise falls through to "all good" (OK).
    private static (int, string?) DeployOverWire(SimulatedBoard? board, string port, string image, Verbosity v, TextWriter o)
    {
        if (!File.Exists(image))
        {
            return (2002, "Couldn't find the deployment file at the specified path."); // FileNotFoundException → [P] E2002
        }

        if (v >= Verbosity.Normal)
        {
            o.Write("Getting details from nano device...");
        }

        if (board is null || !board.IsOn(port) || !board.ClrRunning)
        {
            return (2002, "Missing details from  to perform deployment operation.");
        }

        o.WriteLine(v >= Verbosity.Normal ? "OK" : string.Empty);
        if (v >= Verbosity.Normal)
        {
            o.Write("Deploying managed application...");
        }

        if (board.Fails("deploy"))
        {
            if (v >= Verbosity.Normal)
            {
                o.WriteLine("FAILED!");
                return (2002, null);
            }

            return (0, null);
        }

        board.WriteApp(image, SimulatedBoard.DeploymentPartition);
        if (v >= Verbosity.Normal)
        {
            o.WriteLine("OK");
            o.WriteLine("Rebooting...OK");
        }
        else
        {
            o.WriteLine();
        }

        return (0, null);
    }

    // [E32] update (nanoCLR image of --target at --fwversion; without --masserase the config partition is
    // backed up and restored) and the esptool deploy path (--address, else nanoff's built-in 0x1B0000).
    private static (int, string?) Esp32(SimulatedBoard? board, string? port, string? target, Dictionary<string, string> opt, Verbosity v, TextWriter o)
    {
        if (board is null || !board.IsOn(port))
        {
            return (4005, port);
        }

        o.WriteLine($"Connected to:\n{board.Chip} (revision 3)");
        if (target is null)
        {
            target = "ESP32_REV3";
            o.WriteLine($"\nNo target name was provided! Using '{target}' based on the device characteristics.\n");
        }

        var did = false;
        if (opt.ContainsKey("--update"))
        {
            var version = opt.GetValueOrDefault("--fwversion") ?? "latest";
            var erase = opt.ContainsKey("--masserase");
            if (erase)
            {
                o.WriteLine("Erasing flash...OK");
            }
            else
            {
                o.WriteLine("Backup configuration...OK");
            }

            o.WriteLine($"Flashing firmware... {target} {version}");
            board.FlashClr(target, version, erase);
            o.WriteLine("Flashing firmware...OK");
            if (opt.ContainsKey("--deploy"))
            {
                board.WriteApp(opt["--image"], SimulatedBoard.DeploymentPartition);
            }

            did = true;
        }

        if (opt.ContainsKey("--deploy") && !opt.ContainsKey("--update"))
        {
            var address = SimulatedBoard.EsptoolDefaultAddress;
            if (opt.GetValueOrDefault("--address") is { } a)
            {
                if (!a.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || !uint.TryParse(a.AsSpan(2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out address))
                {
                    return (9009, null);
                }
            }

            board.WriteApp(opt["--image"], address);
            o.WriteLine("Flashing deployment partition...OK");
            did = true;
        }

        if (!did)
        {
            NoOperation(o); // [E32] NoOperationPerformedException → [P] message, exit OK
        }

        return (0, null);
    }

    // [FDM] each file is reported on its own line; a failed write or a missing source never changes the exit code.
    private static int DeployFiles(SimulatedBoard? board, string jsonPath, string? port, Verbosity v, TextWriter o)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var root = doc.RootElement;
        string? Prop(JsonElement e, string name) =>
            e.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: JsonValueKind.String } p ? p.Value.GetString() : null;

        // [FDM] the JSON's SerialPort wins over --serialport
        var target = Prop(root, "SerialPort") is { Length: > 0 } sp ? sp : port;

        // [DH] no answer on the wire protocol (no board, or nanoCLR not running) is E2000
        if (board is null || !board.IsOn(target) || !board.ClrRunning)
        {
            return 2000;
        }

        var files = root.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, "Files", StringComparison.OrdinalIgnoreCase)).Value;
        if (files.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("Files is not an array"); // a null Files list throws in the foreach → [P] E2003
        }

        foreach (var f in files.EnumerateArray())
        {
            var dest = Prop(f, "DestinationFilePath") ?? string.Empty;
            var src = Prop(f, "SourceFilePath");
            try
            {
                if (string.IsNullOrEmpty(src))
                {
                    o.Write($"Deleting file {dest}...");
                    o.WriteLine(board.DeleteFile(dest) ? "OK" : $"\nError deleting file {dest}, it may not exist on the storage.");
                }
                else
                {
                    o.Write($"Deploying file {src} to {dest}...");
                    var bytes = File.ReadAllBytes(src);
                    o.WriteLine(board.WriteFile(dest, bytes) ? "OK" : $"\nError deploying content file {src} to {dest}");
                }
            }
            catch (IOException)
            {
                if (v >= Verbosity.Normal)
                {
                    o.WriteLine($"\nException deploying content file {src} to {dest}");
                }
            }
        }

        return 0;
    }

    // [P] DisplayNoOperationMessage: the help text headed by this line; the exit code stays OK
    private static void NoOperation(TextWriter o)
    {
        o.WriteLine();
        o.WriteLine("No operation was performed with the options supplied.");
        o.WriteLine();
        o.WriteLine("USAGE: nanoff [options]");
    }
}
