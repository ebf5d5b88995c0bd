namespace IoTMonitor.Cli;

/// <summary>Process exit codes of <c>iotmon</c> (docs/cli.md).</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command ran and failed (API refused, a step failed).</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments.</summary>
    public const int BadArguments = 2;

    /// <summary>The gateway could not be reached.</summary>
    public const int Unreachable = 3;

    /// <summary>A tool the command needs (nanoff) is not installed.</summary>
    public const int ToolMissing = 4;

    /// <summary><c>check</c>: at least one commissioning check failed.</summary>
    public const int CheckFailed = 5;

    /// <summary>Stopped by Ctrl+C.</summary>
    public const int Interrupted = 130;
}

/// <summary>A failure the user can act on; its message is printed as is.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
