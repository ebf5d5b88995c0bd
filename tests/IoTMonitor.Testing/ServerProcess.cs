using System.Diagnostics;
using System.Text;

namespace IoTMonitor.Testing;

/// <summary>
/// A real server started as a child process with its own temporary directory. Disposing stops it
/// (its stop signal, SIGTERM by default, then SIGKILL) and deletes the directory; a process-exit hook does the same if the
/// test host ends without disposing.
/// </summary>
public abstract class ServerProcess : IDisposable
{
    private static readonly List<ServerProcess> Live = new();
    private readonly StringBuilder _log = new();
    private Process? _process;

    static ServerProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            ServerProcess[] all;
            lock (Live)
            {
                all = Live.ToArray();
            }

            foreach (var server in all)
            {
                server.Dispose();
            }
        };
    }

    protected ServerProcess(string name)
    {
        Name = name;
        DataDir = Directory.CreateTempSubdirectory($"iotmon-{name}-").FullName;
    }

    public string Name { get; }

    /// <summary>Temporary directory holding this server's config and data.</summary>
    public string DataDir { get; }

    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Everything the server printed so far, for failure messages.</summary>
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

    protected abstract ProcessStartInfo CreateStartInfo();

    /// <summary>The signal <see cref="Stop"/> sends first (SIGTERM unless the server wants another).</summary>
    protected virtual int StopSignal => 15;

    protected abstract Task<bool> IsReadyAsync(CancellationToken cancellationToken);

    /// <summary>Starts the server and waits until it answers, or throws with its log.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        if (IsRunning)
        {
            return;
        }

        var info = CreateStartInfo();
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{Name} did not start");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        lock (Live)
        {
            Live.Add(this);
        }

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} while starting. Log:\n{Log}");
            }

            using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                if (await IsReadyAsync(probe.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                // not listening yet
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        Stop();
        throw new TimeoutException($"{Name} did not become ready within {timeout ?? TimeSpan.FromSeconds(30)}. Log:\n{Log}");
    }

    /// <summary>Stops the server but keeps its data, so a later <see cref="StartAsync"/> resumes it.</summary>
    public void Stop()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                SendSignal(process.Id, StopSignal);
                if (!process.WaitForExit(10_000))
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5_000);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        process.WaitForExit();
        process.Dispose();
        _process = null;
    }

    /// <summary>Ends the server at once, as a power cut or OOM kill would.</summary>
    public void Kill()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        process.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        lock (Live)
        {
            Live.Remove(this);
        }

        try
        {
            if (Directory.Exists(DataDir))
            {
                Directory.Delete(DataDir, recursive: true);
            }
        }
        catch (IOException)
        {
            // a file still held open by a dying process; the temp folder is cleaned by the OS
        }

        GC.SuppressFinalize(this);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            // keep the tail only: a chatty server must not eat the test host's memory
            if (_log.Length > 200_000)
            {
                _log.Remove(0, 100_000);
            }

            _log.AppendLine(line);
        }
    }

    private static void SendSignal(int pid, int signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { UseShellExecute = false });
        kill?.WaitForExit(5_000);
    }
}
