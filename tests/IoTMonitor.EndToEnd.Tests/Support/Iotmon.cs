using IoTMonitor.Cli;

namespace IoTMonitor.EndToEnd.Tests.Support;

/// <summary>Runs the real <c>iotmon</c> entry in-process and captures what it prints.</summary>
public static class Iotmon
{
    public sealed record Result(int ExitCode, string Out, string Err);

    public static Task<Result> RunAsync(params string[] args) => RunAsync(TextReader.Null, args);

    /// <summary>Runs <c>iotmon</c> with <paramref name="stdin"/> as what the user types.</summary>
    public static async Task<Result> RunAsync(TextReader stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, console: null, stdout, stderr, stdin: stdin);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}
