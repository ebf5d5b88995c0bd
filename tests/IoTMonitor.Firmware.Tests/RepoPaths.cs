namespace IoTMonitor.Firmware.Tests;

/// <summary>Finds repository folders by walking up from the test binary to IoTMonitor.sln.</summary>
internal static class RepoPaths
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IoTMonitor.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("IoTMonitor.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
