using System.Diagnostics;
using IoTMonitor.Testing;

namespace IoTMonitor.Stranger.Tests.Support;

/// <summary>What an outside command printed and how it ended.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    public string All => $"exit {ExitCode}{(TimedOut ? " (timed out)" : string.Empty)}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs the outside clients (mosquitto_pub/sub, influx, curl, LoadGen) as processes, bounded in time.</summary>
public static class Cli
{
    public static string MosquittoPub => ServerBinary.Find("mosquitto_pub", "mosquitto-clients");

    public static string MosquittoSub => ServerBinary.Find("mosquitto_sub", "mosquitto-clients");

    public static string Influx => ServerBinary.Find("influx", "influxdb-client");

    public static string Curl => ServerBinary.Find("curl", "curl");

    public static Task<CliResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, string? stdin = null) =>
        Start(file, args, stdin).WaitAsync(timeout);

    /// <summary>A started command; <see cref="WaitAsync"/> collects it (killing it at the timeout).</summary>
    public static Running Start(string file, IEnumerable<string> args, string? stdin = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var p = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }

        return new Running(p, stdout, stderr);
    }

    /// <summary>The LoadGen re-sending node (<c>dotnet LoadGen.dll resend …</c>).</summary>
    public static Running StartResender(params string[] args) =>
        Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "LoadGen.dll"), "resend", .. args]);

    public sealed class Running(Process process, Task<string> stdout, Task<string> stderr)
    {
        public bool HasExited => process.HasExited;

        public async Task<CliResult> WaitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            var timedOut = false;
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            var result = new CliResult(process.ExitCode, await stdout, await stderr, timedOut);
            process.Dispose();
            return result;
        }
    }
}
