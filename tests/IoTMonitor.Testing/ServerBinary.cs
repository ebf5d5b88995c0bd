namespace IoTMonitor.Testing;

/// <summary>Finds a server binary or fails with the command that installs it.</summary>
public static class ServerBinary
{
    public static string Find(string name, string debianPackage)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var dirs = path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(new[] { "/usr/sbin", "/usr/local/sbin", "/sbin" });
        foreach (var dir in dirs)
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"'{name}' is not installed, and this test needs the real server. " +
            $"Install it with: scripts/install-deps.sh (or: apt-get install -y {debianPackage}).");
    }
}
