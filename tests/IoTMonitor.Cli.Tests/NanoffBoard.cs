using System.Diagnostics;
using System.Text.Json.Nodes;

namespace IoTMonitor.Cli.Tests;

/// <summary>
/// A simulated board for the nanoff test double (tests/IoTMonitor.NanoffDouble): its directory, the
/// serial port it answers on, and the faults it is set to show. The double finds it through
/// NANOFF_DOUBLE_DEVICE, a process-wide variable, so every test class that makes a board joins
/// <see cref="Collection"/> and they run one at a time.
/// </summary>
public sealed class NanoffBoard : IDisposable
{
    public const string Collection = "nanoff board";

    public NanoffBoard(string port = "/dev/ttyUSB7", params string[] fail)
    {
        Port = port;
        File.WriteAllText(Path.Combine(Dir, "board.json"), new JsonObject
        {
            ["port"] = port,
            ["chip"] = "ESP32-D0WD-V3",
            ["fail"] = new JsonArray(fail.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
        }.ToJsonString());
        Environment.SetEnvironmentVariable("NANOFF_DOUBLE_DEVICE", Dir);
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("iotmon-nanoff-board-").FullName;

    public string Port { get; }

    /// <summary>The double's executable (copied next to the test assembly by the project reference).</summary>
    public static string Executable => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "nanoff-double.exe" : "nanoff-double");

    /// <summary>The bytes of a file on the board's I: volume, or null.</summary>
    public byte[]? VolumeFile(string name) => File.Exists(Path.Combine(Dir, "I", name)) ? File.ReadAllBytes(Path.Combine(Dir, "I", name)) : null;

    public JsonObject Flash => File.Exists(Path.Combine(Dir, "flash.json")) ? (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "flash.json")))! : [];

    /// <summary>Runs the double directly, as a shell would.</summary>
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var info = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        if (!p.WaitForExit(30_000))
        {
            p.Kill();
            throw new TimeoutException("the nanoff double did not exit within 30 s");
        }

        return (p.ExitCode, output);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("NANOFF_DOUBLE_DEVICE", null);
        Directory.Delete(Dir, recursive: true);
    }
}

/// <summary>The test classes that set NANOFF_DOUBLE_DEVICE; xUnit runs a collection's classes one after another.</summary>
[CollectionDefinition(NanoffBoard.Collection)]
public sealed class NanoffBoardCollection;
