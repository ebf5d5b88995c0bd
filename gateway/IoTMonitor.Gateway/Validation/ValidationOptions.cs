namespace IoTMonitor.Gateway.Validation;

/// <summary>Options of the decode + validate stage (appsettings section <c>Validation</c>).</summary>
public sealed class ValidationOptions
{
    public const string Section = "Validation";

    /// <summary>How far (seconds) a reading's time may lie ahead of the gateway clock.</summary>
    public long MaxFutureSkewSeconds { get; set; } = 300;

    /// <summary>Dead-letter file (JSON lines); relative paths are under <c>Gateway:DataDir</c>.</summary>
    public string DeadLetterPath { get; set; } = "deadletter.jsonl";

    /// <summary>The dead-letter file is rotated to <c>.1</c> at this size (one old file kept).</summary>
    public long DeadLetterMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Entries waiting to be written; beyond it new entries are counted but dropped.</summary>
    public int DeadLetterQueueLength { get; set; } = 10_000;

    internal IEnumerable<string> Validate()
    {
        if (MaxFutureSkewSeconds < 0)
        {
            yield return "Validation:MaxFutureSkewSeconds must be ≥ 0";
        }

        if (string.IsNullOrWhiteSpace(DeadLetterPath))
        {
            yield return "Validation:DeadLetterPath must be set";
        }

        if (DeadLetterMaxBytes < 4096)
        {
            yield return "Validation:DeadLetterMaxBytes must be ≥ 4096";
        }

        if (DeadLetterQueueLength < 1)
        {
            yield return "Validation:DeadLetterQueueLength must be ≥ 1";
        }
    }
}
