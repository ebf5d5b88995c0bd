namespace IoTMonitor.Cli;

public enum NanoffStepKind
{
    Firmware,
    Files,
    App,
}

/// <summary>One nanoff run of <c>iotmon flash</c>: what it does and its arguments.</summary>
public sealed record NanoffStep(NanoffStepKind Kind, string What, string[] Args);

/// <summary>
/// Decides whether a nanoff run did its job. The exit code alone cannot: nanoff exits 0 after "No
/// operation was performed" (Tool/Program.cs DisplayNoOperationMessage), when a file of a file
/// deployment fails (Library/FileDeployment/FileDeploymentManager.cs DeployAsync), and on a failed
/// deploy under <c>-v q</c>/<c>-v m</c> (Library/NanoDeviceOperations.cs DeployApplication). So each step
/// must also show the line nanoff writes on success at normal verbosity; anything else is a failure.
/// </summary>
public static class NanoffOutput
{
    public const string NoOperation = "No operation was performed";

    // nanoFirmwareFlasher Library/ExitCodes.cs: the codes a flash can end with and their names. A Linux
    // shell sees them mod 256 (E2002 → 210, E9000 → 40); none is 0 mod 256.
    private static readonly (int Code, string Name)[] Known =
    [
        (2000, "Error connecting to nano device"),
        (2001, "Error occurred with listing nano devices"),
        (2002, "Error executing operation with nano device"),
        (2003, "Error executing file deployment on nano device"),
        (4000, "Error executing ESP32 serial command"),
        (4001, "Unsupported flash size for ESP32 target"),
        (4002, "Failed to erase ESP32 flash"),
        (4003, "Failed to write new firmware to ESP32"),
        (4004, "Failed to read from ESP32 flash"),
        (4005, "Failed to open specified COM port"),
        (6000, "Couldn't open serial device"),
        (6001, "Need to specify a COM port"),
        (6002, "Another application has exclusive access to the device"),
        (9000, "Invalid or missing arguments"),
        (9005, "Can't find the target in Cloudsmith repository (wrong --target or --fwversion?)"),
        (9007, "Error downloading firmware file"),
        (9008, "Couldn't find application file"),
        (9009, "Can't program deployment BIN file without a valid deployment address"),
        (9010, "Couldn't find any device connected"),
        (9015, "Can't find the target in the firmware archive"),
    ];

    /// <summary>The nanoff error names an exit code (full, or as a Linux shell sees it mod 256) can stand for.</summary>
    public static string Explain(int exitCode)
    {
        var names = Known.Where(k => k.Code == exitCode || (exitCode is > 0 and < 256 && k.Code % 256 == exitCode)).Select(k => $"E{k.Code} {k.Name}").ToList();
        return names.Count == 0 ? "not a code nanoff documents" : string.Join("; or ", names);
    }

    /// <summary>Null when the step did its job, else what went wrong, said so the technician can act.</summary>
    public static string? Failure(NanoffStep step, int exitCode, IReadOnlyList<string> lines, IReadOnlyList<(string Source, string Destination)> files)
    {
        if (exitCode != 0)
        {
            return $"nanoff exited with code {exitCode} ({Explain(exitCode)})";
        }

        if (lines.Any(l => l.Contains(NoOperation, StringComparison.Ordinal)))
        {
            return "nanoff did nothing: it printed \"No operation was performed with the options supplied\" and exited 0";
        }

        switch (step.Kind)
        {
            case NanoffStepKind.Firmware:
                if (!lines.Any(l => l.Contains("Flashing firmware", StringComparison.Ordinal) && l.TrimEnd().EndsWith("OK", StringComparison.Ordinal)))
                {
                    return "nanoff exited 0 but never reported \"Flashing firmware...OK\"";
                }

                break;
            case NanoffStepKind.Files:
                foreach (var (source, destination) in files)
                {
                    if (lines.Any(l => (l.Contains("Error deploying", StringComparison.Ordinal) || l.Contains("Exception deploying", StringComparison.Ordinal)) && l.Contains(destination, StringComparison.Ordinal)))
                    {
                        return $"nanoff could not write {destination} (it exits 0 when a file fails)";
                    }

                    if (!lines.Any(l => l.Contains($"Deploying file {source} to {destination}...OK", StringComparison.Ordinal)))
                    {
                        return $"nanoff exited 0 but never reported \"Deploying file … to {destination}...OK\"";
                    }
                }

                break;
            case NanoffStepKind.App:
                if (lines.Any(l => l.Contains("FAILED!", StringComparison.Ordinal)))
                {
                    return "nanoff could not deploy the application";
                }

                if (!lines.Any(l => l.Contains("Deploying managed application...OK", StringComparison.Ordinal)))
                {
                    return "nanoff exited 0 but never reported \"Deploying managed application...OK\"";
                }

                break;
        }

        return null;
    }

    /// <summary>What to do about a failed step.</summary>
    public static string Hint(NanoffStep step, IReadOnlyList<string> lines) => step.Kind switch
    {
        NanoffStepKind.Firmware when lines.Any(l => l.Contains("E9005", StringComparison.Ordinal) || l.Contains("Can't find the target", StringComparison.Ordinal)) =>
            $"the pinned image {FirmwareImage.Target} {FirmwareImage.Version} was not found: see firmware/README.md \"Package set and firmware image\"",
        NanoffStepKind.Firmware => "check the USB cable and port (nanoff --listports); hold IO0 (BOOT) while pressing EN if the chip does not enter download mode",
        NanoffStepKind.Files => "nanoCLR must be running: press EN (reset) once after the firmware step, then run iotmon flash --config-only",
        _ => "press EN (reset) and run iotmon flash again; if it fails again the image does not match the firmware (firmware/README.md)",
    };
}
