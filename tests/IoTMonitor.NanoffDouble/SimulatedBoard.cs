using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTMonitor.NanoffDouble;

/// <summary>
/// The ESP32 board at the other end of the serial port, kept in a directory so that successive
/// nanoff runs (and the test) see the same flash: <c>board.json</c> (what the test set up: port, chip,
/// faults), <c>flash.json</c> (nanoCLR target and version, where the app image was written),
/// <c>app.bin</c>, and <c>I/</c> (the LittleFS volume the file deployment writes to).
/// </summary>
public sealed class SimulatedBoard
{
    /// <summary>Where a 4 MB nanoCLR image's partition table puts the deployment partition (nanoff reads it from the device on the wire-protocol path).</summary>
    public const uint DeploymentPartition = 0x1E0000;

    /// <summary>nanoff's built-in esptool deploy address when no --address is given.</summary>
    public const uint EsptoolDefaultAddress = 0x1B0000;

    private readonly string _dir;
    private readonly JsonObject _board;
    private readonly JsonObject _flash;

    private SimulatedBoard(string dir)
    {
        _dir = dir;
        _board = Read(Path.Combine(dir, "board.json"));
        _flash = Read(Path.Combine(dir, "flash.json"));
    }

    public static SimulatedBoard? Open()
    {
        var dir = Environment.GetEnvironmentVariable("NANOFF_DOUBLE_DEVICE");
        return string.IsNullOrEmpty(dir) || !Directory.Exists(dir) ? null : new SimulatedBoard(dir);
    }

    /// <summary>True when the board is on <paramref name="port"/>.</summary>
    public bool IsOn(string? port) => port is not null && port == Str(_board, "port");

    public string Chip => Str(_board, "chip") ?? "ESP32-D0WD-V3";

    /// <summary>The test's fault switches: "deploy" (the wire-protocol deploy fails), "file" (every file write fails).</summary>
    public bool Fails(string what) => _board["fail"] is JsonArray a && a.Any(x => x?.GetValue<string>() == what);

    public string? ClrTarget => Str(_flash, "clrTarget");

    public string? ClrVersion => Str(_flash, "clrVersion");

    /// <summary>nanoCLR answers on the wire protocol: it was flashed and nothing left the chip in download mode.</summary>
    public bool ClrRunning => ClrTarget is not null;

    public string VolumeDir => Path.Combine(_dir, "I");

    public void FlashClr(string target, string version, bool massErase)
    {
        _flash["clrTarget"] = target;
        _flash["clrVersion"] = version;
        if (massErase)
        {
            // --masserase erases the whole chip, the config partition (I:) and the app with it
            _flash.Remove("appAddress");
            File.Delete(Path.Combine(_dir, "app.bin"));
            if (Directory.Exists(VolumeDir))
            {
                Directory.Delete(VolumeDir, recursive: true);
            }
        }

        Save();
    }

    public void WriteApp(string image, uint address)
    {
        File.Copy(image, Path.Combine(_dir, "app.bin"), overwrite: true);
        _flash["appAddress"] = "0x" + address.ToString("X6", System.Globalization.CultureInfo.InvariantCulture);
        Save();
    }

    /// <summary>Writes <paramref name="bytes"/> as <paramref name="devicePath"/> (e.g. <c>I:\config.json</c>); false when the write fails.</summary>
    public bool WriteFile(string devicePath, byte[] bytes)
    {
        if (Fails("file") || !devicePath.StartsWith("I:\\", StringComparison.Ordinal))
        {
            return false;
        }

        Directory.CreateDirectory(VolumeDir);
        File.WriteAllBytes(Path.Combine(VolumeDir, devicePath[3..].Replace('\\', '_')), bytes);
        return true;
    }

    public bool DeleteFile(string devicePath)
    {
        var p = Path.Combine(VolumeDir, devicePath.Length > 3 ? devicePath[3..].Replace('\\', '_') : "?");
        if (!File.Exists(p))
        {
            return false;
        }

        File.Delete(p);
        return true;
    }

    // Written beside and moved into place, so a test polling the board never reads a half-written file.
    private void Save()
    {
        var path = Path.Combine(_dir, "flash.json");
        File.WriteAllText(path + ".tmp", _flash.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static JsonObject Read(string path) => File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? [] : [];

    private static string? Str(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
