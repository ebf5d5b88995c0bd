using System.Diagnostics;
using IoTMonitor.Testing;

namespace IoTMonitor.Gateway.Tests;

/// <summary>Where the gateway reads its appsettings.json (docs/gateway.md: beside the binary).</summary>
public sealed class Settings_Tests
{
    [Fact]
    public async Task Appsettings_json_is_read_beside_the_binary_not_from_the_working_directory()
    {
        // the built gateway, linked file by file into a folder of its own with its own appsettings.json
        var install = Directory.CreateTempSubdirectory("iotmon-gw-install-").FullName;
        var workDir = Directory.CreateTempSubdirectory("iotmon-gw-cwd-").FullName;
        var httpPort = FreePort.Next();
        var mqttPort = FreePort.Next();
        Process? gateway = null;
        try
        {
            foreach (var file in Directory.GetFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(AppContext.BaseDirectory, file);
                if (relative != "appsettings.json")
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(install, relative))!);
                    File.Copy(file, Path.Combine(install, relative));
                }
            }

            await File.WriteAllTextAsync(Path.Combine(install, "appsettings.json"), $$"""
                {
                  "Urls": "http://127.0.0.1:{{httpPort}}",
                  "Gateway": { "DataDir": "{{Path.Combine(workDir, "data")}}" },
                  "Mqtt": { "BindAddress": "127.0.0.1", "Port": {{mqttPort}} },
                  "Storage": { "Url": "http://127.0.0.1:9" }
                }
                """);

            // a working directory holding a different appsettings.json, which must be ignored
            await File.WriteAllTextAsync(Path.Combine(workDir, "appsettings.json"), """{ "Urls": "http://127.0.0.1:9", "Mqtt": { "Port": 9 } }""");
            var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(Path.Combine(install, "IoTMonitor.Gateway.dll"));
            gateway = Process.Start(info)!;
            gateway.OutputDataReceived += (_, _) => { };
            gateway.ErrorDataReceived += (_, _) => { };
            gateway.BeginOutputReadLine();
            gateway.BeginErrorReadLine();

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(15) };
            // a loaded machine can take a while to start the process and answer its first request
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string? health = null;
            while (health is null && DateTime.UtcNow < deadline && !gateway.HasExited)
            {
                try
                {
                    using var response = await http.GetAsync("/health");
                    health = await response.Content.ReadAsStringAsync();
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    await Task.Delay(200);
                }
            }

            Assert.False(gateway.HasExited, "the gateway exited");
            Assert.NotNull(health);
            Assert.True(FreePort.IsListening(mqttPort), "MQTT port from the appsettings.json beside the binary");
            Assert.True(Directory.Exists(Path.Combine(workDir, "data")), "DataDir from the appsettings.json beside the binary");
        }
        finally
        {
            if (gateway is { HasExited: false })
            {
                gateway.Kill(entireProcessTree: true);
                gateway.WaitForExit();
            }

            gateway?.Dispose();
            Directory.Delete(install, recursive: true);
            Directory.Delete(workDir, recursive: true);
        }
    }
}
