using System.Diagnostics;
using System.Text.Json;

namespace IoTMonitor.Cli;

/// <summary>
/// The nanoff steps that put a node together (firmware/README.md, "flash and deploy with nanoff"):
/// flash nanoCLR for the board, deploy the application over the nanoFramework wire protocol, upload
/// the device config to <c>I:\config.json</c>.
/// </summary>
public sealed record NanoffPlan(string SerialPort, string Target, string Image, string ConfigFile, string DeployFile)
{
    /// <summary>Where the ESP32 app reads its config (Program.ConfigPath of firmware/IoTMonitor.Firmware).</summary>
    public const string DeviceConfigPath = "I:\\config.json";

    public const string DefaultTarget = "ESP32_REV0";

    public const string DefaultImage = "firmware/IoTMonitor.Firmware/bin/Release/IoTMonitor.Firmware.bin";

    public static string DefaultSerialPort => OperatingSystem.IsWindows() ? "COM3" : "/dev/ttyUSB0";

    /// <summary>The three steps as (what, nanoff arguments).</summary>
    public IReadOnlyList<(string What, string[] Args)> Steps =>
    [
        ("flash the nanoCLR firmware for " + Target + " (erases I:, so the queue and config go too)", ["--update", "--target", Target, "--serialport", SerialPort, "--masserase"]),
        ("deploy the IoTMonitor application", ["--nanodevice", "--deploy", "--serialport", SerialPort, "--image", Image]),
        ("upload the device config to " + DeviceConfigPath, ["--nanodevice", "--filedeployment", DeployFile, "--serialport", SerialPort]),
    ];

    /// <summary>The file-deployment document nanoff reads for step 3.</summary>
    public string DeployJson() => JsonSerializer.Serialize(new
    {
        serialport = SerialPort,
        files = new[] { new { DestinationFilePath = DeviceConfigPath, SourceFilePath = Path.GetFullPath(ConfigFile) } },
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

    /// <summary>Runs one nanoff step, echoing its output; returns its exit code.</summary>
    public static async Task<int> RunAsync(string nanoff, string[] args, TextWriter output, CancellationToken ct)
    {
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

        return p.ExitCode;
    }
}
