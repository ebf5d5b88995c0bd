using System.Text.Json;

namespace IoTMonitor.Cli;

/// <summary>
/// <c>--wait</c> of <c>config</c> and <c>command</c>: polls a gateway document until its state is
/// final or the time is up. A node answers only when it wakes, so waits are minutes, not seconds.
/// </summary>
public static class AckWait
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Polls <paramref name="path"/> until <paramref name="isFinal"/> holds; returns the last document and whether it did.</summary>
    public static async Task<(JsonElement Document, bool Final)> PollAsync(GatewayClient gw, string path, TimeSpan wait, Func<JsonElement, bool> isFinal, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var doc = await gw.GetJsonAsync(path, ct).ConfigureAwait(false);
            if (isFinal(doc))
            {
                return (doc, true);
            }

            if (DateTime.UtcNow >= deadline)
            {
                return (doc, false);
            }

            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Reads <c>--wait</c>: null when not given; a bad value is a <see cref="CliException"/> (exit 2).</summary>
    public static TimeSpan? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (!Durations.TryParse(text, out var wait) || wait <= TimeSpan.Zero)
        {
            throw new CliException($"--wait '{text}' is not a duration (examples: 90s, 20m, 2h)", ExitCodes.BadArguments);
        }

        return wait;
    }

    public static string State(JsonElement doc) =>
        doc.ValueKind == JsonValueKind.Object && doc.TryGetProperty("state", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : string.Empty;
}
