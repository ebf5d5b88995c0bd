using System.Diagnostics;
using System.Text.Json;

namespace IoTMonitor.Cli;

/// <summary>
/// The nanoCLR firmware image the application is built for. Assemblies with native code must match
/// the image's native checksums exactly or the app does not start (CLR_E_ASSM_WRONG_CHECKSUM), so the
/// image version is pinned with the package set of firmware/IoTMonitor.Firmware/packages.config, whose
/// header names the same version (a test compares them). Change both together: firmware/README.md
/// "Package set and firmware image".
/// </summary>
public static class FirmwareImage
{
    /// <summary>The WROOM-32E-N4 of the node PCB is a rev-3 chip without PSRAM (nanoff auto-picks the same).</summary>
    public const string Target = "ESP32_REV3";

    /// <summary>
    /// The nanoCLR version passed as <c>--fwversion</c>. Not confirmed against the packages' native
    /// checksums (no firmware release notes were at hand); firmware/README.md says how to confirm it on a
    /// board and what to change when it is wrong.
    /// </summary>
    public const string Version = "1.12.4.5";
}

/// <summary>
/// The nanoff runs that put a node together, in forms nanoff executes (nanoFirmwareFlasher
/// Tool/Program.cs, NanoDeviceManager.cs): (1) nanoCLR for <see cref="Target"/> at the pinned
/// <see cref="FwVersion"/>; (2) the device config to <c>I:\config.json</c> by file deployment, alone
/// (never with <c>--nanodevice</c>, which ignores it and exits 0), while nanoCLR runs without an app and
/// so cannot deep-sleep; (3) the application over the wire protocol, which writes at the address the
/// device reports. Default verbosity always: under <c>-v q</c>/<c>-v m</c> a failed deploy exits 0.
/// </summary>
public sealed record NanoffPlan(string SerialPort, string Target, string Image, string ConfigFile, string DeployFile)
{
    /// <summary>Where the ESP32 app reads its config (Program.ConfigPath of firmware/IoTMonitor.Firmware).</summary>
    public const string DeviceConfigPath = "I:\\config.json";

    public const string DefaultTarget = FirmwareImage.Target;

    public const string DefaultImage = "firmware/IoTMonitor.Firmware/bin/Release/IoTMonitor.Firmware.bin";

    public static string DefaultSerialPort => OperatingSystem.IsWindows() ? "COM3" : "/dev/ttyUSB0";

    public string FwVersion { get; init; } = FirmwareImage.Version;

    /// <summary>Erase the whole flash first (a board of unknown history); otherwise nanoff keeps I: (queue, state, config) across the update.</summary>
    public bool MassErase { get; init; }

    /// <summary>A cellular node's CA certificate (PEM), deployed with the config; null for a Wi-Fi node.</summary>
    public string? CaFile { get; init; }

    /// <summary>Where the node reads the CA (the config's <c>cellular.ca</c>; docs/cellular.md "Certificates").</summary>
    public string CaDevicePath { get; init; } = DefaultCaPath;

    /// <summary>The firmware's default <c>cellular.ca</c>.</summary>
    public const string DefaultCaPath = "I:\\ca.pem";

    /// <summary>The files of the file deployment: (source, destination on the node).</summary>
    public IReadOnlyList<(string Source, string Destination)> Files =>
        CaFile is null
            ? [(Path.GetFullPath(ConfigFile), DeviceConfigPath)]
            : [(Path.GetFullPath(ConfigFile), DeviceConfigPath), (Path.GetFullPath(CaFile), CaDevicePath)];

    /// <summary>The three runs, in order.</summary>
    public IReadOnlyList<NanoffStep> Steps =>
    [
        new(NanoffStepKind.Firmware, $"flash nanoCLR {Target} {FwVersion}" + (MassErase ? " (mass erase: I: is wiped)" : " (I: is kept)"),
            ["--update", "--target", Target, "--fwversion", FwVersion, "--serialport", SerialPort, .. MassErase ? new[] { "--masserase" } : []]),
        new(NanoffStepKind.Files, "upload the device config to " + DeviceConfigPath + (CaFile is null ? string.Empty : " and the CA certificate to " + CaDevicePath), ["--filedeployment", DeployFile, "--serialport", SerialPort]),
        new(NanoffStepKind.App, "deploy the IoTMonitor application", ["--nanodevice", "--deploy", "--image", Image, "--serialport", SerialPort]),
    ];

    /// <summary>The file-deployment document nanoff reads for the config step (FileDeploymentConfiguration: SerialPort, Files).</summary>
    public string DeployJson() => JsonSerializer.Serialize(new
    {
        SerialPort,
        Files = Files.Select(f => new { DestinationFilePath = f.Destination, SourceFilePath = f.Source }).ToArray(),
    }, new JsonSerializerOptions { WriteIndented = true });

    public static string Quote(string a) => a.Contains(' ', StringComparison.Ordinal) || a.Contains('\\', StringComparison.Ordinal) ? "\"" + a + "\"" : a;

    public static string CommandLine(string[] args) => "nanoff " + string.Join(' ', args.Select(Quote));

    /// <summary>The nanoff executable on PATH or in ~/.dotnet/tools, or null.</summary>
    public static string? Find()
    {
        var names = OperatingSystem.IsWindows() ? new[] { "nanoff.exe", "nanoff.cmd" } : ["nanoff"];
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
        dirs.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools"));
        foreach (var dir in dirs)
        {
            foreach (var n in names)
            {
                var p = Path.Combine(dir, n);
                if (File.Exists(p))
                {
                    return p;
                }
            }
        }

        return null;
    }

    public const string InstallHint = """
        nanoff (the .NET nanoFramework firmware flasher) is not installed. Install it with:
          dotnet tool install -g nanoff
        then make sure ~/.dotnet/tools is on PATH (export PATH="$PATH:$HOME/.dotnet/tools") and run this again.
        Find the board's serial port with: nanoff --listports
        """;

    /// <summary>Runs one nanoff step, echoing its output; returns its exit code and every line it wrote.</summary>
    public static async Task<(int ExitCode, List<string> Lines)> RunAsync(string nanoff, string[] args, TextWriter output, CancellationToken ct)
    {
        var captured = new List<string>();
        var info = new ProcessStartInfo(nanoff) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info) ?? throw new CliException("could not start " + nanoff);
        var lines = new object();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    captured.Add(e.Data);
                    output.WriteLine("  " + e.Data);
                }
            }
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    captured.Add(e.Data);
                    output.WriteLine("  " + e.Data);
                }
            }
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            await p.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }

        p.WaitForExit(); // drains the redirected streams
        return (p.ExitCode, captured);
    }
}
