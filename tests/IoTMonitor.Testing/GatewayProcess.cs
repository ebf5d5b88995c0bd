using System.Diagnostics;
using System.Text;
namespace IoTMonitor.Testing;

/// <summary>
/// The built gateway run as a separate process (<c>dotnet IoTMonitor.Gateway.dll --key=value …</c>), so a
/// test can SIGKILL it or reach it only from outside. A project referencing the gateway gets the dll beside its own.
/// </summary>
public sealed class GatewayProcess : IDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;

    public GatewayProcess(string dataDir, int mqttPort, int httpPort, params string[] args)
    {
        DataDir = dataDir;
        MqttPort = mqttPort;
        HttpPort = httpPort;
        Args = args;
    }

    public string DataDir { get; }

    public int MqttPort { get; }

    public int HttpPort { get; }

    public string[] Args { get; }

    /// <summary>The running process's id, null when it is not running.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the process (again, after <see cref="Kill"/>) and waits until its MQTT port (unless 0, external mode) and its HTTP port listen (60 s: a start under a loaded CI machine has taken over 30).</summary>
    public async Task StartAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "IoTMonitor.Gateway.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = DataDir };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add($"--urls=http://127.0.0.1:{HttpPort}");
        info.ArgumentList.Add($"--Gateway:DataDir={DataDir}");
        info.ArgumentList.Add("--Mqtt:BindAddress=127.0.0.1");
        info.ArgumentList.Add($"--Mqtt:Port={MqttPort}");
        foreach (var a in Args)
        {
            info.ArgumentList.Add(a);
        }

        var p = Process.Start(info) ?? throw new InvalidOperationException("gateway process did not start");
        p.OutputDataReceived += (_, e) => Append(e.Data);
        p.ErrorDataReceived += (_, e) => Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (p.HasExited)
            {
                throw new InvalidOperationException($"gateway exited with {p.ExitCode}:\n{Log}");
            }

            if ((MqttPort == 0 || FreePort.IsListening(MqttPort)) && FreePort.IsListening(HttpPort))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"gateway did not listen on {MqttPort}:\n{Log}");
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut or an OOM kill.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            // the start (what the process said while starting and taking its partitions) and the latest lines: a
            // chatty outage must not push out what happened last
            if (_log.Length > 200_000)
            {
                _log.Remove(50_000, 50_000);
                _log.Insert(50_000, "[…]\n");
            }

            _log.AppendLine(line);
        }
    }

    public void Dispose() => Kill();
}
