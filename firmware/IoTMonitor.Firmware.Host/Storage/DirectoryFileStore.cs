using IoTMonitor.Firmware.Core.Storage;

namespace IoTMonitor.Firmware.Host.Storage;

/// <summary>
/// <see cref="IFileStore"/> in a host directory, for virtual nodes whose flash must outlive the
/// process (<c>iotmon simulate --flash-files</c>). Gives the guarantees the core relies on from
/// LittleFS: an append or replace is on disk when the call returns (fsync), and a replace is
/// all-or-nothing (written to a temporary file, then renamed over the old one). A temporary file
/// left by a killed process is deleted when the store is opened.
/// </summary>
public sealed class DirectoryFileStore : IFileStore
{
    private const string TempSuffix = ".tmp";

    public DirectoryFileStore(string directory)
    {
        Directory.CreateDirectory(directory);
        Root = directory;
        foreach (var leftover in Directory.GetFiles(directory, "*" + TempSuffix))
        {
            File.Delete(leftover);
        }
    }

    public string Root { get; }

    public string[] List()
    {
        var names = new List<string>();
        foreach (var path in Directory.GetFiles(Root))
        {
            var name = Path.GetFileName(path);
            if (!name.EndsWith(TempSuffix, StringComparison.Ordinal))
            {
                names.Add(name);
            }
        }

        return [.. names];
    }

    public int Read(string name, byte[] buffer, int offset, int count)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            return -1;
        }

        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var done = 0;
        int n;
        while (done < count && (n = s.Read(buffer, offset + done, count - done)) > 0)
        {
            done += n;
        }

        return done;
    }

    public void Append(string name, byte[] buffer, int offset, int count)
    {
        using var s = new FileStream(PathOf(name), FileMode.Append, FileAccess.Write, FileShare.None);
        s.Write(buffer, offset, count);
        s.Flush(flushToDisk: true);
    }

    public void Replace(string name, byte[] buffer, int offset, int count)
    {
        var temp = PathOf(name) + TempSuffix;
        using (var s = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            s.Write(buffer, offset, count);
            s.Flush(flushToDisk: true);
        }

        File.Move(temp, PathOf(name), overwrite: true);
    }

    public void Delete(string name) => File.Delete(PathOf(name));

    private string PathOf(string name)
    {
        if (name.Length == 0 || name.IndexOfAny(['/', '\\', ':']) >= 0 || name is "." or "..")
        {
            throw new ArgumentException($"bad file name '{name}'", nameof(name));
        }

        return Path.Combine(Root, name);
    }
}
